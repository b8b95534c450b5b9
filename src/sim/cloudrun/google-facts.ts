// What the simulator knows about Cloud Run, in one place, each fact with where it comes from. Nothing here
// is shared with the controller: it states Google's behaviour from Google's own sources, so a test that
// compares the two sides can catch the controller being wrong.

import { GiB } from "./quantities.ts";

// --- Server-side defaults -------------------------------------------------------------------------------------
// The defaults Google filled in for a service created with only an image, env and maxInstanceCount
// (recording: test/fixtures/google-recordings/cloudrun-v2-runservicebasic, interaction 1): timeout,
// concurrency, CPU, memory, port, startup probe, cpuIdle. Quantities are kept as written (cpu "1000m").
export const DEFAULT_TIMEOUT = "300s";
export const DEFAULT_MAX_INSTANCES = 100;
export const DEFAULT_CONCURRENCY = 80;
/**
 * "If you use less than 1 CPU ... Maximum concurrency must be set to 1"
 * (https://cloud.google.com/run/docs/configuring/cpu), so that is the default below one CPU.
 */
export const FRACTIONAL_CPU_CONCURRENCY = 1;
export const DEFAULT_CPU = "1000m";
export const DEFAULT_MEMORY = "512Mi";
export const DEFAULT_PORT = 8080;
export const LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST";

/** Google keeps a deleted service's name for 30 days: expireTime - deleteTime in the recording's interaction 11. */
export const DELETED_SERVICE_RETENTION_MS = 30 * 24 * 3600 * 1000;

// --- Keys the caller may not set --------------------------------------------------------------------------------
/**
 * "Cloud Run API v2 does not support labels with run.googleapis.com, cloud.googleapis.com, serving.knative.dev,
 * or autoscaling.knative.dev namespaces" (and the same for annotations), Service.labels / Service.annotations in
 * https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.services.
 */
export const SYSTEM_PREFIXES = [
  "run.googleapis.com/",
  "autoscaling.knative.dev/",
  "serving.knative.dev/",
  "cloud.googleapis.com/",
];
/**
 * gcloud's `run services update|deploy` (Admin API v1) writes client.knative.dev/nonce on every revision
 * template, and Google accepts it: the Knative client's own labels are not held to the user-label syntax.
 */
export const CLIENT_LABEL_PREFIX = "client.knative.dev/";
/** "The following environment variables are reserved": https://cloud.google.com/run/docs/container-contract#env-vars */
export const RESERVED_ENV = new Set(["PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"]);

// --- CPU and memory ------------------------------------------------------------------------------------------------
// https://cloud.google.com/run/docs/configuring/services/cpu: 1, 2, 4, 6 or 8 vCPU (or a fraction below 1);
// 4 vCPU need at least 2 GiB, 6 and 8 vCPU at least 4 GiB. https://cloud.google.com/run/docs/configuring/services/
// memory-limits: more than 4 GiB needs at least 2 vCPU, more than 8 GiB 4, more than 16 GiB 6, more than 24 GiB 8.
export const WHOLE_CPUS = new Set([1, 2, 4, 6, 8]);
/** Minimum memory for a CPU count. */
export const MIN_MEMORY_FOR_CPU: Array<[cpu: number, memory: number]> = [
  [8, 4 * GiB],
  [6, 4 * GiB],
  [4, 2 * GiB],
];
/** The minimum CPU count for memory above a threshold. */
export const MIN_CPU_FOR_MEMORY: Array<[memory: number, cpu: number]> = [
  [24 * GiB, 8],
  [16 * GiB, 6],
  [8 * GiB, 4],
  [4 * GiB, 2],
];

// --- Probes ------------------------------------------------------------------------------------------------------
/**
 * https://cloud.google.com/run/docs/configuring/healthchecks: a startup probe's periodSeconds and
 * initialDelaySeconds are at most 240, a liveness probe's at most 3600; timeoutSeconds cannot exceed
 * periodSeconds.
 */
export const PROBE_LIMITS = {
  startupProbe: { period: 240, initialDelay: 240 },
  livenessProbe: { period: 3600, initialDelay: 3600 },
} as const;

// --- Labels, environment, annotations ---------------------------------------------------------------------------
// Labels: https://cloud.google.com/resource-manager/docs/labels-overview#requirements ("Keys have a minimum
// length of 1 character and a maximum length of 63 characters ... Keys and values can contain only lowercase
// letters, numeric characters, underscores, and dashes. All characters must use UTF-8 encoding, and international
// characters are allowed. Keys must start with a lowercase letter or international character."; at most 64 labels
// per resource). Google's APIs state the same as [\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62} for keys and
// [\p{Ll}\p{Lo}\p{N}_-]{0,63} for values, at most 128 bytes each.
export const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
export const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
export const MAX_LABELS = 64;
export const MAX_LABEL_BYTES = 128;
// Environment: google/cloud/run/v2/k8s.min.proto, EnvVar.value: "the maximum length is 32768 bytes";
// https://cloud.google.com/run/docs/configuring/services/environment-variables: "a maximum of 1000 environment
// variables per container". Google's handling of a NUL character in a value is not documented; a process
// environment cannot carry one, so the stricter reading (refused) is taken.
export const MAX_ENV_VARS = 1000;
export const MAX_ENV_VALUE_BYTES = 32768;
// Annotations: google/cloud/run/v2/service.proto, Service.annotations: "This field follows Kubernetes
// annotations' namespacing, limits, and rules": qualified-name keys and at most 256 KiB of keys and values
// together (k8s.io/apimachinery/pkg/api/validation ValidateAnnotations, TotalAnnotationSizeLimitB).
export const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
export const MAX_PREFIX = 253;
export const MAX_ANNOTATION_BYTES = 256 * 1024;
