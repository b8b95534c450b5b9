// Injected faults carry Google's error details (ErrorInfo, QuotaFailure, RetryInfo, ResourceInfo, Help; and
// Retry-After over REST), and driftguard's classification turns each shape into the right reason and hint:
// through the real Cloud Run and VPC Access clients over gRPC and REST, and the REST PATCH adapter.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loopbackConnection } from "../../../src/gcp/connection.ts";
import type { ClassifiedGoogleError } from "../../../src/gcp/errors.ts";
import { CallGuard } from "../../../src/gcp/guard.ts";
import { ConnectorMetrics } from "../../../src/gcp/monitoring.ts";
import { VpcAccessApi } from "../../../src/gcp/vpcaccess.ts";
import type { FaultRule } from "../../../src/sim/core/faults.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { PARENT, serviceName, servicesClient, type Transport } from "./cloudrun-clients.ts";

const SERVICE = serviceName("web");
const CONNECTOR = `${PARENT}/connectors/edge`;
const NO_RETRY = { retry: { retryCodes: [] } };

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    operationLatencyMs: 5,
    seed: {
      services: [{ name: SERVICE, template: { containers: [{ image: "img" }] } }],
      connectors: [{ name: CONNECTOR, machineType: "e2-micro", minInstances: 2, maxInstances: 3 }],
    },
  });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => sim.control.clearFaults());

/** What the controller's call guard reports for the call's failure. */
async function classified(api: "run" | "vpcaccess", method: string, resource: string, call: () => Promise<unknown>) {
  const guard = new CallGuard({ api, qps: 100, burst: 100 });
  const error = await guard.call(method, call, resource).then(
    () => undefined,
    (e: unknown) => e as { classification: ClassifiedGoogleError },
  );
  if (!error) throw new Error(`${method} succeeded despite the fault`);
  return error.classification;
}

const SHAPES: Array<[string, Omit<FaultRule, "method">, Partial<ClassifiedGoogleError>, RegExp]> = [
  [
    "429 RATE_LIMIT_EXCEEDED with RetryInfo",
    { code: "RESOURCE_EXHAUSTED", retryDelaySeconds: 7 },
    { reason: "QuotaExceeded", retryable: true, retryAfterMs: 7000 },
    /quota exhausted: ReadRequestsPerMinutePerProject; .*server asks to wait 7s/,
  ],
  [
    "403 IAM_PERMISSION_DENIED",
    { code: "PERMISSION_DENIED" },
    { reason: "PermissionDenied", retryable: false },
    /^grant the controller's service account (run|vpcaccess)\.\w+\.get on projects\/demo\//,
  ],
  [
    "403 SERVICE_DISABLED",
    { reason: "SERVICE_DISABLED" },
    { reason: "PermissionDenied", retryable: false },
    /^(run|vpcaccess)\.googleapis\.com is not enabled on projects\/demo: enable it \(gcloud services enable \1\.googleapis\.com\)/,
  ],
  [
    "404 NOT_FOUND",
    { code: "NOT_FOUND" },
    { reason: "NotFound", retryable: false },
    /projects\/demo\/.* does not exist/,
  ],
  ["409 ABORTED", { code: "ABORTED" }, { reason: "Conflict", retryable: true }, /concurrent modification/],
  [
    "503 UNAVAILABLE with RetryInfo",
    { code: "UNAVAILABLE", retryDelaySeconds: 2 },
    { reason: "Unavailable", retryable: true, retryAfterMs: 2000 },
    /the API is unavailable; transient/,
  ],
];

