// Fault injection and the request log, observed through the real client on both transports.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { PARENT, serviceName, servicesClient, type Transport } from "./cloudrun-clients.ts";

const GET = "google.cloud.run.v2.Services/GetService";
/** No client-side retries, so each call the test makes is exactly one request. */
const NO_RETRY = { retry: { retryCodes: [] } };

describe.each<Transport>(["grpc", "rest"])("faults and request log over %s", (transport) => {
  let sim: Simulator;
  let client: ReturnType<typeof servicesClient>;

  beforeAll(async () => {
    sim = await startSimulator({ operationLatencyMs: 5 });
    client = servicesClient(sim, transport);
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });
  beforeEach(async () => {
    sim.control.reset();
    const [operation] = await client.createService({
      parent: PARENT,
      serviceId: "web",
      service: { template: { containers: [{ image: "img" }] } },
    });
    await operation.promise();
    sim.control.clearRequests();
  });

  it("fails every call with probability 1 until the rule is cleared", async () => {
    sim.control.addFault({ method: "GetService", code: "UNAVAILABLE", probability: 1 });
    await expect(client.getService({ name: serviceName("web") }, NO_RETRY)).rejects.toMatchObject({ code: 14 });
    await expect(client.getService({ name: serviceName("web") }, NO_RETRY)).rejects.toMatchObject({ code: 14 });
    sim.control.clearFaults();
    await client.getService({ name: serviceName("web") }, NO_RETRY);
    expect(sim.control.requests({ method: GET }).map((r) => [r.code, r.transport, r.resource])).toEqual([
      ["UNAVAILABLE", transport, serviceName("web")],
      ["UNAVAILABLE", transport, serviceName("web")],
      ["OK", transport, serviceName("web")],
    ]);
  });

  it("lets the client's own retry of UNAVAILABLE succeed after `count` failures", async () => {
    sim.control.addFault({ method: "GetService", code: "UNAVAILABLE", count: 2 });
    const [service] = await client.getService({ name: serviceName("web") });
    expect(service.name).toBe(serviceName("web"));
    expect(sim.control.requests({ method: GET }).map((r) => r.code)).toEqual(["UNAVAILABLE", "UNAVAILABLE", "OK"]);
  });

  it("fails exactly `count` calls, then succeeds", async () => {
    sim.control.addFault({ method: GET, code: "RESOURCE_EXHAUSTED", count: 2 });
    const outcomes = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push(
        await client.getService({ name: serviceName("web") }, NO_RETRY).then(
          () => 0,
          (e: { code: number }) => e.code,
        ),
      );
    }
    expect(outcomes).toEqual([8, 8, 0]);
    expect(sim.control.faults()).toEqual([]);
  });

  it("adds latency without failing", async () => {
    sim.control.addFault({ method: "GetService", latencyMs: 150 });
    const started = performance.now();
    await client.getService({ name: serviceName("web") }, NO_RETRY);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("logs each call with method, resource and outcome, filterable and clearable", async () => {
    await client.getService({ name: serviceName("web") });
    await client.getService({ name: serviceName("missing") }).catch(() => undefined);
    await client.listServices({ parent: PARENT });
    expect(sim.control.requests({ resource: serviceName("missing") }).map((r) => r.code)).toEqual(["NOT_FOUND"]);
    expect(sim.control.requests({ method: "ListServices" })).toHaveLength(1);
    expect(sim.control.requests()).toHaveLength(3);
    sim.control.clearRequests();
    expect(sim.control.requests()).toEqual([]);
  });
});

it("rejects an invalid fault rule with the field named", async () => {
  const sim = await startSimulator();
  try {
    expect(() => sim.control.addFault({ method: "GetService", code: "NOPE" as "UNAVAILABLE" })).toThrow(
      /code: expected a gRPC status name/,
    );
    expect(() => sim.control.addFault({ method: "GetService", code: "UNAVAILABLE", probability: 2 })).toThrow(
      /probability/,
    );
  } finally {
    await sim.stop();
  }
});
