// Brings declared and live values to one canonical form per field, so that "1000m" equals "1", "4096Mi" equals
// "4Gi", "10m" equals { seconds: 600 }, 2 equals "PRIVATE_RANGES_ONLY", and a field the server left unset
// equals its documented server default. Without this, every resync would "heal" a difference that is not one.

import { quantityValue } from "../../api/limits.ts";
import { parseDuration } from "../../api/duration.ts";
import type { ContainerField, FieldTarget, TemplateField } from "./fields.ts";

export type ValueKind =
  "text" | "integer" | "boolean" | "duration" | "cpu" | "memory" | "egress" | "instances" | "probeType";

/** A live value made comparable: equal `canonical` means equal setting; `display` is what people read. */
export interface NormalisedValue {
  /** Undefined when the live field is unset and has no server default (or is not a literal value). */
  canonical: string | undefined;
  /** Empty when unset, "300s (default)" when the server default applies. */
  display: string;
}

const VPC_EGRESS_BY_NUMBER = ["VPC_EGRESS_UNSPECIFIED", "ALL_TRAFFIC", "PRIVATE_RANGES_ONLY"] as const;

/**
 * Server defaults, applied when a live field holds its zero value: from the v2 protos' comments, plus Cloud
 * Run's documented container limits (1 CPU, 512Mi) and the container port it injects (8080).
 */
const SERVER_DEFAULTS: Readonly<Partial<Record<`template.${TemplateField}` | `container.${ContainerField}`, string>>> =
  {
    "template.timeout": "300s",
    "template.scaling.minInstanceCount": "0",
    "template.scaling.maxInstanceCount": "100",
    "template.vpcAccess.egress": "PRIVATE_RANGES_ONLY",
    "container.resources.limits.cpu": "1",
    "container.resources.limits.memory": "512Mi",
    "container.resources.cpuIdle": "false",
    "container.resources.startupCpuBoost": "false",
    "container.startupProbe.initialDelaySeconds": "0",
    "container.startupProbe.timeoutSeconds": "1",
    "container.startupProbe.periodSeconds": "10",
    "container.startupProbe.failureThreshold": "3",
    "container.startupProbe.httpGet.path": "/",
    // A probe without a port goes to container.ports[0].containerPort (k8s.proto, HTTPGetAction and
    // TCPSocketAction `port`; access.ts resolves it from the live container), and a container that declares
    // none gets PORT 8080 (https://cloud.google.com/run/docs/container-contract#port).
    "container.startupProbe.httpGet.port": "8080",
    "container.startupProbe.tcpSocket.port": "8080",
  };

/** How values of a target are compared. */
export function valueKind(target: FieldTarget): ValueKind {
  switch (target.scope) {
    case "labels":
    case "annotations":
    case "env":
    case "volumeMount":
      return "text";
    case "cloudSqlVolume":
      return "instances";
    case "template":
      switch (target.field) {
        case "timeout":
          return "duration";
        case "scaling.minInstanceCount":
        case "scaling.maxInstanceCount":
          return "integer";
        case "vpcAccess.connector":
          return "text";
        case "vpcAccess.egress":
          return "egress";
      }
      break;
    case "container":
      switch (target.field) {
        case "resources.limits.cpu":
          return "cpu";
        case "resources.limits.memory":
          return "memory";
        case "resources.cpuIdle":
        case "resources.startupCpuBoost":
          return "boolean";
        case "startupProbe.type":
          return "probeType";
        case "startupProbe.httpGet.path":
          return "text";
        case "startupProbe.initialDelaySeconds":
        case "startupProbe.timeoutSeconds":
        case "startupProbe.periodSeconds":
        case "startupProbe.failureThreshold":
        case "startupProbe.httpGet.port":
        case "startupProbe.tcpSocket.port":
          return "integer";
      }
  }
}

/** The server default of a target, as declared text, if the API documents one. */
export function serverDefault(target: FieldTarget): string | undefined {
  switch (target.scope) {
    case "template":
      return SERVER_DEFAULTS[`template.${target.field}`];
    case "container":
      return SERVER_DEFAULTS[`container.${target.field}`];
    case "labels":
    case "annotations":
    case "env":
    case "cloudSqlVolume":
    case "volumeMount":
      return undefined;
  }
}

/** Canonical form of a declared value; throws a RangeError when the text is not a valid value of its kind. */
export function normaliseDesired(target: FieldTarget, text: string): string {
  const canonical = canonicalOf(valueKind(target), text);
  if (canonical === undefined) {
    throw new RangeError(`invalid ${valueKind(target)} value ${JSON.stringify(text)}`);
  }
  return canonical;
}

/** Canonical form and display text of a value read from a live v2 Service (any protobufjs form). */
export function normaliseLive(target: FieldTarget, raw: unknown): NormalisedValue {
  const kind = valueKind(target);
  const fallback = serverDefault(target);
  if (isZeroValue(kind, raw) && fallback !== undefined) {
    return { canonical: canonicalOf(kind, fallback), display: `${fallback} (default)` };
  }
  if (raw == null) return { canonical: undefined, display: "" };
  // A live value that cannot be parsed has no canonical form, so it shows up as drift instead of failing.
  return { canonical: canonicalOf(kind, raw), display: displayOf(kind, raw) };
}

