// Reads the parts of a Google API error that classification needs, whatever shape it arrived in:
// google-gax GoogleError over gRPC (numeric `code`, decoded protobuf `statusDetails`), the REST
// fallback (HTTP status in `code`, `status` name, JSON `details` with "@type"), a gaxios response
// (`response.data.error`), a bare google.rpc.Status from a failed long-running operation, or a plain
// Node network error somewhere in the `cause` chain.

export const RPC_CODES = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
] as const;
export type RpcCodeName = (typeof RPC_CODES)[number];

const HTTP_TO_RPC: Record<number, RpcCodeName> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  412: "FAILED_PRECONDITION",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  501: "UNIMPLEMENTED",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** Node / undici error codes of a connection that failed or timed out before any answer. */
const NETWORK_CODES: Record<string, RpcCodeName> = {
  ECONNREFUSED: "UNAVAILABLE",
  ECONNRESET: "UNAVAILABLE",
  ECONNABORTED: "UNAVAILABLE",
  EPIPE: "UNAVAILABLE",
  ENOTFOUND: "UNAVAILABLE",
  EAI_AGAIN: "UNAVAILABLE",
  ENETUNREACH: "UNAVAILABLE",
  EHOSTUNREACH: "UNAVAILABLE",
  UND_ERR_SOCKET: "UNAVAILABLE",
  ETIMEDOUT: "DEADLINE_EXCEEDED",
  ESOCKETTIMEDOUT: "DEADLINE_EXCEEDED",
  UND_ERR_CONNECT_TIMEOUT: "DEADLINE_EXCEEDED",
  UND_ERR_HEADERS_TIMEOUT: "DEADLINE_EXCEEDED",
};

export interface FieldViolation {
  field: string;
  description: string;
}

export interface ErrorDetails {
  code: RpcCodeName;
  /** False for errors that carry no Google or network code at all (e.g. a bug in our own code). */
  recognised: boolean;
  message: string;
  errorInfo?: { reason: string; domain: string; metadata: Record<string, string> };
  fieldViolations: FieldViolation[];
  quotaViolations: Array<{ subject: string; description: string }>;
  preconditionViolations: Array<{ type: string; subject: string; description: string }>;
  resourceName?: string;
  retryDelayMs?: number;
}

type Bag = Record<string, unknown>;
const isBag = (value: unknown): value is Bag => typeof value === "object" && value !== null;
const str = (value: unknown): string => (typeof value === "string" ? value : "");

export function readErrorDetails(error: unknown): ErrorDetails {
  const status = findStatus(error);
  const details: ErrorDetails = {
    code: status?.code ?? "UNKNOWN",
    recognised: status !== undefined,
    message: cleanMessage(status?.source) || cleanMessage(error) || "no error message",
    fieldViolations: [],
    quotaViolations: [],
    preconditionViolations: [],
  };
  const source = status?.source;
  if (!isBag(source)) return details;
  const list = Array.isArray(source.statusDetails)
    ? source.statusDetails
    : Array.isArray(source.details)
      ? source.details
      : [];
  for (const detail of list) if (isBag(detail)) readDetail(detail, details);
  if (!details.errorInfo && typeof source.reason === "string") {
    details.errorInfo = {
      reason: source.reason,
      domain: str(source.domain),
      metadata: stringRecord(source.errorInfoMetadata),
    };
  }
  details.retryDelayMs ??= retryAfterHeader(error);
  return details;
}

/** The innermost object in the error (or its response body / cause chain) that carries a code. */
function findStatus(error: unknown, depth = 0): { code: RpcCodeName; source: Bag } | undefined {
  if (!isBag(error) || depth > 5) return undefined;
  const response = isBag(error.response) && isBag(error.response.data) ? error.response.data.error : undefined;
  const body = isBag(error.error) ? error.error : undefined;
  for (const candidate of [response, body, error, error.response]) {
    if (!isBag(candidate)) continue;
    const code = codeOf(candidate);
    if (code) return { code, source: candidate };
  }
  return findStatus(error.cause, depth + 1);
}

function codeOf(candidate: Bag): RpcCodeName | undefined {
  const { status, code, name } = candidate;
  if (typeof status === "string" && isRpcCode(status)) return status;
  if (typeof code === "string" && isRpcCode(code)) return code;
  if (typeof code === "string" && NETWORK_CODES[code]) return NETWORK_CODES[code];
  if (typeof code === "number" && Number.isInteger(code) && code >= 0 && code < RPC_CODES.length)
    return RPC_CODES[code];
  for (const value of [code, status]) {
    const http = typeof value === "number" || typeof value === "string" ? Number(value) : Number.NaN;
    if (Number.isInteger(http) && http >= 400 && http < 600)
      return HTTP_TO_RPC[http] ?? (http >= 500 ? "INTERNAL" : "FAILED_PRECONDITION");
  }
  if (name === "TimeoutError") return "DEADLINE_EXCEEDED";
  if (name === "AbortError") return "CANCELLED";
  return undefined;
}

