// A stored v2 Service as the Cloud Run Admin API v1 shows it: a Knative serving.knative.dev/v1 Service
// (https://cloud.google.com/run/docs/reference/rest/v1/namespaces.services#Service), with the v2 fields that
// v1 has no field for carried in annotations (annotations.ts).

import type { JsonObject } from "../../core/module.ts";
import { parseServiceName, projectNumberOf } from "../shape.ts";
import { revisionId } from "../status.ts";
import { CLOUD_SQL_VOLUME, EGRESS, EXECUTION_ENVIRONMENT, INGRESS, V1, v1Spelling } from "./annotations.ts";

type Json = JsonObject;

const asObject = (value: unknown): Json =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
const asList = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

/** The v1 concurrency token: the v2 etag without its quotes, so a write through either API invalidates both. */
export function resourceVersionOf(service: Json): string {
  return text(service.etag).replace(/^"|"$/g, "");
}

export function toV1Service(service: Json): Json {
  const { project, location, id } = parseServiceName(String(service.name));
  const number = projectNumberOf(project);
  const annotations: Record<string, string> = { ...(asObject(service.annotations) as Record<string, string>) };
  const set = (key: string, value: unknown) => {
    if (text(value) !== "") annotations[key] = text(value);
  };
  set(V1.creator, service.creator);
  set(V1.lastModifier, service.lastModifier);
  set(V1.ingress, v1Spelling(INGRESS, service.ingress));
  set(V1.ingressStatus, v1Spelling(INGRESS, service.ingress));
  if (service.launchStage !== undefined && service.launchStage !== "GA") set(V1.launchStage, service.launchStage);
  set(V1.clientName, service.client);
  set(V1.clientVersion, service.clientVersion);
  const scaling = asObject(service.scaling);
  set(V1.serviceMinScale, scaling.minInstanceCount);
  set(V1.serviceMaxScale, scaling.maxInstanceCount);
  return {
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    metadata: {
      name: id,
      // Google answers with the project number as namespace, whatever the caller used.
      namespace: number,
      selfLink: `/apis/serving.knative.dev/v1/namespaces/${number}/services/${id}`,
      uid: service.uid,
      resourceVersion: resourceVersionOf(service),
      generation: Number(service.generation ?? 0),
      creationTimestamp: service.createTime,
      labels: { ...(asObject(service.labels) as Record<string, string>), [V1.location]: location },
      annotations,
    },
    spec: {
      template: templateToV1(asObject(service.template)),
      traffic: asList(service.traffic).map(trafficToV1),
    },
    status: statusToV1(service),
  };
}

function templateToV1(template: Json): Json {
  const annotations: Record<string, string> = { ...(asObject(template.annotations) as Record<string, string>) };
  const set = (key: string, value: unknown) => {
    if (text(value) !== "") annotations[key] = text(value);
  };
  const scaling = asObject(template.scaling);
  if (Number(scaling.minInstanceCount ?? 0) > 0) set(V1.minScale, scaling.minInstanceCount);
  set(V1.maxScale, scaling.maxInstanceCount);
  const vpcAccess = asObject(template.vpcAccess);
  set(V1.connector, vpcAccess.connector);
  if (vpcAccess.connector) set(V1.egress, v1Spelling(EGRESS, vpcAccess.egress));
  const volumes = asList(template.volumes);
  const sql = volumes.flatMap((volume) => asList(asObject(volume.cloudSqlInstance).instances) as unknown[]);
  if (sql.length > 0) set(V1.cloudSql, sql.join(","));
  set(V1.executionEnvironment, v1Spelling(EXECUTION_ENVIRONMENT, template.executionEnvironment));
  set(V1.encryptionKey, template.encryptionKey);
  if (template.sessionAffinity === true) set(V1.sessionAffinity, "true");
  const containers = asList(template.containers);
  const serving = asObject(containers[0]?.resources);
  // cpuIdle true (CPU only during requests) is v1's default, throttled CPU; anything else is "false".
  if (containers.length > 0 && serving.cpuIdle !== true) set(V1.cpuThrottling, "false");
  if (serving.startupCpuBoost === true) set(V1.startupCpuBoost, "true");
  const spec: Json = {
    containerConcurrency: template.maxInstanceRequestConcurrency,
    timeoutSeconds: template.timeout === undefined ? undefined : parseInt(text(template.timeout), 10),
    serviceAccountName: template.serviceAccount,
    containers: containers.map(containerToV1),
  };
  const otherVolumes = volumes.filter((volume) => volume.cloudSqlInstance === undefined).map(volumeToV1);
  if (otherVolumes.length > 0) spec.volumes = otherVolumes;
  return {
    metadata: {
      ...(template.revision ? { name: template.revision } : {}),
      ...(template.labels ? { labels: template.labels } : {}),
      annotations,
    },
    spec: dropUndefined(spec),
  };
}

