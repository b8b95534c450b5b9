// CloudRunServiceConfig's cross-field rules, each with its CEL form where CEL can say it (see rules.ts).
// Durations are strings in the schema; CEL's duration() reads the same Go-style syntax ("75s", "1m30s", "500ms").

import type { CloudRunServiceConfigSpec } from "./cloudrun.ts";
import { formatSeconds, parseDuration } from "./common.ts";
import {
  type DatabaseSetting,
  DEFAULT_DB_ENV_VAR_NAMES,
  SETTING_SOURCES,
  declaredDatabaseEnvVars,
} from "./database.ts";
import { ENV_LIMITS, cpuMemoryProblem, cpuProblem, memoryProblem, quantityValue } from "./limits.ts";
import { type SpecRule, celHas, celString, connectionBudget, connectionDemand, runRules } from "./rules.ts";

type Rule = SpecRule<CloudRunServiceConfigSpec>;

const scalingMinMax: Rule = {
  name: "scaling.minInstances <= scaling.maxInstances",
  at: ["scaling"],
  check: ({ scaling }) =>
    scaling?.minInstances !== undefined &&
    scaling.maxInstances !== undefined &&
    scaling.minInstances > scaling.maxInstances
      ? [
          {
            path: ["scaling", "minInstances"],
            message: `minInstances ${scaling.minInstances} exceeds maxInstances ${scaling.maxInstances}`,
          },
        ]
      : [],
  cel: {
    rule: "!has(self.minInstances) || !has(self.maxInstances) || self.minInstances <= self.maxInstances",
    message: "spec.scaling.minInstances must not exceed spec.scaling.maxInstances",
    messageExpression:
      `'spec.scaling.minInstances: minInstances ' + ${celString("self.minInstances")} + ` +
      `' exceeds maxInstances ' + ${celString("self.maxInstances")}`,
  },
};

function exactlyOne(field: "vpcAccess" | "startupProbe", keys: [string, string]): Rule {
  return {
    name: `${field}: exactly one of ${keys.join(" or ")}`,
    at: [field],
    check: (spec) => {
      const parent = spec[field] as Record<string, unknown> | undefined;
      if (parent === undefined) return [];
      const present = keys.filter((key) => parent[key] !== undefined);
      if (present.length === 1) return [];
      const found = present.length === 0 ? "neither is set" : "both are set";
      return [{ path: [field], message: `set exactly one of ${keys[0]} or ${keys[1]} (${found})` }];
    },
    controllerOnly: "none needed: the CRD's oneOf enforces it on every Kubernetes version",
  };
}

const probeTimeoutWithinPeriod: Rule = {
  name: "startupProbe.timeoutSeconds <= periodSeconds",
  at: ["startupProbe"],
  check: ({ startupProbe: probe }) =>
    probe !== undefined && probe.timeoutSeconds > probe.periodSeconds
      ? [
          {
            path: ["startupProbe", "timeoutSeconds"],
            message: `timeoutSeconds ${probe.timeoutSeconds} exceeds periodSeconds ${probe.periodSeconds}`,
          },
        ]
      : [],
  cel: {
    rule: "self.timeoutSeconds <= self.periodSeconds",
    message: "spec.startupProbe.timeoutSeconds must not exceed spec.startupProbe.periodSeconds",
    messageExpression:
      `'spec.startupProbe.timeoutSeconds: timeoutSeconds ' + ${celString("self.timeoutSeconds")} + ` +
      `' exceeds periodSeconds ' + ${celString("self.periodSeconds")}`,
  },
};

const PROBE_BUDGET =
  "self.startupProbe.initialDelaySeconds + self.startupProbe.failureThreshold * self.startupProbe.periodSeconds";

const probeCoversInitialization: Rule = {
  name: "startup probe budget covers database.timeouts.initialization",
  at: [],
  check: ({ startupProbe: probe, database }) => {
    const initialization = database?.timeouts?.initialization;
    if (probe === undefined || initialization === undefined) return [];
    const { initialDelaySeconds: delay, failureThreshold: failures, periodSeconds: period } = probe;
    const budgetSeconds = delay + failures * period;
    const neededMs = parseDuration(initialization);
    if (budgetSeconds * 1000 >= neededMs) return [];
    const neededFailures = Math.ceil((neededMs / 1000 - delay) / period);
    return [
      {
        path: ["startupProbe"],
        message:
          `startup probe allows ${delay} + ${failures} × ${period} = ${budgetSeconds}s but ` +
          `spec.database.timeouts.initialization is ${formatSeconds(neededMs)}; ` +
          `failureThreshold ${neededFailures} at periodSeconds ${period} would cover it`,
      },
    ];
  },
  cel: {
    rule:
      `!has(self.startupProbe) || !(${celHas("database.timeouts.initialization")}) || ` +
      `duration(string(${PROBE_BUDGET}) + 's') >= duration(self.database.timeouts.initialization)`,
    message:
      "spec.startupProbe: initialDelaySeconds + failureThreshold × periodSeconds must cover " +
      "spec.database.timeouts.initialization",
    messageExpression:
      "'spec.startupProbe: startup probe allows ' + string(self.startupProbe.initialDelaySeconds) + ' + ' + " +
      "string(self.startupProbe.failureThreshold) + ' × ' + string(self.startupProbe.periodSeconds) + ' = ' + " +
      `string(${PROBE_BUDGET}) + 's but spec.database.timeouts.initialization is ' + ` +
      "string(duration(self.database.timeouts.initialization))",
  },
};

