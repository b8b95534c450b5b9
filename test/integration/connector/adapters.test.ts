// The VPC Access and Monitoring adapters against the simulator, over both transports: reads, the REST
// PATCH with its operation, errors in the shape classifyGoogleError understands, and metrics reads.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyGoogleError } from "../../../src/gcp/errors.ts";
import { CallGuard } from "../../../src/gcp/guard.ts";
import { ConnectorMetrics } from "../../../src/gcp/monitoring.ts";
import { VpcAccessApi } from "../../../src/gcp/vpcaccess.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { loopbackConnection } from "../../../src/gcp/connection.ts";

const NAME = "projects/demo-project/locations/us-central1/connectors/edge";
const TARGET = { project: "demo-project", region: "us-central1", name: "edge" };
const START = Date.parse("2025-03-01T12:00:00Z");

let sim: Simulator;
let clock = START;

beforeAll(async () => {
  // Google's sampling (60 s) and ingestion delay (180 s), the simulator's defaults.
  sim = await startSimulator({
    now: () => clock,
    seed: {
      connectors: [
        { name: NAME, network: "default", machineType: "e2-micro", minInstances: 2, maxInstances: 4, loadMbps: 150 },
      ],
    },
  });
  clock += 600_000;
});

afterAll(async () => {
  await sim.stop();
});

describe.each(["grpc", "rest"] as const)("adapters over %s", (transport) => {
  const connection = () => loopbackConnection(sim, transport);
  const guard = (api: "vpcaccess" | "monitoring") => new CallGuard({ api, qps: 100, burst: 100 });

  it("reads the connector with state as a name", async () => {
    const api = new VpcAccessApi(connection(), guard("vpcaccess"));
    expect(await api.getConnector(NAME)).toEqual({
      name: NAME,
      state: "READY",
      machineType: "e2-micro",
      minInstances: 2,
      // The PATCH test of the other transport may have raised it already.
      maxInstances: expect.any(Number) as number,
    });
    await api.close();
  });

  it("rejects a decrease with Google's field violation, classified as InvalidArgument", async () => {
    const api = new VpcAccessApi(connection(), guard("vpcaccess"));
    const error = await api
      .patchConnector(NAME, { minInstances: 2, maxInstances: 3 }, ["maxInstances"])
      .catch((e: unknown) => e);
    const classified = classifyGoogleError(error);
    expect(classified).toMatchObject({ reason: "InvalidArgument", retryable: false });
    expect(classified.fieldViolations?.[0]?.field).toBe("connector.max_instances");
    await api.close();
  });

  it("reads the utilization of the connector's instances", async () => {
    const metrics = new ConnectorMetrics(connection(), guard("monitoring"), { now: () => clock });
    const reading = await metrics.read(TARGET, "e2-micro");
    // 150 Mbps on two e2-micro instances (200 Mbps): 75% CPU and throughput. The p99 is estimated within
    // its 1% bucket; the newest visible point is Monitoring's 180 s old.
    expect(reading).toEqual({
      ok: true,
      utilization: { cpu: expect.closeTo(0.76, 2) as number, throughput: 0.75, instances: 2, ageMs: 180_000 },
    });
    expect(reading.ok && reading.utilization.cpu).toBeGreaterThan(0.75);
    // A Google whose clock runs 60 times faster: the same lag is 3 s of the controller's time.
    const fast = new ConnectorMetrics(connection(), guard("monitoring"), { now: () => clock, clockRate: 60 });
    expect(await fast.read(TARGET, "e2-micro")).toMatchObject({ ok: true, utilization: { ageMs: 3_000 } });
    await fast.close();
    expect(await metrics.read({ ...TARGET, name: "nothing" }, "e2-micro")).toMatchObject({
      ok: false,
      reason: "NoData",
    });
    expect(await metrics.read(TARGET, "n2-huge")).toMatchObject({ ok: false, reason: "UnknownMachineType" });
    sim.control.addFault({ method: "ListTimeSeries", code: "PERMISSION_DENIED", count: 1 });
    const denied = await metrics.read(TARGET, "e2-micro");
    expect(denied).toMatchObject({ ok: false, reason: "ReadFailed" });
    expect(denied.ok ? "" : denied.problem).toContain("monitoring.timeSeries.list");
    await metrics.close();
  });

  it("patches through REST and follows the operation", async () => {
    const api = new VpcAccessApi(connection(), guard("vpcaccess"));
    const before = await api.getConnector(NAME);
    // Only maxInstances changes; the PATCH carries minInstances too, or the simulator (like Google) refuses it.
    const operation = await api.patchConnector(NAME, { ...before, maxInstances: before.maxInstances + 1 }, [
      "maxInstances",
    ]);
    expect(sim.control.requests({ method: "PatchConnector", resource: NAME }).at(-1)?.code).toBe("OK");
    expect(operation).toMatch(/^projects\/demo-project\/locations\/us-central1\/operations\//);
    expect((await api.getConnector(NAME)).state).toBe("UPDATING");
    let status = await api.getOperation(operation);
    for (let i = 0; i < 50 && !status.done; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = await api.getOperation(operation);
    }
    expect(status).toEqual({ done: true });
    expect(await api.getConnector(NAME)).toMatchObject({ state: "READY", maxInstances: before.maxInstances + 1 });
    await expect(
      api.getOperation("projects/demo-project/locations/us-central1/operations/missing"),
    ).rejects.toMatchObject({ classification: { reason: "NotFound" } });
    await api.close();
  });
});

describe("a PATCH naming one instance bound", () => {
  it("is refused by the simulator, as by Google; the adapter's PATCH with both is accepted", async () => {
    const url = `http://127.0.0.1:${sim.restPort}/v1/${NAME}?updateMask=maxInstances`;
    const response = await fetch(url, {
      method: "PATCH",
      headers: { "content-type": "application/json", authorization: "Bearer test" },
      body: JSON.stringify({ name: NAME, maxInstances: 9 }),
    });
    const body = (await response.json()) as { error: { status: string; details: Array<Record<string, unknown>> } };
    expect(response.status).toBe(400);
    expect(body.error.status).toBe("INVALID_ARGUMENT");
    expect(body.error.details[0]?.fieldViolations).toEqual([expect.objectContaining({ field: "update_mask" })]);
  });
});
