// Google's error shapes, for the faults the simulator injects: the google.rpc.Status details Google's API
// front end attaches to each kind of failure, with the sources they come from. The model (AIP-193,
// https://google.aip.dev/193, and https://cloud.google.com/apis/design/errors): every error carries an
// ErrorInfo with a stable `reason`, a `domain` and `metadata`; RESOURCE_EXHAUSTED may add QuotaFailure,
// retryable errors may add RetryInfo. Detail messages are google/rpc/error_details.proto; the reasons and
// their metadata keys are google/api/error_reason.proto (both as shipped in google-gax).

import { SimError, type RpcCodeName, type StatusDetail } from "./errors.ts";

/** The ErrorInfo reasons a fault can be given; each implies its status code. */
export const FAULT_REASONS = {
  /** error_reason.proto RATE_LIMIT_EXCEEDED: a per-time-window quota, metadata quota_metric and quota_limit. */
  RATE_LIMIT_EXCEEDED: "RESOURCE_EXHAUSTED",
  /** error_reason.proto IAM_PERMISSION_DENIED: metadata permission and resource. */
  IAM_PERMISSION_DENIED: "PERMISSION_DENIED",
  /** error_reason.proto SERVICE_DISABLED: metadata consumer and service (plus activationUrl in practice). */
  SERVICE_DISABLED: "PERMISSION_DENIED",
} as const satisfies Record<string, RpcCodeName>;
export type FaultReason = keyof typeof FAULT_REASONS;

const TYPE = "type.googleapis.com/google.rpc.";
const GOOGLEAPIS = "googleapis.com";

/** API service names and titles by proto package (the names `gcloud services enable` takes). */
const SERVICES: Array<{ prefix: string; service: string; title: string }> = [
  { prefix: "google.cloud.run.", service: "run.googleapis.com", title: "Cloud Run Admin API" },
  { prefix: "google.cloud.vpcaccess.", service: "vpcaccess.googleapis.com", title: "Serverless VPC Access API" },
  { prefix: "google.monitoring.", service: "monitoring.googleapis.com", title: "Cloud Monitoring API" },
];

/**
 * The IAM permission each method checks. Sources: https://cloud.google.com/run/docs/reference/iam/permissions,
 * https://cloud.google.com/iam/docs/permissions-reference (vpcaccess.*, monitoring.timeSeries.list).
 * PatchConnector is the REST `projects.locations.connectors.patch`, checked as vpcaccess.connectors.update.
 */
const PERMISSIONS: Record<string, string> = {
  "google.cloud.run.v2.Services/GetService": "run.services.get",
  "google.cloud.run.v2.Services/ListServices": "run.services.list",
  "google.cloud.run.v2.Services/CreateService": "run.services.create",
  "google.cloud.run.v2.Services/UpdateService": "run.services.update",
  "google.cloud.run.v2.Services/DeleteService": "run.services.delete",
  "google.cloud.run.v2.Revisions/GetRevision": "run.revisions.get",
  "google.cloud.run.v2.Revisions/ListRevisions": "run.revisions.list",
  "google.cloud.vpcaccess.v1.VpcAccessService/GetConnector": "vpcaccess.connectors.get",
  "google.cloud.vpcaccess.v1.VpcAccessService/ListConnectors": "vpcaccess.connectors.list",
  "google.cloud.vpcaccess.v1.VpcAccessService/CreateConnector": "vpcaccess.connectors.create",
  "google.cloud.vpcaccess.v1.VpcAccessService/DeleteConnector": "vpcaccess.connectors.delete",
  "google.cloud.vpcaccess.v1.VpcAccessService/PatchConnector": "vpcaccess.connectors.update",
  "google.monitoring.v3.MetricService/ListTimeSeries": "monitoring.timeSeries.list",
};

export interface FaultContext {
  /** Full method name, "google.cloud.run.v2.Services/GetService". */
  method: string;
  /** Resource the request names, if any. */
  resource?: string;
}

export interface FaultShape {
  code?: RpcCodeName;
  reason?: FaultReason;
  message?: string;
  /** Adds RetryInfo (and Retry-After over REST) asking the client to wait this long. */
  retryDelaySeconds?: number;
}

function serviceOf(method: string): { service: string; title: string } | undefined {
  return SERVICES.find((s) => method.startsWith(s.prefix));
}

/** The project a resource name or parent lives in. */
function projectOf(resource: string | undefined): string | undefined {
  return resource ? /(?:^|\/)projects\/([^/]+)/.exec(resource)?.[1] : undefined;
}

function errorInfo(reason: string, domain: string, metadata: Record<string, string | undefined>): StatusDetail {
  const defined = Object.entries(metadata).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return { "@type": `${TYPE}ErrorInfo`, reason, domain, metadata: Object.fromEntries(defined) };
}

/**
 * RATE_LIMIT_EXCEEDED as error_reason.proto documents it. Google's consumer is the project number; the
 * simulator has only project ids, so it names the id. The quota metric and limit names follow the
 * proto's own examples ("pubsub.googleapis.com/read_requests", "ReadsPerMinutePerProject"); the real
 * names for these APIs are not recorded anywhere we could find.
 */
