// The REST control API through its typed client, as tests, benchmarks and the demo use it.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SimControlClient, SimControlError } from "../../../src/sim/control/client.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { serviceName, servicesClient } from "./cloudrun-clients.ts";

const SEED = `
services:
  - name: projects/demo/locations/us-central1/services/api
    labels: { team: payments }
    template:
      timeout: 120s
      containers:
        - image: us-docker.pkg.dev/demo/api:1.0
          resources: { limits: { cpu: 2000m, memory: 1024Mi } }
`;

describe("control API", () => {
  let sim: Simulator;
  let control: SimControlClient;
  let client: ReturnType<typeof servicesClient>;

  beforeAll(async () => {
    sim = await startSimulator({ operationLatencyMs: 10 });
    control = new SimControlClient(`http://127.0.0.1:${sim.restPort}`);
    client = servicesClient(sim, "grpc");
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });
  beforeEach(() => control.reset());

  it("seeds services from YAML, ready, quantities as written", async () => {
    await control.seed(SEED);
    const [service] = await client.getService({ name: serviceName("api") });
    expect(service.terminalCondition?.state).toBe("CONDITION_SUCCEEDED");
    expect(service.template?.containers?.[0]?.resources?.limits).toEqual({ cpu: "2000m", memory: "1024Mi" });
    expect(Number(service.template?.timeout?.seconds)).toBe(120);
    expect(service.latestReadyRevision).toMatch(/\/revisions\/api-00001-[a-z]{3}$/);
  });

  it("rejects a seed with an unknown field, naming it", async () => {
    const bad =
      "services:\n  - name: projects/demo/locations/us-central1/services/x\n    template: { containres: [] }\n";
    await expect(control.seed(bad)).rejects.toThrow(/services\[0\].*Unknown name "containres"/);
    await expect(control.seed("widgets: []")).rejects.toThrow(/unknown top-level keys widgets/);
  });

  it("changes a service out of band the way a person with gcloud would", async () => {
    await control.seed(SEED);
    const [before] = await client.getService({ name: serviceName("api") });
    const { operation } = await control.patchService(
      serviceName("api"),
      { template: { containers: [{ image: "us-docker.pkg.dev/demo/api:2.0" }] } },
      "ci-deployer@demo.iam.gserviceaccount.com",
    );
    expect(operation).toMatch(/^projects\/demo\/locations\/us-central1\/operations\//);
    const [done] = await (await client.checkUpdateServiceProgress(operation)).promise();
    expect(String(done.generation)).toBe("2");
    expect(done.etag).not.toBe(before.etag);
    expect(done.lastModifier).toBe("ci-deployer@demo.iam.gserviceaccount.com");
    expect(done.template?.containers?.[0]?.image).toBe("us-docker.pkg.dev/demo/api:2.0");
    expect(done.template?.containers?.[0]?.resources?.limits).toEqual({ cpu: "2000m", memory: "1024Mi" });
    expect(done.latestReadyRevision).toMatch(/\/revisions\/api-00002-/);
  });

  it("makes revisions matching a template fail until the rule is cleared", async () => {
    await control.seed(SEED);
    await control.addRevisionFailure({
      templateMatch: { containers: [{ image: "bad:1" }] },
      reason: "CONTAINER_MISSING",
      message: "Image not found.",
    });
    const { operation } = await control.patchService(serviceName("api"), {
      template: { containers: [{ image: "bad:1" }] },
    });
    await expect((await client.checkUpdateServiceProgress(operation)).promise()).rejects.toMatchObject({ code: 9 });
    await expect(control.addRevisionFailure({ reason: "BROKEN", message: "m" })).rejects.toThrow(
      /reason: expected a Condition.CommonReason/,
    );
    await control.clearRevisionFailures();
    const { operation: retry } = await control.patchService(serviceName("api"), {
      template: { containers: [{ image: "bad:1" }], timeout: "60s" },
    });
    await (await client.checkUpdateServiceProgress(retry)).promise();
    const [ready] = await client.getService({ name: serviceName("api") });
    expect(ready.terminalCondition?.state).toBe("CONDITION_SUCCEEDED");
  });

  it("injects faults and reads the request log over HTTP; control calls are not logged", async () => {
    await control.seed(SEED);
    await control.addFault({ method: "GetService", code: "PERMISSION_DENIED", count: 1 });
    expect(await control.faults()).toEqual([{ method: "GetService", code: "PERMISSION_DENIED", count: 1 }]);
    await expect(client.getService({ name: serviceName("api") })).rejects.toMatchObject({ code: 7 });
    await client.getService({ name: serviceName("api") });
    const log = await control.requests({ method: "GetService", resource: serviceName("api") });
    expect(log.map((entry) => entry.code)).toEqual(["PERMISSION_DENIED", "OK"]);
    expect(await control.requests()).toHaveLength(2);
    await expect(control.addFault({ method: "", code: "UNAVAILABLE" })).rejects.toBeInstanceOf(SimControlError);
  });

  it("snapshots and restores state", async () => {
    await control.seed(SEED);
    const snapshot = await control.snapshot();
    await client.deleteService({ name: serviceName("api") }).then(async ([op]) => op.promise());
    await expect(client.getService({ name: serviceName("api") })).rejects.toMatchObject({ code: 5 });
    await control.restore(snapshot);
    const [restored] = await client.getService({ name: serviceName("api") });
    expect(restored.labels).toEqual({ team: "payments" });
  });
});
