// The contract between the simulator's transports (gRPC, REST, control API) and the simulated APIs.
// Each API is a SimModule: plain handlers over proto3 JSON objects. The transports own decoding,
// encoding, routing, the request log and fault injection, so an API module never sees a wire format.
//
// Messages are in proto3 JSON form everywhere: lowerCamelCase fields, int64 as strings, enums by name,
// google.protobuf.Duration as "75s", Timestamp as RFC 3339, Any as { "@type": url, ...fields },
// google.longrunning.Operation as OperationJson. Handlers throw SimError for Google errors.

import type { OperationStore } from "./operations.ts";

export type JsonObject = Record<string, unknown>;

/** Full method name, as in the request log and fault rules: "google.cloud.run.v2.Services/GetService". */
export type MethodName = string;

export type UnaryHandler = (request: JsonObject) => JsonObject | Promise<JsonObject>;

/** One proto service: `name` is its full name ("google.cloud.vpcaccess.v1.VpcAccessService"); `methods` by rpc name. */
export interface ServiceImpl {
  name: string;
  methods: Record<string, UnaryHandler>;
}

/**
 * A REST route outside the protos' google.api.http annotations (the VPC Access PATCH the real REST API
 * has but the published proto lacks) or a control-API route. `pattern` uses the annotation syntax:
 * "/v1/{connector.name=projects/*\/locations/*\/connectors/*}". The handler gets the request assembled the
 * way transcoding does: path variables (dotted paths become nested objects), query parameters
 * (camelCase; repeated/comma lists left as strings), and the JSON body merged at `bodyField`
 * ("*" = the whole request, a field name = that field, absent = no body).
 */
export interface RestRoute {
  httpMethod: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  pattern: string;
  bodyField?: string;
  method: MethodName;
  /**
   * The rpc whose request and response types this route uses, when `method` itself is not in the protos
   * (VPC Access v1beta1, whose messages are the v1 ones: the npm client ships only v1 protos).
   */
  typedAs?: MethodName;
  /** The request's Host header is put at this field: Cloud Run v1 takes the region from a regional endpoint's host. */
  hostField?: string;
  handler: UnaryHandler;
}

export interface SimContext {
  operations: OperationStore;
  /** Milliseconds since the epoch; every timestamp and load sample comes from here. */
  now: () => number;
}

export interface SimModule {
  services: ServiceImpl[];
  /** Extra Google-surface REST routes (logged and fault-injected like any other method). */
  restRoutes?: RestRoute[];
  /**
   * Control-API routes, served under /control on the REST port (a pattern not starting with "/control/" gets
   * that prefix); never part of a Google surface, never logged or fault-injected.
   */
  controlRoutes?: RestRoute[];
  /** Loads this module's part of a seed document (e.g. its `connectors:` list). Invalid seeds throw. */
  seed(document: JsonObject): void;
  /** Deep copy of all state, for the control API's snapshot; `restore` puts such a copy back. */
  snapshot(): JsonObject;
  restore(snapshot: JsonObject): void;
  reset(): void;
}
