// The Cloud Run Admin API v1 (Knative-style) annotations that carry what v2 has fields for, with their
// values. Sources: the v1 REST reference (https://cloud.google.com/run/docs/reference/rest/v1/namespaces.services),
// the YAML reference (https://cloud.google.com/run/docs/reference/yaml/v1), and the constants of Google's
// own client that writes them (gcloud: googlecloudsdk/api_lib/run/{container_resource,service,revision}.py).

import { SYSTEM_PREFIXES } from "../google-facts.ts";

export const V1 = {
  // Service metadata.
  location: "cloud.googleapis.com/location",
  ingress: "run.googleapis.com/ingress",
  ingressStatus: "run.googleapis.com/ingress-status",
  launchStage: "run.googleapis.com/launch-stage",
  clientName: "run.googleapis.com/client-name",
  clientVersion: "run.googleapis.com/client-version",
  creator: "serving.knative.dev/creator",
  lastModifier: "serving.knative.dev/lastModifier",
  serviceMinScale: "run.googleapis.com/minScale",
  serviceMaxScale: "run.googleapis.com/maxScale",
  // Revision template metadata.
  minScale: "autoscaling.knative.dev/minScale",
  maxScale: "autoscaling.knative.dev/maxScale",
  connector: "run.googleapis.com/vpc-access-connector",
  egress: "run.googleapis.com/vpc-access-egress",
  cloudSql: "run.googleapis.com/cloudsql-instances",
  executionEnvironment: "run.googleapis.com/execution-environment",
  cpuThrottling: "run.googleapis.com/cpu-throttling",
  startupCpuBoost: "run.googleapis.com/startup-cpu-boost",
  sessionAffinity: "run.googleapis.com/sessionAffinity",
  encryptionKey: "run.googleapis.com/encryption-key",
} as const;

/** Prefixes of annotations and labels that are Google's, not the user's (v2 rejects them), in google-facts.ts. */
export { SYSTEM_PREFIXES };

/** Ingress annotation values (gcloud service.py INGRESS_*) and the v2 enum (google/cloud/run/v2/vendor_settings.proto). */
export const INGRESS: Record<string, string> = {
  all: "INGRESS_TRAFFIC_ALL",
  internal: "INGRESS_TRAFFIC_INTERNAL_ONLY",
  "internal-and-cloud-load-balancing": "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
  none: "INGRESS_TRAFFIC_NONE",
};

/** Egress annotation values (gcloud container_resource.py EGRESS_SETTINGS_*) and VpcAccess.VpcEgress. */
export const EGRESS: Record<string, string> = {
  "all-traffic": "ALL_TRAFFIC",
  all: "ALL_TRAFFIC",
  "private-ranges-only": "PRIVATE_RANGES_ONLY",
};

export const EXECUTION_ENVIRONMENT: Record<string, string> = {
  gen1: "EXECUTION_ENVIRONMENT_GEN1",
  gen2: "EXECUTION_ENVIRONMENT_GEN2",
};

export function isSystemKey(key: string): boolean {
  return SYSTEM_PREFIXES.some((prefix) => key.startsWith(prefix));
}

/** The key of `table` whose value is `value` (the v1 spelling of a v2 enum), if any. */
export function v1Spelling(table: Record<string, string>, value: unknown): string | undefined {
  return Object.entries(table).find(([, v2]) => v2 === value)?.[0];
}

/**
 * Cloud SQL in v2 is a volume plus a mount at /cloudsql; v1 has only the annotation. Google's name for the
 * volume it makes from the annotation is not recorded; "cloudsql" is the name its docs use in examples
 * (https://cloud.google.com/sql/docs/mysql/connect-run).
 */
export const CLOUD_SQL_VOLUME = "cloudsql";
export const CLOUD_SQL_MOUNT_PATH = "/cloudsql";
