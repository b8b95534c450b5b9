// Google's documented limits on what a CloudRunServiceConfig declares, each with its source. What a structural
// schema can say (maxLength, maxProperties, pattern) reaches the generated CRD; the rest runs in the zod schema,
// so `driftguard validate` and the controller refuse the spec (InvalidSpec) before any call to Google.

import { z } from "zod";

// Kubernetes resource.Quantity without a sign: resource limits cannot be negative (ValidateResourceQuantityValue).
export const QUANTITY_PATTERN =
  /^(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;

const SUFFIXES: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The amount a quantity stands for ("500m" → 0.5, "4Gi" → 4294967296), or undefined when it is not one. */
export function quantityValue(quantity: string | number): number | undefined {
  if (typeof quantity === "number") return quantity;
  if (!QUANTITY_PATTERN.test(quantity)) return undefined;
  const match = /^([0-9.]+)([eE][-+]?[0-9.]+|[KMGTPE]i|[numkMGTPE])?$/.exec(quantity);
  if (!match?.[1]) return undefined;
  const number = Number(match[1]);
  const suffix = match[2] ?? "";
  if (/^[eE]/.test(suffix)) return number * 10 ** Number(suffix.slice(1));
  return number * (SUFFIXES[suffix] ?? Number.NaN);
}

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;

/**
 * Cloud Run's vCPU and memory rules, https://cloud.google.com/run/docs/configuring/services/cpu ("vCPU and memory
 * table", "less than 1 vCPU") and https://cloud.google.com/run/docs/configuring/services/memory-limits: 1, 2, 4, 6
 * or 8 vCPU, or a fraction from 0.08 to 1 in steps of 0.001; memory from 128 MiB (first generation) to 32 GiB.
 */
export const CLOUD_RUN_CPU = { wholeCounts: [1, 2, 4, 6, 8], minFraction: 0.08, step: 0.001, max: 8 } as const;
export const CLOUD_RUN_MEMORY = { min: 128 * MiB, max: 32 * GiB } as const;
/** Memory each vCPU count allows ("vCPU and memory table"): [cpu, min, max]. */
const MEMORY_FOR_CPU: [cpu: number, min: number, max: number][] = [
  [1, 128 * MiB, 4 * GiB],
  [2, 128 * MiB, 8 * GiB],
  [4, 2 * GiB, 16 * GiB],
  [6, 4 * GiB, 24 * GiB],
  [8, 4 * GiB, 32 * GiB],
];

/** Why `cpu` is not a vCPU count Cloud Run accepts, or undefined when it is. */
export function cpuProblem(cpu: number): string | undefined {
  if (cpu > CLOUD_RUN_CPU.max) return `must be at most ${CLOUD_RUN_CPU.max} vCPU (Cloud Run's maximum)`;
  if (cpu >= 1 && !(CLOUD_RUN_CPU.wholeCounts as readonly number[]).includes(cpu)) {
    return `must be 1, 2, 4, 6 or 8 vCPU, or a fraction from 0.08 to 1 (Cloud Run)`;
  }
  if (cpu < CLOUD_RUN_CPU.minFraction)
    return `must be at least ${CLOUD_RUN_CPU.minFraction} vCPU (Cloud Run's minimum)`;
  if (Math.abs(Math.round(cpu * 1000) - cpu * 1000) > 1e-6)
    return "a fraction below 1 vCPU must be a multiple of 0.001";
  return undefined;
}

/** Why `memory` (bytes) is outside Cloud Run's range, or undefined. */
export function memoryProblem(memory: number): string | undefined {
  if (memory < CLOUD_RUN_MEMORY.min) return "must be at least 128Mi (Cloud Run's minimum)";
  if (memory > CLOUD_RUN_MEMORY.max) return "must be at most 32Gi (Cloud Run's maximum)";
  return undefined;
}

/** Why a valid cpu and memory cannot go together on Cloud Run, or undefined. */
export function cpuMemoryProblem(
  cpu: number,
  memory: number,
  text: { cpu: string; memory: string },
): string | undefined {
  if (cpu < 1) {
    // "A minimum of 0.5 vCPU is needed to set a memory limit greater than 512MiB; 1 vCPU for more than 1GiB."
    if (memory > GiB) return `memory ${text.memory} above 1Gi needs at least 1 vCPU, got cpu ${text.cpu}`;
    if (memory > 512 * MiB && cpu < 0.5) {
      return `memory ${text.memory} above 512Mi needs at least 0.5 vCPU, got cpu ${text.cpu}`;
    }
    return undefined;
  }
  const row = MEMORY_FOR_CPU.find(([count]) => count === cpu);
  if (row === undefined) return undefined;
  const [, min, max] = row;
  if (memory < min) return `cpu ${text.cpu} needs at least ${min / GiB}Gi of memory, got ${text.memory}`;
  if (memory > max) {
    const needed = MEMORY_FOR_CPU.find(([, , limit]) => memory <= limit)?.[0];
    return `memory ${text.memory} needs at least ${needed} vCPU, got cpu ${text.cpu}`;
  }
  return undefined;
}

/** A Kubernetes quantity ("4", "1000m", "4Gi"); like resource limits, an integer is accepted too. */
function quantity(description: string, check: (amount: number) => string | undefined) {
  const expected = 'must be a Kubernetes quantity such as "4", "1000m", "4Gi" or "512Mi" (not negative)';
  return z
    .union([z.int().nonnegative(expected), z.string().regex(QUANTITY_PATTERN, expected)], { error: expected })
    .superRefine((value, ctx) => {
      const amount = quantityValue(value);
      // A malformed or negative quantity has its issue already; a range message on top would only confuse.
      const problem = amount === undefined || amount < 0 ? undefined : check(amount);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: `${problem}, got ${value}` });
    })
    .meta({ description, "x-kubernetes-int-or-string": true });
}