function isRpcCode(value: string): value is RpcCodeName {
  return (RPC_CODES as readonly string[]).includes(value);
}

function readDetail(detail: Bag, into: ErrorDetails): void {
  switch (detailType(detail)) {
    case "google.rpc.ErrorInfo":
      into.errorInfo = {
        reason: str(detail.reason),
        domain: str(detail.domain),
        metadata: stringRecord(detail.metadata),
      };
      break;
    case "google.rpc.BadRequest":
      for (const v of bags(detail.fieldViolations))
        into.fieldViolations.push({ field: str(v.field), description: str(v.description) });
      break;
    case "google.rpc.QuotaFailure":
      for (const v of bags(detail.violations))
        into.quotaViolations.push({ subject: str(v.subject), description: str(v.description) });
      break;
    case "google.rpc.PreconditionFailure":
      for (const v of bags(detail.violations)) {
        into.preconditionViolations.push({
          type: str(v.type),
          subject: str(v.subject),
          description: str(v.description),
        });
      }
      break;
    case "google.rpc.RetryInfo":
      into.retryDelayMs = durationMs(detail.retryDelay);
      break;
    case "google.rpc.ResourceInfo":
      into.resourceName = str(detail.resourceName) || undefined;
      break;
    default:
      break;
  }
}

/** "@type" of proto3 JSON, `$type` of a decoded protobufjs message, else guessed from the fields. */
function detailType(detail: Bag): string {
  const typeUrl = detail["@type"];
  if (typeof typeUrl === "string") return typeUrl.slice(typeUrl.lastIndexOf("/") + 1);
  const reflected = isBag(detail.$type) ? str(detail.$type.fullName).replace(/^\./, "") : "";
  if (reflected) return reflected;
  if ("fieldViolations" in detail) return "google.rpc.BadRequest";
  if ("retryDelay" in detail) return "google.rpc.RetryInfo";
  if ("resourceName" in detail) return "google.rpc.ResourceInfo";
  if ("reason" in detail && "domain" in detail) return "google.rpc.ErrorInfo";
  const first = bags(detail.violations)[0];
  if (first) return "type" in first ? "google.rpc.PreconditionFailure" : "google.rpc.QuotaFailure";
  return "";
}

/** google.protobuf.Duration as JSON ("12.5s") or as a message ({ seconds: number | string | Long, nanos }). */
export function durationMs(value: unknown): number | undefined {
  if (typeof value === "string") {
    const match = /^(\d+(?:\.\d+)?)s$/.exec(value);
    return match ? Math.round(Number(match[1]) * 1000) : undefined;
  }
  if (!isBag(value)) return undefined;
  const seconds = numberOf(value.seconds ?? 0);
  const nanos = numberOf(value.nanos ?? 0);
  if (!Number.isFinite(seconds) || !Number.isFinite(nanos)) return undefined;
  return Math.round(seconds * 1000 + nanos / 1e6);
}

/** int64 fields arrive as number, string or protobufjs Long. */
function numberOf(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string") return Number(value);
  if (isBag(value) && typeof value.toNumber === "function") return Number((value.toNumber as () => unknown)());
  return Number.NaN;
}

function retryAfterHeader(error: unknown): number | undefined {
  if (!isBag(error) || !isBag(error.response) || !isBag(error.response.headers)) return undefined;
  const headers = error.response.headers;
  const raw =
    typeof headers.get === "function"
      ? (headers.get as (name: string) => unknown)("retry-after")
      : headers["retry-after"];
  const seconds = Number(raw);
  return typeof raw === "string" && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** gRPC messages read "7 PERMISSION_DENIED: text"; GoogleError keeps the bare text in `details`. */
function cleanMessage(source: unknown): string {
  if (typeof source === "string") return source;
  if (!isBag(source)) return "";
  const text = typeof source.details === "string" && source.details ? source.details : str(source.message);
  return text.replace(/^\d+ [A-Z_]+: /, "");
}

function bags(value: unknown): Bag[] {
  return Array.isArray(value) ? value.filter(isBag) : [];
}

function stringRecord(value: unknown): Record<string, string> {
  if (!isBag(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, String(v)]));
}
