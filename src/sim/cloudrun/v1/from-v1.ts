// A v1 Service a client wrote (replaceService or create), as the v2 fields it sets: the inverse of
// to-v1.ts. What v1 cannot express (v2-only fields) is kept from the stored service, so writing back what a
// v1 read returned changes nothing else.

import { SimError, type FieldViolation } from "../../core/errors.ts";
import type { JsonObject } from "../../core/module.ts";
import { settableFields } from "../shape.ts";
import {
  CLOUD_SQL_MOUNT_PATH,
  CLOUD_SQL_VOLUME,
  EGRESS,
  EXECUTION_ENVIRONMENT,
  INGRESS,
  V1,
  isSystemKey,
} from "./annotations.ts";

type Json = JsonObject;

const asObject = (value: unknown): Json =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
const asList = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const strings = (value: unknown): Record<string, string> => asObject(value) as Record<string, string>;

/** Template fields v1 has no spelling for: a v1 write leaves them as they were. */
const V2_ONLY_TEMPLATE_FIELDS = ["nodeSelector", "serviceMesh", "healthCheckDisabled", "gpuZonalRedundancyDisabled"];

/** The user's own keys: Google's (system prefixes) are output or are mapped to fields explicitly. */
function userKeys(map: Record<string, string>): Record<string, string> | undefined {
  const kept = Object.entries(map).filter(([key]) => !isSystemKey(key));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

function integer(value: string | undefined, field: string, violations: FieldViolation[]): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^\d+$/.test(value)) {
    violations.push({ field, description: `expected a non-negative integer, got '${value}'` });
    return undefined;
  }
  return Number(value);
}

function enumValue(
  table: Record<string, string>,
  value: string | undefined,
  field: string,
  violations: FieldViolation[],
): string | undefined {
  if (value === undefined || value === "") return undefined;
  const v2 = table[value];
  if (v2 === undefined)
    violations.push({ field, description: `expected one of ${Object.keys(table).join(", ")}, got '${value}'` });
  return v2;
}

export function fromV1Service(v1: Json, existing: Json | undefined): Json {
  const violations: FieldViolation[] = [];
  const metadata = asObject(v1.metadata);
  const annotations = strings(metadata.annotations);
  const spec = asObject(v1.spec);
  const base = existing ? settableFields(existing) : {};
  const service: Json = {
    ...base,
    labels: userKeys(strings(metadata.labels)),
    annotations: userKeys(annotations),
    ingress:
      enumValue(INGRESS, annotations[V1.ingress], `metadata.annotations[${V1.ingress}]`, violations) ?? base.ingress,
    launchStage: annotations[V1.launchStage] ?? base.launchStage,
    client: annotations[V1.clientName],
    clientVersion: annotations[V1.clientVersion],
    template: templateFromV1(asObject(spec.template), asObject(base.template), violations),
    traffic: spec.traffic === undefined ? base.traffic : asList(spec.traffic).map(trafficFromV1),
  };
  const minScale = integer(annotations[V1.serviceMinScale], `metadata.annotations[${V1.serviceMinScale}]`, violations);
  const maxScale = integer(annotations[V1.serviceMaxScale], `metadata.annotations[${V1.serviceMaxScale}]`, violations);
  service.scaling =
    minScale === undefined && maxScale === undefined
      ? undefined
      : dropUndefined({ minInstanceCount: minScale, maxInstanceCount: maxScale });
  if (violations.length > 0) {
    const first = violations[0] as FieldViolation;
    throw SimError.invalidArgument(`${first.field}: ${first.description}`, violations);
  }
  return dropUndefined(service);
}