function containerToV1(container: Json): Json {
  const resources = asObject(container.resources);
  return dropUndefined({
    name: container.name,
    image: container.image,
    command: container.command,
    args: container.args,
    workingDir: container.workingDir,
    env: container.env === undefined ? undefined : asList(container.env).map(envToV1),
    resources: resources.limits === undefined ? undefined : { limits: resources.limits },
    ports: container.ports,
    volumeMounts: nonEmpty(asList(container.volumeMounts).filter((mount) => mount.name !== CLOUD_SQL_VOLUME)),
    startupProbe: container.startupProbe,
    livenessProbe: container.livenessProbe,
  });
}

function envToV1(env: Json): Json {
  const secret = asObject(asObject(env.valueSource).secretKeyRef);
  if (secret.secret === undefined) return { name: env.name, value: env.value ?? "" };
  return { name: env.name, valueFrom: { secretKeyRef: { name: secret.secret, key: secret.version ?? "latest" } } };
}

function volumeToV1(volume: Json): Json {
  const secret = asObject(volume.secret);
  if (secret.secret !== undefined) {
    return { name: volume.name, secret: dropUndefined({ secretName: secret.secret, items: secret.items }) };
  }
  return volume;
}

function trafficToV1(target: Json): Json {
  return dropUndefined({
    percent: target.percent ?? 0,
    ...(target.type === "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST" ? { latestRevision: true } : {}),
    revisionName: target.revision,
    tag: target.tag,
  });
}

/** v2 condition states as Knative statuses: decided "True"/"False", anything in progress "Unknown". */
function conditionStatus(state: unknown): string {
  if (state === "CONDITION_SUCCEEDED") return "True";
  if (state === "CONDITION_FAILED") return "False";
  return "Unknown";
}

function conditionToV1(type: string, condition: Json): Json {
  return dropUndefined({
    type,
    status: conditionStatus(condition.state),
    reason: condition.reason,
    message: condition.message,
    lastTransitionTime: condition.lastTransitionTime,
  });
}

function statusToV1(service: Json): Json {
  const terminal = asObject(service.terminalCondition);
  const others = asList(service.conditions).map((c) => conditionToV1(String(c.type), c));
  const latestReady = revisionId(service.latestReadyRevision);
  const latestCreated = revisionId(service.latestCreatedRevision);
  return dropUndefined({
    observedGeneration: service.observedGeneration === undefined ? undefined : Number(service.observedGeneration),
    conditions: [conditionToV1("Ready", terminal), ...others],
    latestReadyRevisionName: latestReady || undefined,
    latestCreatedRevisionName: latestCreated || undefined,
    traffic: nonEmpty(
      asList(service.trafficStatuses).map((target) =>
        dropUndefined({
          revisionName: target.revision ?? (latestReady || undefined),
          percent: target.percent ?? 0,
          ...(target.type === "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST" ? { latestRevision: true } : {}),
          tag: target.tag,
        }),
      ),
    ),
    url: service.uri,
    address: service.uri === undefined ? undefined : { url: service.uri },
  });
}

function nonEmpty(list: Json[]): Json[] | undefined {
  return list.length > 0 ? list : undefined;
}

function dropUndefined(object: Json): Json {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/** Scalars as annotation text; anything else (absent, objects) as "". */
function text(value: unknown): string {
  return typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : "";
}
