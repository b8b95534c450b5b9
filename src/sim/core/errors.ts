// Errors the simulated Google APIs return. One class serves both transports: gRPC sends `code` +
// `message` + a google.rpc.Status in `grpc-status-details-bin`; REST sends Google's JSON error body
// `{ error: { code: <http>, message, status: "INVALID_ARGUMENT", details: [...] } }`.

/** google.rpc.Code, by name and number. */
export const RpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type RpcCodeName = keyof typeof RpcCode;

/** HTTP status Google's REST surface uses for each code: the "HTTP Mapping" of each code in google/rpc/code.proto. */
export const httpStatusOf: Record<RpcCodeName, number> = {
  OK: 200,
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401,
};

/** One google.rpc.BadRequest.FieldViolation: `field` is a proto path such as `service.template.timeout`. */
export interface FieldViolation {
  field: string;
  description: string;
}

/**
 * A google.rpc.Status detail, in proto3 JSON form with its `@type`, e.g.
 * `{ "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [...] }` or
 * `{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason, domain, metadata }`.
 */
export type StatusDetail = { "@type": string } & Record<string, unknown>;

export class SimError extends Error {
  readonly code: RpcCodeName;
  readonly details: StatusDetail[];

  constructor(code: RpcCodeName, message: string, details: StatusDetail[] = []) {
    super(message);
    this.name = "SimError";
    this.code = code;
    this.details = details;
  }

  static invalidArgument(message: string, violations: FieldViolation[]): SimError {
    return new SimError("INVALID_ARGUMENT", message, [
      { "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: violations },
    ]);
  }

  static notFound(resourceName: string): SimError {
    return new SimError("NOT_FOUND", `Resource '${resourceName}' was not found`, [
      { "@type": "type.googleapis.com/google.rpc.ResourceInfo", resourceName, description: "not found" },
    ]);
  }

  /** google.rpc.Status in proto3 JSON form, as stored in a failed Operation's `error`. */
  toStatus(): { code: number; message: string; details: StatusDetail[] } {
    return { code: RpcCode[this.code], message: this.message, details: this.details };
  }
}
