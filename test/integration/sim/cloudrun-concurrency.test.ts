// Optimistic concurrency: many writers holding the same etag race, and exactly one wins.

import { afterAll, beforeAll, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { PARENT, serviceName, servicesClient } from "./cloudrun-clients.ts";

let sim: Simulator;
let client: ReturnType<typeof servicesClient>;

beforeAll(async () => {
  sim = await startSimulator({ operationLatencyMs: 10 });
  client = servicesClient(sim, "grpc");
});
afterAll(async () => {
  await client.close();
  await sim.stop();
});

it("lets exactly one of 100 concurrent updates with the same etag succeed", async () => {
  const [operation] = await client.createService({
    parent: PARENT,
    serviceId: "race",
    service: { template: { containers: [{ image: "img:1" }] } },
  });
  const [created] = await operation.promise();
  const attempts = Array.from({ length: 100 }, (_, i) =>
    client.updateService({ service: { ...created, labels: { attempt: String(i) } } }).then(
      () => "ok",
      (err: { code?: number }) => err.code,
    ),
  );
  const outcomes = await Promise.all(attempts);
  expect(outcomes.filter((o) => o === "ok")).toHaveLength(1);
  expect(outcomes.filter((o) => o === 10)).toHaveLength(99);
  const [service] = await client.getService({ name: serviceName("race") });
  expect(String(service.generation)).toBe("2");
  expect(sim.control.requests({ method: "UpdateService" }).filter((r) => r.code === "ABORTED")).toHaveLength(99);
});
