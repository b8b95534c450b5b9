import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { GoogleError, grpc } from "google-gax";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import {
  classifyGoogleError,
  GoogleCallError,
  requiredPermission,
  type CallContext,
  type ClassifiedGoogleError,
} from "./errors.ts";

// Errors are built the way the real clients build them: gRPC errors carry a google.rpc.Status in the
// `grpc-status-details-bin` trailer (encoded with google-gax's own status.json), REST fallback errors
// go through GoogleError.parseHttpError.
const gaxDir = path.dirname(createRequire(import.meta.url).resolve("google-gax"));
const statusRoot = protobuf.Root.fromJSON(
  JSON.parse(readFileSync(path.join(gaxDir, "../protos/status.json"), "utf8")) as protobuf.INamespace,
);

type Detail = { "@type": string } & Record<string, unknown>;
const T = "type.googleapis.com/google.rpc.";
const errorInfo = (reason: string, metadata: Record<string, string> = {}): Detail => ({
  "@type": `${T}ErrorInfo`,
  reason,
  domain: "googleapis.com",
  metadata,
});
const badRequest = (...violations: Array<[string, string]>): Detail => ({
  "@type": `${T}BadRequest`,
  fieldViolations: violations.map(([field, description]) => ({ field, description })),
});
const quotaFailure = (subject: string, description: string): Detail => ({
  "@type": `${T}QuotaFailure`,
  violations: [{ subject, description }],
});
const retryInfo = (retryDelay: string): Detail => ({ "@type": `${T}RetryInfo`, retryDelay });
const resourceInfo = (resourceName: string): Detail => ({
  "@type": `${T}ResourceInfo`,
  resourceType: "run.googleapis.com/Service",
  resourceName,
});
const precondition = (type: string, subject: string, description: string): Detail => ({
  "@type": `${T}PreconditionFailure`,
  violations: [{ type, subject, description }],
});

function grpcError(code: number, message: string, details: Detail[] = []): GoogleError {
  const any = details.map(({ "@type": typeUrl, ...fields }) => {
    const type = statusRoot.lookupType(typeUrl.replace("type.googleapis.com/", ""));
    const body = {
      ...fields,
      ...(typeof fields.retryDelay === "string"
        ? { retryDelay: { seconds: parseFloat(fields.retryDelay), nanos: 0 } }
        : {}),
    };
    return { type_url: typeUrl, value: type.encode(type.fromObject(body)).finish() };
  });
  const statusType = statusRoot.lookupType("google.rpc.Status");
  const metadata = new grpc.Metadata();
  metadata.set(
    "grpc-status-details-bin",
    Buffer.from(statusType.encode(statusType.fromObject({ code, message, details: any })).finish()),
  );
  const error = Object.assign(new GoogleError(`${code} ${grpc.status[code]}: ${message}`), {
    code,
    details: message,
    metadata,
  });
  return GoogleError.parseGRPCStatusDetails(error);
}

function restError(httpCode: number, status: string | undefined, message: string, details: Detail[] = []): GoogleError {
  return GoogleError.parseHttpError({ error: { code: httpCode, ...(status ? { status } : {}), message, details } });
}

const nodeError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

type Row = [
  name: string,
  error: unknown,
  context: CallContext,
  expected: Partial<Omit<ClassifiedGoogleError, "hint">> & { hint?: string | RegExp },
];
const run: CallContext = {
  api: "run",
  method: "updateService",
  resource: "projects/p/locations/europe-west1/services/api",
};
const vpc: CallContext = { api: "vpcaccess", method: "patchConnector" };
const monitoring: CallContext = { api: "monitoring", method: "listTimeSeries" };