function templateFromV1(template: Json, previous: Json, violations: FieldViolation[]): Json {
  const metadata = asObject(template.metadata);
  const annotations = strings(metadata.annotations);
  const spec = asObject(template.spec);
  const at = (key: string) => `spec.template.metadata.annotations[${key}]`;
  const minScale = integer(annotations[V1.minScale], at(V1.minScale), violations);
  const maxScale = integer(annotations[V1.maxScale], at(V1.maxScale), violations);
  const connector = annotations[V1.connector];
  const egress = enumValue(EGRESS, annotations[V1.egress], at(V1.egress), violations);
  const instances = (annotations[V1.cloudSql] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const cpuIdle = annotations[V1.cpuThrottling] !== "false";
  const boost = annotations[V1.startupCpuBoost] === "true";
  const volumes = [
    ...asList(spec.volumes).map(volumeFromV1),
    ...(instances.length > 0 ? [{ name: CLOUD_SQL_VOLUME, cloudSqlInstance: { instances } }] : []),
  ];
  const containers = asList(spec.containers).map((container, i) =>
    containerFromV1(container, i === 0, { cpuIdle, boost, cloudSql: instances.length > 0 }),
  );
  const timeout = spec.timeoutSeconds;
  const kept = Object.fromEntries(V2_ONLY_TEMPLATE_FIELDS.filter((k) => k in previous).map((k) => [k, previous[k]]));
  return dropUndefined({
    ...kept,
    revision: metadata.name,
    labels: userKeys(strings(metadata.labels)),
    annotations: userKeys(annotations),
    scaling:
      minScale === undefined && maxScale === undefined
        ? undefined
        : dropUndefined({ minInstanceCount: minScale, maxInstanceCount: maxScale }),
    vpcAccess: connector ? dropUndefined({ connector, egress }) : undefined,
    timeout: timeout === undefined ? undefined : `${Number(timeout)}s`,
    serviceAccount: spec.serviceAccountName,
    containers,
    volumes: volumes.length > 0 ? volumes : undefined,
    executionEnvironment: enumValue(
      EXECUTION_ENVIRONMENT,
      annotations[V1.executionEnvironment],
      at(V1.executionEnvironment),
      violations,
    ),
    encryptionKey: annotations[V1.encryptionKey],
    sessionAffinity: annotations[V1.sessionAffinity] === "true" ? true : undefined,
    maxInstanceRequestConcurrency: spec.containerConcurrency,
  });
}

function containerFromV1(
  container: Json,
  serving: boolean,
  options: { cpuIdle: boolean; boost: boolean; cloudSql: boolean },
): Json {
  const resources = asObject(container.resources);
  const mounts = asList(container.volumeMounts);
  if (serving && options.cloudSql) mounts.push({ name: CLOUD_SQL_VOLUME, mountPath: CLOUD_SQL_MOUNT_PATH });
  return dropUndefined({
    name: container.name,
    image: container.image,
    command: container.command,
    args: container.args,
    workingDir: container.workingDir,
    env: container.env === undefined ? undefined : asList(container.env).map(envFromV1),
    resources: serving
      ? dropUndefined({
          limits: resources.limits,
          cpuIdle: options.cpuIdle ? true : undefined,
          startupCpuBoost: options.boost ? true : undefined,
        })
      : resources.limits === undefined
        ? undefined
        : { limits: resources.limits },
    // v1's ContainerPort also has `protocol`, which v2 lacks.
    ports:
      container.ports === undefined
        ? undefined
        : asList(container.ports).map((port) => dropUndefined({ name: port.name, containerPort: port.containerPort })),
    volumeMounts: mounts.length > 0 ? mounts : undefined,
    startupProbe: container.startupProbe,
    livenessProbe: container.livenessProbe,
  });
}

function envFromV1(env: Json): Json {
  const secret = asObject(asObject(env.valueFrom).secretKeyRef);
  if (secret.name === undefined) return { name: env.name, value: env.value ?? "" };
  return { name: env.name, valueSource: { secretKeyRef: { secret: secret.name, version: secret.key ?? "latest" } } };
}

function volumeFromV1(volume: Json): Json {
  const secret = asObject(volume.secret);
  if (secret.secretName !== undefined) {
    return { name: volume.name, secret: dropUndefined({ secret: secret.secretName, items: secret.items }) };
  }
  return volume;
}

function trafficFromV1(target: Json): Json {
  return dropUndefined({
    type:
      target.latestRevision === true
        ? "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
        : "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION",
    revision: target.latestRevision === true ? undefined : target.revisionName,
    percent: target.percent,
    tag: target.tag,
  });
}

function dropUndefined(object: Json): Json {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}
