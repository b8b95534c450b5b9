// Classifies any error from a Google API call into a reason the reconciler acts on (retry, back off,
// or report) plus a hint that names what an operator must fix: the IAM permission, the missing
// resource, the exhausted quota, or the invalid fields.

import { readErrorDetails, type ErrorDetails, type FieldViolation, type RpcCodeName } from "./error-details.ts";

export type { FieldViolation, RpcCodeName };

export type GoogleErrorReason =
  | "PermissionDenied"
  | "Unauthenticated"
  | "NotFound"
  | "AlreadyExists"
  | "QuotaExceeded"
  | "Unavailable"
  | "Conflict"
  | "InvalidArgument"
  | "FailedPrecondition"
  | "Unimplemented"
  | "Internal"
  | "Cancelled"
  | "Unknown";

export type GoogleApi = "run" | "vpcaccess" | "monitoring";

export interface CallContext {
  api?: GoogleApi;
  /** The client method, e.g. "updateService". */
  method?: string;
  /** Full resource name the call was about, e.g. "projects/p/locations/l/services/s". */
  resource?: string;
}

export interface ClassifiedGoogleError {
  reason: GoogleErrorReason;
  code: RpcCodeName;
  retryable: boolean;
  retryAfterMs?: number;
  hint: string;
  message: string;
  permission?: string;
  fieldViolations?: FieldViolation[];
}

/** IAM permission each client method needs (used when the error itself does not name one). */
export const REQUIRED_PERMISSIONS: Record<GoogleApi, Record<string, string>> = {
  run: {
    getService: "run.services.get",
    listServices: "run.services.list",
    createService: "run.services.create",
    updateService: "run.services.update",
    deleteService: "run.services.delete",
    getRevision: "run.revisions.get",
    listRevisions: "run.revisions.list",
    getOperation: "run.operations.get",
    getIamPolicy: "run.services.getIamPolicy",
    setIamPolicy: "run.services.setIamPolicy",
  },
  vpcaccess: {
    getConnector: "vpcaccess.connectors.get",
    listConnectors: "vpcaccess.connectors.list",
    createConnector: "vpcaccess.connectors.create",
    updateConnector: "vpcaccess.connectors.update",
    patchConnector: "vpcaccess.connectors.update",
    deleteConnector: "vpcaccess.connectors.delete",
    getOperation: "vpcaccess.operations.get",
  },
  monitoring: {
    listTimeSeries: "monitoring.timeSeries.list",
    getMetricDescriptor: "monitoring.metricDescriptors.get",
    listMetricDescriptors: "monitoring.metricDescriptors.list",
  },
};

export function requiredPermission(api: GoogleApi | undefined, method: string | undefined): string | undefined {
  return api && method ? REQUIRED_PERMISSIONS[api][method] : undefined;
}

/** An error thrown by the call guard: the classification, with the original error as `cause`. */
export class GoogleCallError extends Error {
  readonly classification: ClassifiedGoogleError;
  readonly context: CallContext;

  constructor(classification: ClassifiedGoogleError, context: CallContext, options?: { cause?: unknown }) {
    const call = context.api && context.method ? `${context.api}.${context.method}: ` : "";
    super(`${call}${classification.reason}: ${classification.message} (${classification.hint})`, options);
    this.name = "GoogleCallError";
    this.classification = classification;
    this.context = context;
  }
}

