// Size and character limits Google documents for labels and environment variables of a Cloud Run service.
//
// Labels: https://cloud.google.com/resource-manager/docs/labels-overview#requirements ("Keys have a minimum
// length of 1 character and a maximum length of 63 characters ... Keys and values can contain only lowercase
// letters, numeric characters, underscores, and dashes. All characters must use UTF-8 encoding, and international
// characters are allowed. Keys must start with a lowercase letter or international character."; at most 64 labels
// per resource). Google's APIs state the same as [\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62} for keys and
// [\p{Ll}\p{Lo}\p{N}_-]{0,63} for values, at most 128 bytes each.
// Environment: google/cloud/run/v2/k8s.min.proto, EnvVar.value: "the maximum length is 32768 bytes";
// https://cloud.google.com/run/docs/configuring/services/environment-variables: "a maximum of 1000 environment
// variables per container". Google's handling of a NUL character in a value is not documented; a process
// environment cannot carry one, so the stricter reading (refused) is taken.
// Annotations: google/cloud/run/v2/service.proto, Service.annotations: "This field follows Kubernetes
// annotations' namespacing, limits, and rules": qualified-name keys and at most 256 KiB of keys and values
// together (k8s.io/apimachinery/pkg/api/validation ValidateAnnotations, TotalAnnotationSizeLimitB).
// The exact wording of Google's messages for these is not recorded; the field paths follow the other violations.

import type { FieldViolation } from "../core/errors.ts";
import type { JsonObject } from "../core/module.ts";

const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
const MAX_LABELS = 64;
const MAX_LABEL_BYTES = 128;
const MAX_ENV_VARS = 1000;
const MAX_ENV_VALUE_BYTES = 32768;

const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const MAX_PREFIX = 253;
const MAX_ANNOTATION_BYTES = 256 * 1024;

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

/** Kubernetes' rules for one annotations map. */
export function checkAnnotations(map: unknown, field: string, out: FieldViolation[]): void {
  const annotations = map !== null && typeof map === "object" ? (map as Record<string, unknown>) : {};
  let total = 0;
  for (const [key, value] of Object.entries(annotations)) {
    total += bytes(key) + (typeof value === "string" ? bytes(value) : 0);
    const slash = key.indexOf("/");
    if (!QUALIFIED_NAME.test(key) || slash > MAX_PREFIX) {
      out.push({ field: `${field}[${key}]`, description: "annotation keys must be Kubernetes qualified names." });
    }
  }
  if (total > MAX_ANNOTATION_BYTES) {
    out.push({ field, description: `annotations must total at most ${MAX_ANNOTATION_BYTES} bytes, got ${total}.` });
  }
}

/** Label violations of one labels map; keys in `skip` (system labels, reported elsewhere) are left out. */
export function checkLabels(map: unknown, field: string, skip: (key: string) => boolean, out: FieldViolation[]): void {
  const labels = map !== null && typeof map === "object" ? (map as Record<string, unknown>) : {};
  const keys = Object.keys(labels);
  if (keys.length > MAX_LABELS) {
    out.push({ field, description: `at most ${MAX_LABELS} labels are allowed, got ${keys.length}.` });
  }
  for (const key of keys) {
    if (skip(key)) continue;
    const value = typeof labels[key] === "string" ? labels[key] : "";
    if (!LABEL_KEY.test(key) || bytes(key) > MAX_LABEL_BYTES) {
      out.push({
        field: `${field}[${key}]`,
        description:
          "label keys must be 1-63 characters of lowercase letters, digits, '_' or '-', starting with a lowercase letter.",
      });
    } else if (!LABEL_VALUE.test(value) || bytes(value) > MAX_LABEL_BYTES) {
      out.push({
        field: `${field}[${key}]`,
        description: "label values must be at most 63 characters of lowercase letters, digits, '_' or '-'.",
      });
    }
  }
}

/** Count and size limits of one container's env list. */
export function checkEnvLimits(env: JsonObject[], field: string, out: FieldViolation[]): void {
  if (env.length > MAX_ENV_VARS) {
    out.push({ field, description: `at most ${MAX_ENV_VARS} environment variables are allowed, got ${env.length}.` });
  }
  env.forEach((variable, i) => {
    if (typeof variable.value !== "string") return;
    if (bytes(variable.value) > MAX_ENV_VALUE_BYTES) {
      out.push({ field: `${field}[${i}].value`, description: `must not exceed ${MAX_ENV_VALUE_BYTES} bytes.` });
    }
    if (variable.value.includes("\u0000")) {
      out.push({ field: `${field}[${i}].value`, description: "must not contain a NUL character." });
    }
  });
}