function rateLimited(ctx: FaultContext, message: string | undefined): SimError {
  const api = serviceOf(ctx.method);
  const service = api?.service ?? GOOGLEAPIS;
  const project = projectOf(ctx.resource);
  const verb = ctx.method.slice(ctx.method.lastIndexOf("/") + 1);
  const kind = /^(Get|List)/.test(verb) ? "read" : "write";
  const metric = `${service}/${kind}_requests`;
  const limit = `${kind === "read" ? "Read" : "Write"}RequestsPerMinutePerProject`;
  const consumer = project ? `projects/${project}` : undefined;
  const text =
    message ??
    `Quota exceeded for quota metric '${kind === "read" ? "Read" : "Write"} requests' and limit '${kind === "read" ? "Read" : "Write"} requests per minute' of service '${service}' for consumer '${consumer ?? "unknown"}'.`;
  return new SimError("RESOURCE_EXHAUSTED", text, [
    errorInfo("RATE_LIMIT_EXCEEDED", GOOGLEAPIS, {
      consumer,
      service,
      quota_metric: metric,
      quota_limit: limit,
      quota_location: "global",
    }),
    {
      "@type": `${TYPE}QuotaFailure`,
      // error_details.proto QuotaFailure.Violation.subject: "project:<Google developer project id>".
      violations: [
        { subject: `project:${project ?? "unknown"}`, description: text, apiService: service, quotaMetric: metric },
      ],
    },
    {
      "@type": `${TYPE}Help`,
      links: [
        {
          description: "Request a higher quota limit.",
          url: "https://cloud.google.com/docs/quotas/help/request_increase",
        },
      ],
    },
  ]);
}

/** IAM_PERMISSION_DENIED: "Permission '…' denied on resource '…' (or it may not exist)." */
function permissionDenied(ctx: FaultContext, message: string | undefined): SimError {
  const permission = PERMISSIONS[ctx.method];
  const resource = ctx.resource ?? "the resource";
  const text =
    message ?? `Permission '${permission ?? "unknown"}' denied on resource '${resource}' (or it may not exist).`;
  return new SimError("PERMISSION_DENIED", text, [
    errorInfo("IAM_PERMISSION_DENIED", GOOGLEAPIS, { permission, resource: ctx.resource }),
  ]);
}

/** SERVICE_DISABLED, with the activation link Google's answers carry in metadata and a Help detail. */
function serviceDisabled(ctx: FaultContext, message: string | undefined): SimError {
  const api = serviceOf(ctx.method) ?? { service: GOOGLEAPIS, title: "The API" };
  const project = projectOf(ctx.resource) ?? "unknown";
  const activationUrl = `https://console.developers.google.com/apis/api/${api.service}/overview?project=${project}`;
  const text =
    message ??
    `${api.title} has not been used in project ${project} before or it is disabled. Enable it by visiting ` +
      `${activationUrl} then retry. If you enabled this API recently, wait a few minutes for the action to ` +
      "propagate to our systems and retry.";
  return new SimError("PERMISSION_DENIED", text, [
    errorInfo("SERVICE_DISABLED", GOOGLEAPIS, {
      consumer: `projects/${project}`,
      service: api.service,
      activationUrl,
      serviceTitle: api.title,
    }),
    {
      "@type": `${TYPE}Help`,
      links: [{ description: "Google developers console API activation", url: activationUrl }],
    },
  ]);
}

/**
 * Google's error for an injected fault. RESOURCE_EXHAUSTED and PERMISSION_DENIED get their ErrorInfo
 * (IAM_PERMISSION_DENIED unless `reason` says SERVICE_DISABLED); NOT_FOUND names the resource in a
 * ResourceInfo; ABORTED (409), UNAVAILABLE (503) and the rest carry Google's canonical text from
 * google/rpc/code.proto and no detail, as Google's front end commonly answers them (whether it adds more
 * is unknown). `retryDelaySeconds` adds a RetryInfo to any of them.
 */
export function googleError(shape: FaultShape, ctx: FaultContext): SimError {
  const code = shape.code ?? (shape.reason ? FAULT_REASONS[shape.reason] : "UNKNOWN");
  let error: SimError;
  if (shape.reason === "SERVICE_DISABLED") error = serviceDisabled(ctx, shape.message);
  else if (code === "RESOURCE_EXHAUSTED") error = rateLimited(ctx, shape.message);
  else if (code === "PERMISSION_DENIED") error = permissionDenied(ctx, shape.message);
  else if (code === "NOT_FOUND" && ctx.resource) {
    error = SimError.notFound(ctx.resource);
    if (shape.message) error = new SimError(code, shape.message, error.details);
  } else error = new SimError(code, shape.message ?? CANONICAL_TEXT[code] ?? `injected fault: ${code}`);
  if (shape.retryDelaySeconds === undefined) return error;
  return new SimError(error.code, error.message, [
    ...error.details,
    { "@type": `${TYPE}RetryInfo`, retryDelay: `${shape.retryDelaySeconds}s` },
  ]);
}

/**
 * Messages for codes without a richer shape: google/rpc/code.proto's own descriptions (UNAVAILABLE,
 * ABORTED, ALREADY_EXISTS, NOT_FOUND without a resource, DEADLINE_EXCEEDED), and for INTERNAL the text
 * Google's front end is commonly seen to send.
 */
const CANONICAL_TEXT: Partial<Record<RpcCodeName, string>> = {
  ALREADY_EXISTS: "The entity that a client attempted to create already exists.",
  NOT_FOUND: "Some requested entity was not found.",
  UNAVAILABLE: "The service is currently unavailable.",
  ABORTED:
    "The operation was aborted, typically due to a concurrency issue such as a sequencer check failure or transaction abort.",
  DEADLINE_EXCEEDED: "The deadline expired before the operation could complete.",
  INTERNAL: "Internal error encountered.",
};

/** Seconds a RetryInfo detail asks to wait, for the REST Retry-After header. */
export function retryAfterSeconds(error: SimError): number | undefined {
  const info = error.details.find((d) => d["@type"] === `${TYPE}RetryInfo`);
  const match = typeof info?.retryDelay === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(info.retryDelay) : null;
  return match ? Math.ceil(Number(match[1])) : undefined;
}
