// Turns a CloudRunServiceConfig spec into the exact list of v2 fields the controller owns. Only what the spec
// declares appears; everything else on the service (image, traffic, other containers, other env vars) is
// never listed and so never compared or written.

import { parseDuration } from "../../api/duration.ts";
import type { CloudRunServiceConfigSpec } from "../../api/cloudrun.ts";
import { declaredDatabaseEnvVars, type DatabaseSpec } from "../../api/database.ts";
import {
  CLOUD_SQL_MOUNT_PATH,
  CLOUD_SQL_VOLUME,
  ConfigError,
  fieldPath,
  type ContainerField,
  type DesiredService,
  type FieldTarget,
  type OwnedField,
  type TemplateField,
} from "./fields.ts";
import { ANNOTATION, connectorFullName, translateAnnotations, type AnnotationSettings } from "./translate.ts";

export interface RenderOptions {
  /** The connector a spec.vpcAccess.connectorRef resolves to: a short name or the full resource name. */
  connectorName?: string;
}

/** The owned fields of the service in a fixed order; throws a ConfigError for a spec that cannot be rendered. */
export function renderDesired(spec: CloudRunServiceConfigSpec, options: RenderOptions = {}): DesiredService {
  const fromAnnotations = translateAnnotations(spec);
  const fields: OwnedField[] = [];
  const add = (target: FieldTarget, declared: Declared | undefined) => {
    if (declared === undefined) return;
    const [value, source] = declared;
    fields.push({ path: fieldPath(target, spec.container), source, target, value: String(value) });
  };
  const template = (field: TemplateField, declared: Declared | undefined) =>
    add({ scope: "template", field }, declared);
  const container = (field: ContainerField, declared: Declared | undefined) =>
    add({ scope: "container", field }, declared);
  const { scaling, resources, vpcAccess, startupProbe: probe } = spec;

  if (spec.requestTimeout !== undefined) {
    template("timeout", [`${parseDuration(spec.requestTimeout) / 1000}s`, "requestTimeout"]);
  }
  template(
    "scaling.minInstanceCount",
    either(scaling?.minInstances, "scaling.minInstances", fromAnnotations.minInstances, ANNOTATION.minScale),
  );
  template(
    "scaling.maxInstanceCount",
    either(scaling?.maxInstances, "scaling.maxInstances", fromAnnotations.maxInstances, ANNOTATION.maxScale),
  );
  template("vpcAccess.connector", connector(spec, options, fromAnnotations));
  template(
    "vpcAccess.egress",
    either(vpcAccess?.egress, "vpcAccess.egress", fromAnnotations.egress, ANNOTATION.egress),
  );

  const instances = either(
    spec.database?.cloudSqlInstance,
    "database.cloudSqlInstance",
    fromAnnotations.cloudSqlInstances?.join(","),
    ANNOTATION.cloudSql,
  );
  add({ scope: "cloudSqlVolume", volume: CLOUD_SQL_VOLUME }, instances);

  container("resources.limits.cpu", either(resources?.cpu, "resources.cpu"));
  container("resources.limits.memory", either(resources?.memory, "resources.memory"));
  // Only v1 annotations carry these two; the spec has no explicit field for them.
  container("resources.cpuIdle", annotated(fromAnnotations.cpuIdle, ANNOTATION.cpuThrottling));
  container("resources.startupCpuBoost", annotated(fromAnnotations.startupCpuBoost, ANNOTATION.startupCpuBoost));

  if (probe !== undefined) {
    const action = probe.httpGet !== undefined ? "httpGet" : "tcpSocket";
    container("startupProbe.type", [action, `startupProbe.${action}`]);
    container("startupProbe.httpGet.path", either(probe.httpGet?.path, "startupProbe.httpGet.path"));
    container("startupProbe.httpGet.port", either(probe.httpGet?.port, "startupProbe.httpGet.port"));
    container("startupProbe.tcpSocket.port", either(probe.tcpSocket?.port, "startupProbe.tcpSocket.port"));
    container("startupProbe.initialDelaySeconds", [probe.initialDelaySeconds, "startupProbe.initialDelaySeconds"]);
    container("startupProbe.timeoutSeconds", [probe.timeoutSeconds, "startupProbe.timeoutSeconds"]);
    container("startupProbe.periodSeconds", [probe.periodSeconds, "startupProbe.periodSeconds"]);
    container("startupProbe.failureThreshold", [probe.failureThreshold, "startupProbe.failureThreshold"]);
  }
  if (instances !== undefined) {
    add({ scope: "volumeMount", volume: CLOUD_SQL_VOLUME }, [CLOUD_SQL_MOUNT_PATH, instances[1]]);
  }

  for (const [name, declared] of sortedEntries(environment(spec))) add({ scope: "env", name }, declared);
  for (const [key, value] of sortedEntries(spec.labels ?? {})) add({ scope: "labels", key }, [value, `labels.${key}`]);
  for (const [key, value] of sortedEntries(fromAnnotations.annotations)) {
    add({ scope: "annotations", key }, [value, `annotations.${key}`]);
  }
  return spec.container === undefined ? { fields } : { container: spec.container, fields };
}