export const cpuQuantity = (description: string) => quantity(description, cpuProblem);
export const memoryQuantity = (description: string) => quantity(description, memoryProblem);

/**
 * Cloud Run v2 EnvVar (google/cloud/run/v2/k8s.min.proto, EnvVar.value): "the maximum length is 32768 bytes";
 * https://cloud.google.com/run/docs/configuring/services/environment-variables: "a maximum of 1000 environment
 * variables per container". A NUL byte cannot be passed in a process environment (C strings), so it is refused.
 */
export const ENV_LIMITS = { maxVariables: 1000, maxValueBytes: 32768 } as const;

export const EnvValue = z
  .string()
  .max(ENV_LIMITS.maxValueBytes)
  // The CRD carries the same pattern, which both RE2 (the API server) and JavaScript read as "no NUL".
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\x00]*$/, "must not contain a NUL character")
  .refine((value) => Buffer.byteLength(value, "utf8") <= ENV_LIMITS.maxValueBytes, {
    message: `must be at most ${ENV_LIMITS.maxValueBytes} bytes (Cloud Run's limit per variable)`,
  })
  .meta({ description: `Value of the variable, at most ${ENV_LIMITS.maxValueBytes} bytes, no NUL character.` });

/**
 * Google Cloud labels, https://cloud.google.com/resource-manager/docs/labels-overview#requirements and the
 * regular expressions Google's APIs state for label fields: keys 1-63 characters matching
 * [\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}, values 0-63 characters matching [\p{Ll}\p{Lo}\p{N}_-]{0,63}, each at
 * most 128 bytes of UTF-8, at most 64 labels. Lowercase and international letters are allowed; capitals, dots,
 * slashes and emoji are not.
 */
export const LABEL_LIMITS = { maxLabels: 64, maxLength: 63, maxBytes: 128 } as const;
export const LABEL_KEY_PATTERN = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
export const LABEL_VALUE_PATTERN = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;

const withinBytes = (value: string) => Buffer.byteLength(value, "utf8") <= LABEL_LIMITS.maxBytes;
const LABEL_RULE = "lowercase letters (international ones too), digits, _ and -";

export const LabelKey = z
  .string()
  .regex(LABEL_KEY_PATTERN, `must be 1-63 characters of ${LABEL_RULE}, starting with a lowercase letter (Google)`)
  .refine(withinBytes, { message: `must be at most ${LABEL_LIMITS.maxBytes} bytes of UTF-8 (Google)` });

export const LabelValue = z
  .string()
  .max(LABEL_LIMITS.maxLength)
  .regex(LABEL_VALUE_PATTERN, `must be at most 63 characters of ${LABEL_RULE} (Google)`)
  .refine(withinBytes, { message: `must be at most ${LABEL_LIMITS.maxBytes} bytes of UTF-8 (Google)` })
  .meta({ description: `Label value: at most 63 characters of ${LABEL_RULE}.` });

/**
 * Cloud Run v2 annotations "follow Kubernetes annotations' namespacing, limits, and rules" (google/cloud/run/v2/
 * service.proto, Service.annotations): a qualified-name key (optional DNS-subdomain prefix and "/", then a name of
 * 1-63 characters [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?) and at most 256 KiB of keys and values in total
 * (k8s.io/apimachinery ValidateAnnotations, TotalAnnotationSizeLimitB).
 */
export const ANNOTATION_KEY_PATTERN =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;

export const AnnotationKey = z
  .string()
  .regex(ANNOTATION_KEY_PATTERN, "must be a Kubernetes qualified name such as example.com/owner")
  .refine((key) => !key.includes("/") || key.indexOf("/") <= 253, { message: "prefix must be at most 253 characters" });

export function annotationsSize(annotations: Record<string, string>): number {
  return Object.entries(annotations).reduce(
    (sum, [key, value]) => sum + Buffer.byteLength(key, "utf8") + Buffer.byteLength(value, "utf8"),
    0,
  );
}
