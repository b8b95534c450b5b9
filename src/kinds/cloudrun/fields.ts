// The owned-field model shared by render, diff and update. The desired state of a Cloud Run service is a flat
// list of fields, each naming exactly where it lives in the v2 Service and the declared value as text. Diff
// reads each target from the live service, update writes each target into a copy of it; nothing else is
// ever read for comparison or written.

/** Revision-template fields that hold one scalar value. */
export type TemplateField =
  "timeout" | "scaling.minInstanceCount" | "scaling.maxInstanceCount" | "vpcAccess.connector" | "vpcAccess.egress";

/** Fields of the managed container that hold one scalar value. */
export type ContainerField =
  | "resources.limits.cpu"
  | "resources.limits.memory"
  | "resources.cpuIdle"
  | "resources.startupCpuBoost"
  | "startupProbe.type"
  | "startupProbe.initialDelaySeconds"
  | "startupProbe.timeoutSeconds"
  | "startupProbe.periodSeconds"
  | "startupProbe.failureThreshold"
  | "startupProbe.httpGet.path"
  | "startupProbe.httpGet.port"
  | "startupProbe.tcpSocket.port";

/** Where an owned value lives in a v2 Service. Env vars, volumes and mounts are matched by name, never index. */
export type FieldTarget =
  | { scope: "labels"; key: string }
  | { scope: "annotations"; key: string }
  | { scope: "template"; field: TemplateField }
  | { scope: "container"; field: ContainerField }
  | { scope: "env"; name: string }
  | { scope: "cloudSqlVolume"; volume: string }
  | { scope: "volumeMount"; volume: string };

/**
 * One owned field and its declared value as text: durations as "600s", quantities as declared ("1000m",
 * "4Gi"), integers and booleans in decimal/"true"/"false", Cloud SQL instance lists joined with ",".
 */
export interface OwnedField {
  /** Human-readable v2 path, e.g. "template.containers[backend].env.DB_POOL_SIZE". */
  path: string;
  /** The spec field the value comes from, e.g. "database.pool.size" or `annotations["autoscaling.knative.dev/maxScale"]`. */
  source: string;
  target: FieldTarget;
  value: string;
}

/** Everything the controller owns on one service: the fields, and which container they apply to. */
export interface DesiredService {
  /** The container the container-level fields belong to; the first container when undefined. */
  container?: string;
  fields: OwnedField[];
}

/** The Cloud SQL volume (and its mount) the database profile is attached through, as `gcloud` names it. */
export const CLOUD_SQL_VOLUME = "cloudsql";
/** Cloud Run only accepts this mount path for Cloud SQL volumes. */
export const CLOUD_SQL_MOUNT_PATH = "/cloudsql";

/** How a field is named in diffs, status and events: its spec source, and the v2 path when that differs. */
export function describeField(field: Pick<OwnedField, "path" | "source">): string {
  return field.source === field.path ? field.path : `${field.source} (${field.path})`;
}

/** The human-readable v2 path of a target; the container is shown by name, or as [0] for "the first". */
export function fieldPath(target: FieldTarget, container: string | undefined): string {
  const inContainer = `template.containers[${container ?? "0"}]`;
  switch (target.scope) {
    case "labels":
    case "annotations":
      return `${target.scope}.${target.key}`;
    case "template":
      return `template.${target.field}`;
    case "container":
      return `${inContainer}.${target.field}`;
    case "env":
      return `${inContainer}.env.${target.name}`;
    case "cloudSqlVolume":
      return `template.volumes[${target.volume}].cloudSqlInstance.instances`;
    case "volumeMount":
      return `${inContainer}.volumeMounts[${target.volume}].mountPath`;
  }
}

/** A problem the user must fix in the spec (or between the spec and the live service); names the spec field. */
export class ConfigError extends Error {
  readonly field: string;

  constructor(field: string, message: string, options?: ErrorOptions) {
    super(`${field}: ${message}`, options);
    this.name = "ConfigError";
    this.field = field;
  }
}