const rows: Row[] = [
  [
    "gRPC PERMISSION_DENIED, permission from the method map",
    grpcError(7, "Permission denied on resource"),
    run,
    {
      reason: "PermissionDenied",
      code: "PERMISSION_DENIED",
      retryable: false,
      permission: "run.services.update",
      message: "Permission denied on resource",
      hint: "grant the controller's service account run.services.update on projects/p/locations/europe-west1/services/api",
    },
  ],
  [
    "REST PERMISSION_DENIED for a connector update",
    restError(403, "PERMISSION_DENIED", "denied"),
    vpc,
    {
      reason: "PermissionDenied",
      permission: "vpcaccess.connectors.update",
      hint: "grant the controller's service account vpcaccess.connectors.update",
    },
  ],
  [
    "PERMISSION_DENIED for reading metrics",
    restError(403, undefined, "denied"),
    monitoring,
    { reason: "PermissionDenied", permission: "monitoring.timeSeries.list" },
  ],
  [
    "PERMISSION_DENIED naming the permission in ErrorInfo wins over the map",
    grpcError(7, "denied", [errorInfo("IAM_PERMISSION_DENIED", { permission: "run.services.get" })]),
    run,
    { permission: "run.services.get", hint: /run\.services\.get on projects\/p/ },
  ],
  [
    "PERMISSION_DENIED for an unknown method",
    grpcError(7, "denied"),
    { api: "run", method: "mystery" },
    {
      reason: "PermissionDenied",
      permission: undefined,
      hint: "grant the controller's service account the IAM permission this call needs",
    },
  ],
  [
    "PERMISSION_DENIED because the API is disabled",
    restError(403, "PERMISSION_DENIED", "API not enabled", [
      errorInfo("SERVICE_DISABLED", { service: "vpcaccess.googleapis.com", consumer: "projects/123" }),
    ]),
    vpc,
    {
      reason: "PermissionDenied",
      hint: "vpcaccess.googleapis.com is not enabled on projects/123: enable it (gcloud services enable vpcaccess.googleapis.com)",
    },
  ],
  [
    "UNAUTHENTICATED",
    grpcError(16, "Request had invalid authentication credentials"),
    run,
    { reason: "Unauthenticated", retryable: false, hint: /Workload Identity or GOOGLE_APPLICATION_CREDENTIALS/ },
  ],
  [
    "NOT_FOUND naming the resource from ResourceInfo",
    grpcError(5, "not found", [resourceInfo("projects/p/locations/l/services/gone")]),
    {},
    {
      reason: "NotFound",
      retryable: false,
      hint: "projects/p/locations/l/services/gone does not exist: check project, location and name",
    },
  ],
  [
    "NOT_FOUND naming the resource from the call",
    restError(404, "NOT_FOUND", "Resource not found"),
    run,
    { reason: "NotFound", hint: /^projects\/p\/locations\/europe-west1\/services\/api does not exist/ },
  ],
  [
    "NOT_FOUND with nothing to name",
    restError(404, undefined, "nope"),
    {},
    { reason: "NotFound", hint: /^the requested resource does not exist/ },
  ],
  [
    "ALREADY_EXISTS",
    grpcError(6, "exists"),
    run,
    { reason: "AlreadyExists", retryable: false, hint: /already exists: re-read it/ },
  ],
  [
    "RESOURCE_EXHAUSTED with QuotaFailure and RetryInfo (gRPC)",
    grpcError(8, "Quota exceeded", [quotaFailure("project:p", "Write requests per minute"), retryInfo("30s")]),
    run,
    {
      reason: "QuotaExceeded",
      retryable: true,
      retryAfterMs: 30_000,
      hint: "quota exhausted: Write requests per minute (project:p); calls to this API back off (server asks to wait 30s); raise the quota or lower the call rate",
    },
  ],
  [
    "RESOURCE_EXHAUSTED with the quota metric in ErrorInfo (REST, fractional delay)",
    restError(429, "RESOURCE_EXHAUSTED", "Quota exceeded", [
      errorInfo("RATE_LIMIT_EXCEEDED", {
        quota_metric: "run.googleapis.com/requests",
        quota_limit: "WriteRequestsPerMinutePerProject",
      }),
      retryInfo("12.5s"),
    ]),
    run,
    {
      reason: "QuotaExceeded",
      retryAfterMs: 12_500,
      hint: /quota exhausted: WriteRequestsPerMinutePerProject; .* wait 13s/,
    },
  ],
  [
    "HTTP 429 without details",
    restError(429, undefined, "Too Many Requests"),
    run,
    {
      reason: "QuotaExceeded",
      code: "RESOURCE_EXHAUSTED",
      retryable: true,
      retryAfterMs: undefined,
      hint: /quota exhausted: an API quota/,
    },
  ],
  [
    "gaxios 429 with a Retry-After header",
    { message: "rate", response: { status: 429, headers: { "retry-after": "7" }, data: "Too Many Requests" } },
    {},
    { reason: "QuotaExceeded", retryAfterMs: 7000 },
  ],
  [
    "gaxios 403 with a Google JSON body",
    {
      message: "Request failed",
      response: {
        status: 403,
        data: {
          error: {
            code: 403,
            status: "PERMISSION_DENIED",
            message: "caller lacks permission",
            details: [errorInfo("IAM_PERMISSION_DENIED", { permission: "vpcaccess.connectors.get" })],
          },
        },
      },
    },
    vpc,
    { reason: "PermissionDenied", permission: "vpcaccess.connectors.get", message: "caller lacks permission" },
  ],
  [
    "gRPC UNAVAILABLE",
    grpcError(14, "Connection dropped"),
    run,
    {
      reason: "Unavailable",
      code: "UNAVAILABLE",
      retryable: true,
      hint: "the API is unavailable; transient, retried with backoff",
    },
  ],
  [
    "gRPC DEADLINE_EXCEEDED",
    grpcError(4, "Deadline exceeded"),
    run,
    { reason: "Unavailable", code: "DEADLINE_EXCEEDED", retryable: true, hint: /timed out/ },
  ],
  ["HTTP 503", restError(503, undefined, "Service Unavailable"), run, { reason: "Unavailable", code: "UNAVAILABLE" }],
  ["HTTP 504", restError(504, undefined, "Gateway Timeout"), run, { reason: "Unavailable", code: "DEADLINE_EXCEEDED" }],
  [
    "ABORTED (etag mismatch)",
    grpcError(10, "etag mismatch"),
    run,
    { reason: "Conflict", retryable: true, hint: /re-read the live object/ },
  ],
  [
    "HTTP 409 without a status name",
    restError(409, undefined, "conflict"),
    run,
    { reason: "Conflict", code: "ABORTED" },
  ],
  [
    "INVALID_ARGUMENT lists field violations",
    grpcError(3, "Invalid request", [
      badRequest(
        ["service.template.timeout", "must be at most 3600s"],
        ["service.template.max_instance_request_concurrency", "must be <= 1000"],
      ),
    ]),
    run,
    {
      reason: "InvalidArgument",
      retryable: false,
      fieldViolations: [
        { field: "service.template.timeout", description: "must be at most 3600s" },
        { field: "service.template.max_instance_request_concurrency", description: "must be <= 1000" },
      ],
      hint: "fix these fields: service.template.timeout: must be at most 3600s; service.template.max_instance_request_concurrency: must be <= 1000",
    },
  ],
  [
    "INVALID_ARGUMENT over REST",
    restError(400, "INVALID_ARGUMENT", "bad", [badRequest(["connector.max_instances", "must be > min_instances"])]),
    vpc,
    { reason: "InvalidArgument", hint: "fix these fields: connector.max_instances: must be > min_instances" },
  ],
  [
    "INVALID_ARGUMENT without details",
    restError(400, undefined, "bad"),
    run,
    { reason: "InvalidArgument", fieldViolations: undefined, hint: /check the spec values/ },
  ],
  [
    "OUT_OF_RANGE",
    grpcError(11, "page token out of range"),
    monitoring,
    { reason: "InvalidArgument", code: "OUT_OF_RANGE" },
  ],
  [
    "FAILED_PRECONDITION with violations",
    grpcError(9, "not ready", [
      precondition("STATE", "projects/p/locations/l/connectors/c", "connector is still being created"),
    ]),
    vpc,
    {
      reason: "FailedPrecondition",
      retryable: false,
      hint: "precondition failed: STATE projects/p/locations/l/connectors/c: connector is still being created",
    },
  ],
  [
    "FAILED_PRECONDITION from a failed operation's Status",
    { code: 9, message: "operation in progress", details: [] },
    vpc,
    { reason: "FailedPrecondition", hint: /operation is still running/ },
  ],
  ["UNIMPLEMENTED", grpcError(12, "Method not found"), run, { reason: "Unimplemented", retryable: false }],
  ["INTERNAL", grpcError(13, "internal"), run, { reason: "Internal", retryable: true }],
  [
    "HTTP 502 maps to UNAVAILABLE, other 5xx to INTERNAL",
    { code: 599, message: "odd" },
    {},
    { reason: "Internal", code: "INTERNAL" },
  ],
  ["CANCELLED", grpcError(1, "Cancelled on client"), run, { reason: "Cancelled", retryable: true }],
  ["gRPC UNKNOWN", grpcError(2, "???"), run, { reason: "Unknown", retryable: true, hint: /unknown error; retried/ }],
  [
    "ECONNREFUSED",
    nodeError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:443"),
    run,
    { reason: "Unavailable", code: "UNAVAILABLE", retryable: true, message: "connect ECONNREFUSED 127.0.0.1:443" },
  ],
  ["ETIMEDOUT", nodeError("ETIMEDOUT", "connect ETIMEDOUT"), run, { reason: "Unavailable", code: "DEADLINE_EXCEEDED" }],
  [
    "fetch failed with the network error as cause",
    new TypeError("fetch failed", { cause: nodeError("ECONNRESET", "socket hang up") }),
    run,
    { reason: "Unavailable", code: "UNAVAILABLE", message: "socket hang up" },
  ],
  [
    "undici connect timeout",
    nodeError("UND_ERR_CONNECT_TIMEOUT", "Connect Timeout Error"),
    {},
    { reason: "Unavailable", code: "DEADLINE_EXCEEDED" },
  ],
  [
    "a TimeoutError DOMException",
    new DOMException("The operation was aborted due to timeout", "TimeoutError"),
    {},
    { reason: "Unavailable", code: "DEADLINE_EXCEEDED" },
  ],
  ["an AbortError", new DOMException("aborted", "AbortError"), {}, { reason: "Cancelled", code: "CANCELLED" }],
  [
    "a programming error",
    new TypeError("x is not a function"),
    run,
    {
      reason: "Unknown",
      retryable: false,
      message: "x is not a function",
      hint: "not a Google API error; see the message",
    },
  ],
  ["a thrown string", "boom", {}, { reason: "Unknown", retryable: false, message: "boom" }],
  ["an unknown Node error code", nodeError("ERR_SOMETHING", "weird"), {}, { reason: "Unknown", retryable: false }],
];