// Protobuf has no "unset" for scalars: 0, "", false and enum 0 are what an unset field reads as.
function isZeroValue(kind: ValueKind, raw: unknown): boolean {
  if (raw == null || raw === "" || raw === false) return true;
  switch (kind) {
    case "integer":
      return integerOf(raw) === 0;
    case "duration":
      return durationSeconds(raw) === 0;
    case "egress":
      return raw === 0 || raw === "VPC_EGRESS_UNSPECIFIED";
    case "instances":
      return Array.isArray(raw) && raw.length === 0;
    case "text":
    case "boolean":
    case "cpu":
    case "memory":
    case "probeType":
      return false;
  }
}

function canonicalOf(kind: ValueKind, raw: unknown): string | undefined {
  switch (kind) {
    case "text":
    case "probeType":
      return typeof raw === "string" ? raw : undefined;
    case "integer":
      return stringOf(integerOf(raw));
    case "boolean":
      return raw === true || raw === "true" ? "true" : raw === false || raw === "false" ? "false" : undefined;
    case "duration":
      return stringOf(durationSeconds(raw));
    case "cpu":
      return stringOf(quantityTimes(raw, 1000));
    case "memory":
      return stringOf(quantityTimes(raw, 1));
    case "egress":
      return egressName(raw);
    case "instances":
      return instanceList(raw)?.join(",");
  }
}

function displayOf(kind: ValueKind, raw: unknown): string {
  if (kind === "duration") {
    const seconds = durationSeconds(raw);
    return seconds === undefined ? JSON.stringify(raw) : `${seconds}s`;
  }
  if (kind === "egress") return egressName(raw) ?? JSON.stringify(raw);
  if (kind === "instances") return instanceList(raw)?.join(",") ?? JSON.stringify(raw);
  if (typeof raw === "object" && raw !== null) return integerOf(raw)?.toString() ?? JSON.stringify(raw);
  return typeof raw === "string" ? raw : JSON.stringify(raw);
}

function stringOf(value: number | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

/** Integers as numbers, decimal strings, protobufjs Long objects or their { low, high } plain-object copies. */
export function integerOf(raw: unknown): number | undefined {
  if (typeof raw === "number") return Number.isInteger(raw) ? raw : undefined;
  if (typeof raw === "string") return /^-?[0-9]+$/.test(raw) ? Number(raw) : undefined;
  if (typeof raw === "object" && raw !== null && "low" in raw && "high" in raw) {
    const { low, high } = raw;
    if (typeof low === "number" && typeof high === "number") return high * 2 ** 32 + (low >>> 0);
  }
  return undefined;
}

/** Seconds of a k8s or proto-JSON duration string ("10m", "600s", "1.5s") or a { seconds, nanos } message. */
export function durationSeconds(raw: unknown): number | undefined {
  if (typeof raw === "string") {
    try {
      return parseDuration(raw) / 1000;
    } catch {
      return undefined;
    }
  }
  if (typeof raw !== "object" || raw === null) return undefined;
  const { seconds, nanos } = raw as { seconds?: unknown; nanos?: unknown };
  const whole = seconds == null ? 0 : integerOf(seconds);
  const fraction = nanos == null ? 0 : integerOf(nanos);
  if (whole === undefined || fraction === undefined) return undefined;
  return whole + fraction / 1e9;
}

/**
 * A Kubernetes quantity in base units times `scale`, rounded to an integer (millicores for CPU with scale 1000,
 * bytes for memory with scale 1): "1000m" and "1" are both 1000 millicores; "1G" is 10^9 bytes, "1Gi" 2^30.
 */
export function quantityTimes(raw: unknown, scale: number): number | undefined {
  if (typeof raw === "number") return Number.isFinite(raw) && raw >= 0 ? Math.round(raw * scale) : undefined;
  if (typeof raw !== "string") return undefined;
  const value = quantityValue(raw.trim());
  return value === undefined || !Number.isFinite(value) ? undefined : Math.round(value * scale);
}

/** VPC egress as its enum name; numbers and names are both accepted, the unspecified value is undefined. */
export function egressName(raw: unknown): "ALL_TRAFFIC" | "PRIVATE_RANGES_ONLY" | undefined {
  const name = typeof raw === "number" ? VPC_EGRESS_BY_NUMBER[raw] : raw;
  return name === "ALL_TRAFFIC" || name === "PRIVATE_RANGES_ONLY" ? name : undefined;
}

// The order of Cloud SQL instances on a volume carries no meaning; duplicates neither.
function instanceList(raw: unknown): string[] | undefined {
  const items = typeof raw === "string" ? raw.split(",") : raw;
  if (!Array.isArray(items) || !items.every((item) => typeof item === "string")) return undefined;
  return [...new Set(items.map((item) => item.trim()).filter((item) => item !== ""))].sort();
}