describe.each<Transport>(["grpc", "rest"])("Google's error shapes through the real clients over %s", (transport) => {
  it.each(SHAPES)("Cloud Run getService: %s", async (_name, fault, expected, hint) => {
    sim.control.addFault({ method: "GetService", ...fault, count: 1 });
    const client = servicesClient(sim, transport);
    const result = await classified("run", "getService", SERVICE, () => client.getService({ name: SERVICE }, NO_RETRY));
    await client.close();
    expect(result).toMatchObject(expected);
    expect(result.hint).toMatch(hint);
  });

  it.each(SHAPES)("VPC Access getConnector: %s", async (_name, fault, expected, hint) => {
    sim.control.addFault({ method: "GetConnector", ...fault, count: 1 });
    const api = new VpcAccessApi(
      loopbackConnection(sim, transport),
      new CallGuard({ api: "vpcaccess", qps: 100, burst: 100 }),
    );
    const error = await api.getConnector(CONNECTOR).then(
      () => undefined,
      (e: unknown) => e as { classification: ClassifiedGoogleError },
    );
    await api.close();
    expect(error?.classification).toMatchObject(expected);
    expect(error?.classification.hint).toMatch(hint);
  });

  it("Monitoring reads report a disabled API and an exhausted quota with what to do", async () => {
    const metrics = new ConnectorMetrics(
      loopbackConnection(sim, transport),
      new CallGuard({ api: "monitoring", qps: 100, burst: 100 }),
    );
    const target = { project: "demo", region: "us-central1", name: "edge" };
    sim.control.addFault({ method: "ListTimeSeries", reason: "SERVICE_DISABLED" });
    const disabled = await metrics.read(target, "e2-micro");
    expect(disabled).toMatchObject({ ok: false, reason: "ReadFailed" });
    expect(disabled.ok ? "" : disabled.problem).toContain(
      "monitoring.googleapis.com is not enabled on projects/demo: enable it (gcloud services enable monitoring.googleapis.com)",
    );
    sim.control.clearFaults();
    sim.control.addFault({ method: "ListTimeSeries", reason: "RATE_LIMIT_EXCEEDED" });
    const limited = await metrics.read(target, "e2-micro");
    expect(limited.ok ? "" : limited.problem).toContain("quota exhausted: ReadRequestsPerMinutePerProject");
    await metrics.close();
  });
});

describe("the REST PATCH adapter", () => {
  it("reads RESOURCE_EXHAUSTED's RetryInfo, Retry-After and quota limit from Google's JSON error", async () => {
    sim.control.addFault({ method: "PatchConnector", code: "RESOURCE_EXHAUSTED", retryDelaySeconds: 9, count: 1 });
    const response = await fetch(
      `http://127.0.0.1:${sim.restPort}/v1/${CONNECTOR}?updateMask=minInstances,maxInstances`,
      {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ minInstances: 2, maxInstances: 4 }),
      },
    );
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("9");
    const body = (await response.json()) as { error: { status: string; details: Array<{ "@type": string }> } };
    expect(body.error.status).toBe("RESOURCE_EXHAUSTED");
    expect(body.error.details.map((d) => d["@type"])).toEqual([
      "type.googleapis.com/google.rpc.ErrorInfo",
      "type.googleapis.com/google.rpc.QuotaFailure",
      "type.googleapis.com/google.rpc.Help",
      "type.googleapis.com/google.rpc.RetryInfo",
    ]);

    sim.control.addFault({ method: "PatchConnector", code: "RESOURCE_EXHAUSTED", retryDelaySeconds: 9, count: 1 });
    const api = new VpcAccessApi(
      loopbackConnection(sim, "rest"),
      new CallGuard({ api: "vpcaccess", qps: 100, burst: 100 }),
    );
    const error = await api.patchConnector(CONNECTOR, { minInstances: 2, maxInstances: 4 }, ["maxInstances"]).then(
      () => undefined,
      (e: unknown) => e as { classification: ClassifiedGoogleError },
    );
    await api.close();
    expect(error?.classification).toMatchObject({ reason: "QuotaExceeded", retryAfterMs: 9000 });
    expect(error?.classification.hint).toMatch(/quota exhausted: WriteRequestsPerMinutePerProject/);
  });

  it("names vpcaccess.connectors.update when the PATCH is denied", async () => {
    sim.control.addFault({ method: "PatchConnector", code: "PERMISSION_DENIED", count: 1 });
    const api = new VpcAccessApi(
      loopbackConnection(sim, "rest"),
      new CallGuard({ api: "vpcaccess", qps: 100, burst: 100 }),
    );
    const error = await api.patchConnector(CONNECTOR, { minInstances: 2, maxInstances: 4 }, ["maxInstances"]).then(
      () => undefined,
      (e: unknown) => e as { classification: ClassifiedGoogleError },
    );
    await api.close();
    expect(error?.classification).toMatchObject({
      reason: "PermissionDenied",
      permission: "vpcaccess.connectors.update",
    });
    expect(error?.classification.hint).toBe(
      `grant the controller's service account vpcaccess.connectors.update on ${CONNECTOR}`,
    );
  });
});