/**
 * The environment variables the database profile sets, by name: durations as seconds ("75", "1.5"),
 * counts in decimal, booleans as "true"/"false".
 */
export function databaseEnvironment(database: DatabaseSpec): Record<string, string> {
  const seconds = (value: string | undefined) =>
    value === undefined ? undefined : String(parseDuration(value) / 1000);
  const names = database.envVarNames;
  const values: [name: string, value: string | undefined][] = [
    [names.initializationTimeout, seconds(database.timeouts?.initialization)],
    [names.connectionTimeout, seconds(database.timeouts?.connection)],
    [names.poolTimeout, seconds(database.timeouts?.pool)],
    [names.tableSetupTimeout, seconds(database.timeouts?.tableSetup)],
    [names.healthCheckTimeout, seconds(database.timeouts?.healthCheck)],
    [names.poolSize, text(database.pool?.size)],
    [names.maxOverflow, text(database.pool?.maxOverflow)],
    [names.poolRecycle, seconds(database.pool?.recycle)],
    [names.poolPrePing, text(database.pool?.prePing)],
  ];
  const environment: Record<string, string> = {};
  for (const [name, value] of values) {
    if (value === undefined) continue;
    if (Object.hasOwn(environment, name)) {
      throw new ConfigError("spec.database.envVarNames", `${name} is used for two settings; give each its own name`);
    }
    environment[name] = value;
  }
  return environment;
}

/** Every environment variable the spec declares, with the spec field it comes from. */
function environment(spec: CloudRunServiceConfigSpec): Record<string, Declared> {
  const declared: Record<string, Declared> = {};
  for (const [name, value] of Object.entries(spec.env ?? {})) declared[name] = [value, `env.${name}`];
  if (spec.database === undefined) return declared;
  const sources = new Map(declaredDatabaseEnvVars(spec.database).map(({ name, source }) => [name, source]));
  for (const [name, value] of Object.entries(databaseEnvironment(spec.database))) {
    if (Object.hasOwn(declared, name)) {
      throw new ConfigError(`spec.env.${name}`, `${name} is also set by spec.database; declare it in one place`);
    }
    declared[name] = [value, (sources.get(name) ?? "database").replace(/^spec\./, "")];
  }
  return declared;
}

function connector(
  spec: CloudRunServiceConfigSpec,
  options: RenderOptions,
  fromAnnotations: AnnotationSettings,
): Declared | undefined {
  const vpcAccess = spec.vpcAccess;
  if (vpcAccess?.connectorRef !== undefined) {
    const field = "spec.vpcAccess.connectorRef";
    if (options.connectorName === undefined) {
      throw new ConfigError(
        field,
        `VpcConnectorConfig ${vpcAccess.connectorRef.name} has not been resolved to a connector`,
      );
    }
    return [connectorFullName(options.connectorName, spec.service, field), "vpcAccess.connectorRef"];
  }
  return either(vpcAccess?.connector, "vpcAccess.connector", fromAnnotations.connector, ANNOTATION.connector);
}

/** A declared value and the spec field it comes from. */
type Declared = [value: Scalar, source: string];

type Scalar = string | number | boolean;

/** The explicit spec field when set, else the v1 annotation that carries the same setting. */
function either(
  explicit: Scalar | undefined,
  source: string,
  fromAnnotation?: Scalar,
  annotation?: string,
): Declared | undefined {
  if (explicit !== undefined) return [explicit, source];
  return annotation === undefined ? undefined : annotated(fromAnnotation, annotation);
}

function annotated(value: Scalar | undefined, annotation: string): Declared | undefined {
  return value === undefined ? undefined : [value, `annotations["${annotation}"]`];
}

function sortedEntries<T>(map: Record<string, T>): [string, T][] {
  return Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function text(value: number | boolean | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}
