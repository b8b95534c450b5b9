import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import type { SimError } from "./errors.ts";
import { toProto3Json } from "./proto-json.ts";
import { fromProto3Json } from "./proto-json-parse.ts";
import { loadSimProtos } from "./protos.ts";

const root = loadSimProtos();
const type = (name: string) => root.lookupType(name);

/** JSON -> message -> wire bytes -> message -> JSON, as a request crosses the gRPC transport. */
function roundTrip(typeName: string, json: unknown): Record<string, unknown> {
  const t = type(typeName);
  return toProto3Json(t, t.decode(t.encode(fromProto3Json(t, json)).finish()));
}

describe("proto3 JSON conversion", () => {
  it("keeps Duration, Timestamp, int64 and enums in their JSON forms", () => {
    const json = {
      generation: "9007199254740993",
      createTime: "2024-05-01T12:30:00.250Z",
      launchStage: "BETA",
      template: { timeout: "1.500s" },
    };
    expect(roundTrip("google.cloud.run.v2.Service", json)).toEqual(json);
    expect(roundTrip("google.cloud.run.v2.Service", { template: { timeout: "1.5s" } })).toEqual({
      template: { timeout: "1.500s" },
    });
  });

  it("accepts enum numbers, snake_case names and int64 numbers, and answers canonically", () => {
    const json = { launch_stage: 4, observed_generation: 3 };
    expect(roundTrip("google.cloud.run.v2.Service", json)).toEqual({ launchStage: "GA", observedGeneration: "3" });
  });

  it("renders enums as numbers on request", () => {
    const t = type("google.cloud.run.v2.Service");
    expect(toProto3Json(t, fromProto3Json(t, { launchStage: "GA" }), { enumsAsNumbers: true })).toEqual({
      launchStage: 4,
    });
  });

  it("normalises timestamps with an offset to UTC and keeps nanosecond precision", () => {
    const t = "google.cloud.run.v2.Service";
    expect(roundTrip(t, { updateTime: "2024-05-01T14:30:00+02:00" })).toEqual({ updateTime: "2024-05-01T12:30:00Z" });
    expect(roundTrip(t, { updateTime: "2024-05-01T12:30:00.000000007Z" })).toEqual({
      updateTime: "2024-05-01T12:30:00.000000007Z",
    });
  });

  it("handles negative and fractional durations", () => {
    const d = (value: string) => roundTrip("google.longrunning.WaitOperationRequest", { timeout: value }).timeout;
    expect(d("-2.5s")).toBe("-2.500s");
    expect(d("0.000001s")).toBe("0.000001s");
    expect(d("75s")).toBe("75s");
  });

  it("omits proto3 defaults but keeps set oneof members and maps", () => {
    const json = { type: "Ready", state: "STATE_UNSPECIFIED", revisionReason: "PENDING" };
    expect(roundTrip("google.cloud.run.v2.Condition", json)).toEqual({ type: "Ready", revisionReason: "PENDING" });
    expect(roundTrip("google.cloud.run.v2.Service", { labels: { a: "1" }, reconciling: false })).toEqual({
      labels: { a: "1" },
    });
  });

  it("packs Any with its @type and unpacks it through the registry", () => {
    const operation = {
      name: "projects/p/locations/l/operations/1",
      done: true,
      response: { "@type": "type.googleapis.com/google.cloud.run.v2.Service", name: "s", generation: "2" },
      error: {
        code: 3,
        message: "bad",
        details: [
          { "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ field: "f", description: "d" }] },
        ],
      },
    };
    expect(roundTrip("google.longrunning.Operation", operation)).toEqual(operation);
  });

  it("wraps well-known types packed in Any under value", () => {
    const json = {
      name: "o",
      done: true,
      response: { "@type": "type.googleapis.com/google.protobuf.Duration", value: "3s" },
    };
    expect(roundTrip("google.longrunning.Operation", json)).toEqual(json);
  });

  it("converts FieldMask between JSON camelCase and proto snake_case paths", () => {
    const t = type("google.cloud.run.v2.UpdateServiceRequest");
    const message = fromProto3Json(t, { updateMask: "template.maxInstanceRequestConcurrency,labels" }) as unknown as {
      updateMask: { paths: string[] };
    };
    expect(message.updateMask.paths).toEqual(["template.max_instance_request_concurrency", "labels"]);
    expect(toProto3Json(t, message)).toEqual({ updateMask: "template.maxInstanceRequestConcurrency,labels" });
  });

  it("converts Struct, Value and ListValue", () => {
    const struct = { a: 1, b: "x", c: true, d: null, e: [1, "y"], f: { g: 2 } };
    const t = type("google.protobuf.Struct");
    expect(toProto3Json(t, t.decode(t.encode(fromProto3Json(t, struct)).finish()))).toEqual(struct);
  });

  it("converts wrapper types to their bare values", () => {
    const wrappers = protobuf.Root.fromJSON(protobuf.common.get("google/protobuf/wrappers.proto") ?? {});
    const source = `syntax = "proto3"; package test;
      message W { google.protobuf.Int64Value count = 1; google.protobuf.BoolValue flag = 2; google.protobuf.StringValue note = 3; }`;
    protobuf.parse(source, wrappers);
    wrappers.resolveAll();
    const t = wrappers.lookupType("test.W");
    expect(toProto3Json(t, t.decode(t.encode(fromProto3Json(t, { count: "12", flag: false })).finish()))).toEqual({
      count: "12",
      flag: false,
    });
    expect(toProto3Json(t, t.decode(t.encode(fromProto3Json(t, { note: "" })).finish()))).toEqual({ note: "" });
  });

  it("rejects unknown fields and wrong types with a field path", () => {
    const t = type("google.cloud.run.v2.Service");
    const error = (json: unknown) => {
      try {
        fromProto3Json(t, json);
      } catch (err) {
        return err as SimError;
      }
      throw new Error("expected a SimError");
    };
    expect(error({ template: { containres: [] } }).message).toBe(
      "Invalid JSON payload received. Unknown name \"containres\": Cannot find field at 'template'",
    );
    expect(error({ template: { timeout: "forever" } }).details[0]).toMatchObject({
      fieldViolations: [{ field: "template.timeout" }],
    });
    expect(error({ launchStage: "SOON" }).message).toContain("expected one of");
    expect(error({ generation: "1.5" }).code).toBe("INVALID_ARGUMENT");
    expect(error({ template: { containers: { image: "x" } } }).message).toContain("Expected a list");
    expect(error({ toString: "x" }).message).toContain('Unknown name "toString"');
  });

  it("accepts snake_case field names as well as lowerCamel, in any order of use", () => {
    const json = { template: { max_instance_request_concurrency: 5, maxInstanceRequestConcurrency: 7 } };
    expect(roundTrip("google.cloud.run.v2.Service", json)).toEqual({ template: { maxInstanceRequestConcurrency: 7 } });
    expect(roundTrip("google.cloud.run.v2.Service", { launch_stage: "BETA" })).toEqual({ launchStage: "BETA" });
  });
});