const poolOutlastsConnection: Rule = {
  name: "database.timeouts.pool >= database.timeouts.connection",
  at: ["database", "timeouts"],
  check: ({ database }) => {
    const { connection, pool } = database?.timeouts ?? {};
    if (connection === undefined || pool === undefined) return [];
    const connectionMs = parseDuration(connection);
    const poolMs = parseDuration(pool);
    if (poolMs >= connectionMs) return [];
    return [
      {
        path: ["database", "timeouts", "pool"],
        message:
          `pool timeout ${formatSeconds(poolMs)} is shorter than connection timeout ${formatSeconds(connectionMs)}: ` +
          "a request waiting for a pooled connection must outlast one connection attempt",
      },
    ];
  },
  cel: {
    rule: "!has(self.connection) || !has(self.pool) || duration(self.pool) >= duration(self.connection)",
    message: "spec.database.timeouts.pool must be at least spec.database.timeouts.connection",
    messageExpression:
      "'spec.database.timeouts.pool: pool timeout ' + string(duration(self.pool)) + " +
      "' is shorter than connection timeout ' + string(duration(self.connection))",
  },
};

const BUDGET_INPUTS = `${celHas("database.maxConnections")} && ${celHas("database.pool.size")}`;
const SCALED = celHas("scaling.maxInstances");

const maxInstancesBoundsDemand: Rule = {
  name: "scaling.maxInstances set when the connection budget is checked",
  at: [],
  check: ({ database, scaling }) =>
    database?.maxConnections !== undefined && database.pool?.size !== undefined && scaling?.maxInstances === undefined
      ? [
          {
            path: ["scaling", "maxInstances"],
            message:
              "is required when spec.database.maxConnections and spec.database.pool.size are set: " +
              "without it the service's connection demand is unbounded",
          },
        ]
      : [],
  cel: {
    rule: `!(${BUDGET_INPUTS}) || (${SCALED})`,
    message: "spec.scaling.maxInstances is required when spec.database.maxConnections and pool.size are set",
    messageExpression:
      "'spec.scaling.maxInstances: is required when spec.database.maxConnections and spec.database.pool.size " +
      "are set: without it the service\\'s connection demand is unbounded'",
  },
};

const OVERFLOW = "(has(self.database.pool.maxOverflow) ? self.database.pool.maxOverflow : 0)";
const DEMAND = `(self.database.pool.size + ${OVERFLOW}) * self.scaling.maxInstances`;
const BUDGET = "int(double(self.database.maxConnections) * self.database.safetyMargin + 1e-9)";

const demandWithinBudget: Rule = {
  name: "connection demand within floor(maxConnections × safetyMargin)",
  at: [],
  outsideSchema:
    "ConnectionBudgetExceeded, as for an over-booked shared instance (one reason for one cause); the fields " +
    "that do not raise the demand are still healed",
  check: (spec) => {
    const { database, scaling } = spec;
    if (database === undefined || scaling?.maxInstances === undefined) return [];
    const demand = connectionDemand(spec);
    const budget = connectionBudget(database);
    if (demand === undefined || budget === undefined || demand <= budget) return [];
    const size = database.pool?.size ?? 0;
    const overflow = database.pool?.maxOverflow ?? 0;
    return [
      {
        path: ["database", "pool"],
        message:
          `(${size} + ${overflow}) × ${scaling.maxInstances} = ${demand} connections exceeds ` +
          `floor(${database.maxConnections} × ${database.safetyMargin}) = ${budget}`,
      },
    ];
  },
  cel: {
    rule: `!(${BUDGET_INPUTS} && ${SCALED}) || ${DEMAND} <= ${BUDGET}`,
    message:
      "spec.database.pool: (size + maxOverflow) × spec.scaling.maxInstances must not exceed " +
      "floor(maxConnections × safetyMargin)",
    messageExpression:
      "'spec.database.pool: (' + string(self.database.pool.size) + ' + ' + string(" +
      OVERFLOW +
      ") + ') × ' + string(self.scaling.maxInstances) + ' = ' + string(" +
      DEMAND +
      ") + ' connections exceeds floor(' + string(self.database.maxConnections) + ' × ' + " +
      "string(self.database.safetyMargin) + ') = ' + string(" +
      BUDGET +
      ")",
  },
};

