// Cloud Run v1 configured most settings through annotations; v2 rejects those annotations and has a field for
// each. Manifests written for v1 keep working: the annotations driftguard understands become the v2 fields,
// and any other system annotation is refused with a pointer to its replacement instead of failing in Google.

import { CONNECTOR_NAME_PATTERN } from "../../api/common.ts";
import { CONNECTOR_FULL_NAME_PATTERN, type CloudRunServiceConfigSpec } from "../../api/cloudrun.ts";
import { CLOUD_SQL_INSTANCE_PATTERN } from "../../api/database.ts";
import { ConfigError } from "./fields.ts";

/** The v2 settings carried by v1-style annotations, and the annotations to send as they are. */
export interface AnnotationSettings {
  /** User annotations, set on the v2 Service unchanged. */
  annotations: Record<string, string>;
  /** Full connector name "projects/P/locations/R/connectors/N". */
  connector?: string;
  egress?: "ALL_TRAFFIC" | "PRIVATE_RANGES_ONLY";
  /** Cloud SQL connection names "project:region:instance". */
  cloudSqlInstances?: string[];
  minInstances?: number;
  maxInstances?: number;
  startupCpuBoost?: boolean;
  cpuIdle?: boolean;
}

export const ANNOTATION = {
  connector: "run.googleapis.com/vpc-access-connector",
  egress: "run.googleapis.com/vpc-access-egress",
  cloudSql: "run.googleapis.com/cloudsql-instances",
  minScale: "autoscaling.knative.dev/minScale",
  maxScale: "autoscaling.knative.dev/maxScale",
  startupCpuBoost: "run.googleapis.com/startup-cpu-boost",
  cpuThrottling: "run.googleapis.com/cpu-throttling",
} as const;

// Namespaces Cloud Run v2 rejects in annotations (see RevisionTemplate.annotations in the v2 protos).
const SYSTEM_PREFIXES = [
  "run.googleapis.com/",
  "cloud.googleapis.com/",
  "serving.knative.dev/",
  "autoscaling.knative.dev/",
];

// Well-known v1 annotations whose v2 field driftguard does not manage: say where the setting lives now.
const UNMANAGED_REPLACEMENTS: Readonly<Record<string, string>> = {
  "run.googleapis.com/ingress": "Service.ingress",
  "run.googleapis.com/ingress-status": "Service.ingress",
  "run.googleapis.com/execution-environment": "template.executionEnvironment",
  "run.googleapis.com/launch-stage": "Service.launchStage",
  "run.googleapis.com/binary-authorization": "Service.binaryAuthorization",
  "run.googleapis.com/network-interfaces": "template.vpcAccess.networkInterfaces (Direct VPC egress)",
  "run.googleapis.com/secrets": "env valueSource.secretKeyRef or secret volumes",
  "run.googleapis.com/sessionAffinity": "template.sessionAffinity",
  "run.googleapis.com/encryption-key": "template.encryptionKey",
  "run.googleapis.com/container-dependencies": "containers[].dependsOn",
  "run.googleapis.com/client-name": "Service.client",
  "run.googleapis.com/default-url-disabled": "Service.defaultUriDisabled",
  "run.googleapis.com/invoker-iam-disabled": "Service.invokerIamDisabled",
  "autoscaling.knative.dev/target": "template.maxInstanceRequestConcurrency",
};