export function classifyGoogleError(error: unknown, context: CallContext = {}): ClassifiedGoogleError {
  if (error instanceof GoogleCallError) return error.classification;
  const details = readErrorDetails(error);
  const base = { code: details.code, message: details.message };
  const retryAfter = details.retryDelayMs === undefined ? {} : { retryAfterMs: details.retryDelayMs };
  switch (details.code) {
    case "PERMISSION_DENIED":
      return { ...base, ...permissionHint(details, context), retryable: false };
    case "UNAUTHENTICATED":
      return {
        ...base,
        reason: "Unauthenticated",
        retryable: false,
        hint: "no valid Google credentials: check Workload Identity or GOOGLE_APPLICATION_CREDENTIALS for the controller's service account",
      };
    case "NOT_FOUND":
      return {
        ...base,
        reason: "NotFound",
        retryable: false,
        hint: `${resourceOf(details, context)} does not exist: check project, location and name`,
      };
    case "ALREADY_EXISTS":
      return {
        ...base,
        reason: "AlreadyExists",
        retryable: false,
        hint: `${resourceOf(details, context)} already exists: re-read it instead of creating it`,
      };
    case "RESOURCE_EXHAUSTED":
      return { ...base, ...retryAfter, reason: "QuotaExceeded", retryable: true, hint: quotaHint(details) };
    case "UNAVAILABLE":
    case "DEADLINE_EXCEEDED":
      return {
        ...base,
        ...retryAfter,
        reason: "Unavailable",
        retryable: true,
        hint: `${details.code === "UNAVAILABLE" ? "the API is unavailable" : "the call timed out"}; transient, retried with backoff`,
      };
    case "ABORTED":
      return {
        ...base,
        ...retryAfter,
        reason: "Conflict",
        retryable: true,
        hint: "concurrent modification (etag mismatch): re-read the live object and retry",
      };
    case "INVALID_ARGUMENT":
    case "OUT_OF_RANGE":
      return {
        ...base,
        ...violations(details),
        reason: "InvalidArgument",
        retryable: false,
        hint: invalidArgumentHint(details),
      };
    case "FAILED_PRECONDITION":
      return { ...base, reason: "FailedPrecondition", retryable: false, hint: preconditionHint(details) };
    case "UNIMPLEMENTED":
      return {
        ...base,
        reason: "Unimplemented",
        retryable: false,
        hint: "the endpoint does not implement this method: check the API version and any endpoint override",
      };
    case "INTERNAL":
    case "DATA_LOSS":
      return {
        ...base,
        ...retryAfter,
        reason: "Internal",
        retryable: true,
        hint: "Google-side internal error; retried with backoff",
      };
    case "CANCELLED":
      return {
        ...base,
        reason: "Cancelled",
        retryable: true,
        hint: "the call was cancelled (client timeout or shutdown); retried on the next reconcile",
      };
    case "OK":
    case "UNKNOWN":
      return details.recognised
        ? {
            ...base,
            reason: "Unknown",
            retryable: true,
            hint: "the API returned an unknown error; retried with backoff",
          }
        : { ...base, reason: "Unknown", retryable: false, hint: "not a Google API error; see the message" };
  }
}

function permissionHint(
  details: ErrorDetails,
  context: CallContext,
): { reason: GoogleErrorReason; hint: string; permission?: string } {
  const info = details.errorInfo;
  if (info?.reason === "SERVICE_DISABLED") {
    const service = info.metadata.service ?? "the API";
    const project = info.metadata.consumer ?? "the project";
    return {
      reason: "PermissionDenied",
      hint: `${service} is not enabled on ${project}: enable it (gcloud services enable ${service})`,
    };
  }
  const permission = info?.metadata.permission ?? requiredPermission(context.api, context.method);
  const on = context.resource ?? details.resourceName;
  const target = on ? ` on ${on}` : "";
  if (!permission) {
    return {
      reason: "PermissionDenied",
      hint: `grant the controller's service account the IAM permission this call needs${target}`,
    };
  }
  return {
    reason: "PermissionDenied",
    permission,
    hint: `grant the controller's service account ${permission}${target}`,
  };
}

function resourceOf(details: ErrorDetails, context: CallContext): string {
  return details.resourceName ?? context.resource ?? "the requested resource";
}

/**
 * Names the exhausted quota: ErrorInfo's quota_limit (or quota_metric) first, else each QuotaFailure
 * violation's description with its subject, which google/rpc/error_details.proto defines as who was
 * limited ("project:<id>", "clientip:<ip>"), not which quota.
 */
function quotaHint(details: ErrorDetails): string {
  const named = details.quotaViolations
    .map((v) => (v.description && v.subject ? `${v.description} (${v.subject})` : v.description || v.subject))
    .filter(Boolean);
  const metadata = details.errorInfo?.metadata ?? {};
  const metric = metadata.quota_limit ?? metadata.quota_metric;
  const quota = metric ? metric : named.length > 0 ? named.join(", ") : (details.errorInfo?.reason ?? "an API quota");
  const wait =
    details.retryDelayMs === undefined ? "" : ` (server asks to wait ${Math.ceil(details.retryDelayMs / 1000)}s)`;
  return `quota exhausted: ${quota}; calls to this API back off${wait}; raise the quota or lower the call rate`;
}

function violations(details: ErrorDetails): { fieldViolations?: FieldViolation[] } {
  return details.fieldViolations.length > 0 ? { fieldViolations: details.fieldViolations } : {};
}

function invalidArgumentHint(details: ErrorDetails): string {
  if (details.fieldViolations.length === 0) return "the request was rejected as invalid: check the spec values";
  return `fix these fields: ${details.fieldViolations.map((v) => `${v.field}: ${v.description}`).join("; ")}`;
}

function preconditionHint(details: ErrorDetails): string {
  if (details.preconditionViolations.length === 0)
    return "the resource is not in a state that allows this change (e.g. an operation is still running)";
  return `precondition failed: ${details.preconditionViolations.map((v) => `${v.type} ${v.subject}: ${v.description}`).join("; ")}`;
}