/** One rule per database setting: its env var must not also be declared in spec.env. */
function envConflict(setting: DatabaseSetting): Rule {
  const source = SETTING_SOURCES[setting];
  const nameExpression = `self.database.envVarNames.${setting}`;
  return {
    name: `spec.env does not repeat the variable of spec.database.${source}`,
    at: [],
    check: ({ env, database }) =>
      env === undefined || database === undefined
        ? []
        : declaredDatabaseEnvVars(database)
            .filter(({ name, source: from }) => from === `spec.database.${source}` && Object.hasOwn(env, name))
            .map(({ name, source: from }) => ({
              path: ["env", name],
              message: `${name} is also set by ${from}; declare it in one place`,
            })),
    cel: {
      rule: `!has(self.env) || !(${celHas(`database.${source}`)}) || !(${nameExpression} in self.env)`,
      message: `spec.env must not set the variable spec.database.${source} is written to (${DEFAULT_DB_ENV_VAR_NAMES[setting]} unless renamed)`,
      messageExpression:
        `'spec.env.' + ${nameExpression} + ': ' + ${nameExpression} + ` +
        `' is also set by spec.database.${source}; declare it in one place'`,
    },
  };
}

const SETTINGS = Object.keys(SETTING_SOURCES) as DatabaseSetting[];
const DECLARED_DATABASE_VARS = SETTINGS.map((setting) => `(${celHas(`database.${SETTING_SOURCES[setting]}`)} ? 1 : 0)`);

const envCountWithinLimit: Rule = {
  name: `at most ${ENV_LIMITS.maxVariables} environment variables, counting spec.database's`,
  at: [],
  check: ({ env, database }) => {
    const count = Object.keys(env ?? {}).length + (database ? declaredDatabaseEnvVars(database).length : 0);
    if (count <= ENV_LIMITS.maxVariables) return [];
    return [
      {
        path: ["env"],
        message:
          `${count} environment variables (spec.env and spec.database) exceed Cloud Run's ` +
          `${ENV_LIMITS.maxVariables} per container`,
      },
    ];
  },
  cel: {
    rule: `(has(self.env) ? size(self.env) : 0) + ${DECLARED_DATABASE_VARS.join(" + ")} <= ${ENV_LIMITS.maxVariables}`,
    message: `spec.env: spec.env and spec.database together may set at most ${ENV_LIMITS.maxVariables} variables`,
    messageExpression:
      `'spec.env: ' + string((has(self.env) ? size(self.env) : 0) + ${DECLARED_DATABASE_VARS.join(" + ")}) + ` +
      `' environment variables (spec.env and spec.database) exceed Cloud Run\\'s ${ENV_LIMITS.maxVariables} per container'`,
  },
};

const cpuMemoryCombination: Rule = {
  name: "resources.cpu and resources.memory form a combination Cloud Run accepts",
  at: ["resources"],
  check: ({ resources }) => {
    if (resources?.cpu === undefined || resources.memory === undefined) return [];
    const cpu = quantityValue(resources.cpu);
    const memory = quantityValue(resources.memory);
    // Each value alone is checked (and reported) by its field; combine only two valid ones.
    if (cpu === undefined || memory === undefined || cpuProblem(cpu) || memoryProblem(memory)) return [];
    const text = { cpu: String(resources.cpu), memory: String(resources.memory) };
    const problem = cpuMemoryProblem(cpu, memory, text);
    return problem === undefined ? [] : [{ path: ["resources"], message: problem }];
  },
  controllerOnly:
    'needs quantity arithmetic ("500m", "4Gi"); CEL has it only through Kubernetes\' quantity library, ' +
    "which older clusters lack",
};

export const CLOUD_RUN_RULES: readonly Rule[] = [
  scalingMinMax,
  exactlyOne("vpcAccess", ["connectorRef", "connector"]),
  exactlyOne("startupProbe", ["httpGet", "tcpSocket"]),
  probeTimeoutWithinPeriod,
  probeCoversInitialization,
  poolOutlastsConnection,
  maxInstancesBoundsDemand,
  demandWithinBudget,
  ...SETTINGS.map(envConflict),
  envCountWithinLimit,
  cpuMemoryCombination,
];

export function cloudRunSpecRules(spec: CloudRunServiceConfigSpec) {
  return runRules(CLOUD_RUN_RULES, spec);
}

/** A spec whose own demand exceeds the budget it declares (see demandWithinBudget.outsideSchema). */
export function ownConnectionBudgetIssues(spec: Pick<CloudRunServiceConfigSpec, "database" | "scaling">) {
  return demandWithinBudget.check(spec as CloudRunServiceConfigSpec);
}