/** Splits spec.annotations into v2 settings and plain annotations; throws a ConfigError naming the annotation. */
export function translateAnnotations(spec: CloudRunServiceConfigSpec): AnnotationSettings {
  const settings: AnnotationSettings = { annotations: {} };
  for (const [key, value] of Object.entries(spec.annotations ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const field = `spec.annotations["${key}"]`;
    switch (key) {
      case ANNOTATION.connector:
        settings.connector = connectorFullName(value, spec.service, field);
        break;
      case ANNOTATION.egress:
        settings.egress = parseEgress(value, field);
        break;
      case ANNOTATION.cloudSql:
        settings.cloudSqlInstances = parseInstances(value, spec.service, field);
        break;
      case ANNOTATION.minScale:
        settings.minInstances = parseCount(value, 0, field);
        break;
      case ANNOTATION.maxScale:
        settings.maxInstances = parseCount(value, 1, field);
        break;
      case ANNOTATION.startupCpuBoost:
        settings.startupCpuBoost = parseBoolean(value, field);
        break;
      case ANNOTATION.cpuThrottling:
        // Throttled CPU is v2's cpuIdle: CPU only while a request is being served.
        settings.cpuIdle = parseBoolean(value, field);
        break;
      default:
        if (SYSTEM_PREFIXES.some((prefix) => key.startsWith(prefix))) throw unsupported(key, field);
        settings.annotations[key] = value;
    }
  }
  checkConflicts(spec, settings);
  return settings;
}

/** "projects/P/locations/R/connectors/N" from a short connector name (in the service's project and region). */
export function connectorFullName(name: string, service: { project: string; region: string }, field: string): string {
  if (CONNECTOR_FULL_NAME_PATTERN.test(name)) return name;
  if (CONNECTOR_NAME_PATTERN.test(name)) {
    return `projects/${service.project}/locations/${service.region}/connectors/${name}`;
  }
  throw new ConfigError(
    field,
    `"${name}" is not a connector name: expected a short name such as "staging-connector" or ` +
      `"projects/PROJECT/locations/REGION/connectors/NAME"`,
  );
}

function unsupported(key: string, field: string): ConfigError {
  const replacement = UNMANAGED_REPLACEMENTS[key];
  const supported = Object.values(ANNOTATION).join(", ");
  if (replacement !== undefined) {
    return new ConfigError(
      field,
      `Cloud Run v2 rejects this v1 annotation; its setting is now ${replacement}, which driftguard does not ` +
        `manage: set it with gcloud or the console and remove the annotation`,
    );
  }
  return new ConfigError(
    field,
    `Cloud Run v2 rejects annotations in the ${key.slice(0, key.indexOf("/") + 1)} namespace; remove it ` +
      `(driftguard translates only ${supported} to their v2 fields)`,
  );
}

function parseEgress(value: string, field: string): "ALL_TRAFFIC" | "PRIVATE_RANGES_ONLY" {
  if (value === "all-traffic") return "ALL_TRAFFIC";
  if (value === "private-ranges-only") return "PRIVATE_RANGES_ONLY";
  throw new ConfigError(field, `"${value}" is not an egress setting: expected "all-traffic" or "private-ranges-only"`);
}

function parseInstances(value: string, service: { project: string; region: string }, field: string): string[] {
  const names = value.split(",").map((name) => name.trim());
  return names.map((name) => {
    // Like gcloud, a bare instance name means an instance in the service's own project and region.
    const full = name.includes(":") ? name : `${service.project}:${service.region}:${name}`;
    if (!CLOUD_SQL_INSTANCE_PATTERN.test(full)) {
      throw new ConfigError(
        field,
        `"${name}" is not a Cloud SQL instance: expected comma-separated connection names "project:region:instance"`,
      );
    }
    return full;
  });
}

function parseCount(value: string, min: number, field: string): number {
  if (!/^[0-9]+$/.test(value) || Number(value) < min) {
    throw new ConfigError(field, `"${value}" is not an instance count: expected a whole number of at least ${min}`);
  }
  return Number(value);
}

function parseBoolean(value: string, field: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw new ConfigError(field, `"${value}" is not a boolean: expected "true" or "false"`);
}

type Setting = string | number | undefined;

// Declaring one setting twice is only harmless while both say the same; otherwise neither may silently win.
function checkConflicts(spec: CloudRunServiceConfigSpec, settings: AnnotationSettings): void {
  const annotation = (key: string) => `spec.annotations["${key}"]`;
  const conflict = (key: string, explicit: string, detail: string) =>
    new ConfigError(annotation(key), `conflicts with ${explicit} (${detail}); declare the setting in one place`);

  if (settings.connector !== undefined && spec.vpcAccess?.connectorRef !== undefined) {
    throw conflict(
      ANNOTATION.connector,
      "spec.vpcAccess.connectorRef",
      `"${settings.connector}" vs connectorRef ${spec.vpcAccess.connectorRef.name}`,
    );
  }
  const pairs: [key: string, fromAnnotation: Setting, explicit: string, declared: Setting][] = [
    [ANNOTATION.connector, settings.connector, "spec.vpcAccess.connector", spec.vpcAccess?.connector],
    [ANNOTATION.egress, settings.egress, "spec.vpcAccess.egress", spec.vpcAccess?.egress],
    [ANNOTATION.minScale, settings.minInstances, "spec.scaling.minInstances", spec.scaling?.minInstances],
    [ANNOTATION.maxScale, settings.maxInstances, "spec.scaling.maxInstances", spec.scaling?.maxInstances],
  ];
  for (const [key, fromAnnotation, explicit, declared] of pairs) {
    if (fromAnnotation !== undefined && declared !== undefined && fromAnnotation !== declared) {
      throw conflict(key, explicit, `${String(fromAnnotation)} vs ${String(declared)}`);
    }
  }
  const database = spec.database?.cloudSqlInstance;
  const instances = settings.cloudSqlInstances;
  if (database !== undefined && instances !== undefined && (instances.length !== 1 || instances[0] !== database)) {
    throw conflict(ANNOTATION.cloudSql, "spec.database.cloudSqlInstance", `${instances.join(",")} vs ${database}`);
  }
  if (settings.minInstances === undefined && settings.maxInstances === undefined) return;
  const min = spec.scaling?.minInstances ?? settings.minInstances;
  const max = spec.scaling?.maxInstances ?? settings.maxInstances;
  if (min !== undefined && max !== undefined && min > max) {
    throw new ConfigError(
      annotation(settings.minInstances !== undefined ? ANNOTATION.minScale : ANNOTATION.maxScale),
      `minimum instances ${min} exceed maximum instances ${max}`,
    );
  }
}