describe("classifyGoogleError", () => {
  it.each(rows)("%s", (_name, error, context, expected) => {
    const result = classifyGoogleError(error, context);
    const { hint, ...rest } = expected;
    for (const [key, value] of Object.entries(rest))
      expect(result[key as keyof ClassifiedGoogleError], key).toEqual(value);
    if (typeof hint === "string") expect(result.hint).toBe(hint);
    if (hint instanceof RegExp) expect(result.hint).toMatch(hint);
  });

  it("returns the classification a GoogleCallError already carries", () => {
    const classification = classifyGoogleError(grpcError(14, "down"), run);
    const wrapped = new GoogleCallError(classification, run, { cause: new Error("down") });
    expect(classifyGoogleError(wrapped)).toBe(classification);
    expect(wrapped.message).toBe(
      "run.updateService: Unavailable: down (the API is unavailable; transient, retried with backoff)",
    );
    expect(wrapped.cause).toBeInstanceOf(Error);
  });
});

describe("requiredPermission", () => {
  it.each([
    ["run", "getService", "run.services.get"],
    ["run", "createService", "run.services.create"],
    ["run", "getOperation", "run.operations.get"],
    ["vpcaccess", "getOperation", "vpcaccess.operations.get"],
    ["vpcaccess", "createConnector", "vpcaccess.connectors.create"],
    ["vpcaccess", "updateConnector", "vpcaccess.connectors.update"],
    ["monitoring", "listTimeSeries", "monitoring.timeSeries.list"],
  ] as const)("%s.%s needs %s", (api, method, permission) => {
    expect(requiredPermission(api, method)).toBe(permission);
  });

  it("knows nothing without both api and method", () => {
    expect(requiredPermission(undefined, "getService")).toBeUndefined();
    expect(requiredPermission("run", undefined)).toBeUndefined();
  });
});
