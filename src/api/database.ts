// spec.database of CloudRunServiceConfig: the Cloud SQL connection settings the service reads from environment
// variables. The controller renders them into the container's env, so a timeout can no longer silently regress.

import { z } from "zod";
import { ENV_VAR_NAME_PATTERN, duration, integer } from "./common.ts";

/** Environment variable each database setting is written to, unless spec.database.envVarNames overrides it. */
export const DEFAULT_DB_ENV_VAR_NAMES = {
  initializationTimeout: "DB_INITIALIZATION_TIMEOUT",
  connectionTimeout: "DB_CONNECTION_TIMEOUT",
  poolTimeout: "DB_POOL_TIMEOUT",
  tableSetupTimeout: "DB_TABLE_SETUP_TIMEOUT",
  healthCheckTimeout: "DB_HEALTH_CHECK_TIMEOUT",
  poolSize: "DB_POOL_SIZE",
  maxOverflow: "DB_MAX_OVERFLOW",
  poolRecycle: "DB_POOL_RECYCLE",
  poolPrePing: "DB_POOL_PRE_PING",
} as const;
export type DatabaseSetting = keyof typeof DEFAULT_DB_ENV_VAR_NAMES;

/** Where each database setting lives under spec.database. */
export const SETTING_SOURCES: Record<DatabaseSetting, string> = {
  initializationTimeout: "timeouts.initialization",
  connectionTimeout: "timeouts.connection",
  poolTimeout: "timeouts.pool",
  tableSetupTimeout: "timeouts.tableSetup",
  healthCheckTimeout: "timeouts.healthCheck",
  poolSize: "pool.size",
  maxOverflow: "pool.maxOverflow",
  poolRecycle: "pool.recycle",
  poolPrePing: "pool.prePing",
};

export const CLOUD_SQL_INSTANCE_PATTERN = /^[a-z][a-z0-9-]{4,28}[a-z0-9]:[a-z]+-[a-z]+[0-9]+:[a-z][a-z0-9-]{0,97}$/;

const envVarName = (setting: DatabaseSetting) =>
  z
    .string()
    .regex(ENV_VAR_NAME_PATTERN, "must be a valid environment variable name (letters, digits and _)")
    .default(DEFAULT_DB_ENV_VAR_NAMES[setting])
    .meta({
      description: `Environment variable that receives spec.database.${SETTING_SOURCES[setting]}.`,
    });

const timeout = (what: string) => duration(`${what}.`, { min: "1ms" }).optional();

export const DatabaseTimeouts = z
  .strictObject({
    initialization: timeout("How long the application may take to initialise its database layer at startup"),
    connection: timeout("How long one connection attempt may take"),
    pool: timeout("How long a request may wait for a free pooled connection; at least the connection timeout"),
    tableSetup: timeout("How long table creation and migration checks may take at startup"),
    healthCheck: timeout("How long a database health check may take"),
  })
  .meta({ description: "Database timeouts the application reads from its environment." });

export const DatabasePool = z
  .strictObject({
    size: integer("Connections each instance keeps open", 1).optional(),
    maxOverflow: integer("Extra connections each instance may open beyond size under load", 0).optional(),
    recycle: duration("Age after which a pooled connection is closed and replaced.", { min: "1s" }).optional(),
    prePing: z.boolean().optional().meta({ description: "Test each connection with a ping before handing it out." }),
  })
  .meta({
    description:
      "Connection pool of each instance. (size + maxOverflow) × spec.scaling.maxInstances must stay within " +
      "floor(maxConnections × safetyMargin).",
  });

export const DatabaseEnvVarNames = z
  .strictObject(
    Object.fromEntries(
      Object.keys(DEFAULT_DB_ENV_VAR_NAMES).map((setting) => [setting, envVarName(setting as DatabaseSetting)]),
    ) as Record<DatabaseSetting, ReturnType<typeof envVarName>>,
  )
  .prefault({})
  .meta({ description: "Names of the environment variables the database settings are written to." });

export const DatabaseSpec = z
  .strictObject({
    cloudSqlInstance: z
      .string()
      .regex(CLOUD_SQL_INSTANCE_PATTERN, 'must be a Cloud SQL connection name "project:region:instance"')
      .optional()
      .meta({
        description:
          'Cloud SQL instance connection name "project:region:instance", e.g. "netra-staging:us-central1:db".',
      }),
    maxConnections: integer(
      "Connections the Cloud SQL instance accepts (its max_connections flag); enables the connection budget check",
      1,
    ).optional(),
    safetyMargin: z
      .number()
      .gt(0)
      .lte(1)
      .default(0.8)
      .meta({ description: "Share of maxConnections this service may plan to use (greater than 0, at most 1)." }),
    timeouts: DatabaseTimeouts.optional(),
    pool: DatabasePool.optional(),
    envVarNames: DatabaseEnvVarNames,
  })
  .meta({
    description:
      "Cloud SQL connection settings, written to the container's environment variables (see envVarNames) and " +
      "checked against the startup probe and the instance's connection limit.",
  });
export type DatabaseSpec = z.output<typeof DatabaseSpec>;

/** The env var each declared database setting is written to, with its source path under spec.database. */
export function declaredDatabaseEnvVars(database: DatabaseSpec): { name: string; source: string }[] {
  const declared: Record<DatabaseSetting, unknown> = {
    initializationTimeout: database.timeouts?.initialization,
    connectionTimeout: database.timeouts?.connection,
    poolTimeout: database.timeouts?.pool,
    tableSetupTimeout: database.timeouts?.tableSetup,
    healthCheckTimeout: database.timeouts?.healthCheck,
    poolSize: database.pool?.size,
    maxOverflow: database.pool?.maxOverflow,
    poolRecycle: database.pool?.recycle,
    poolPrePing: database.pool?.prePing,
  };
  return (Object.keys(declared) as DatabaseSetting[])
    .filter((setting) => declared[setting] !== undefined)
    .map((setting) => ({ name: database.envVarNames[setting], source: `spec.database.${SETTING_SOURCES[setting]}` }));
}
