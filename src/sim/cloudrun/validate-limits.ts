// Size and character limits Google documents for labels, environment variables and annotations of a Cloud
// Run service; the limits and their sources are in google-facts.ts. The exact wording of Google's messages for
// these is not recorded; the field paths follow the other violations.

import type { FieldViolation } from "../core/errors.ts";
import type { JsonObject } from "../core/module.ts";

import {
  LABEL_KEY,
  LABEL_VALUE,
  MAX_ANNOTATION_BYTES,
  MAX_ENV_VALUE_BYTES,
  MAX_ENV_VARS,
  MAX_LABEL_BYTES,
  MAX_LABELS,
  MAX_PREFIX,
  QUALIFIED_NAME,
} from "./google-facts.ts";

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
