// A leader whose lease renewals fail: its lease lives on a private API server that is then stopped, while
// its caches and writes use the shared one. It must stop leading and writing within the renew deadline.

import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_VERSION, GROUP, VERSION } from "../../../src/api/common.ts";
import { NotLeaderError } from "../../../src/controller/leader-gate.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { Envtest } from "../../support/envtest.ts";
import { createNamespace, testKubeConfig } from "../../support/kube.ts";
import { until } from "../../support/until.ts";
import { startReplica, TIMINGS, type Replica } from "./replica.ts";

const SERVICE = "projects/ha-project/locations/us-central1/services/lonely";

describe("a leader that cannot renew its lease", () => {
  const envtest = new Envtest();
  let sim: Simulator;
  let namespace: string;
  let replica: Replica | undefined;
  const custom = testKubeConfig().makeApiClient(CustomObjectsApi);
  const target = () => ({ group: GROUP, version: VERSION, namespace, plural: "cloudrunserviceconfigs" });
  const timeout = () =>
    (sim.control.getService(SERVICE) as unknown as { template: { timeout?: string } }).template.timeout;

  beforeAll(async () => {
    await envtest.start();
    sim = await startSimulator({
      operationLatencyMs: 50,
      seed: { services: [{ name: SERVICE, template: { containers: [{ image: "app:v1" }], timeout: "300s" } }] },
    });
    namespace = await createNamespace("ha-renew");
  });
  afterAll(async () => {
    await replica?.controller.stop(1_000);
    await sim.stop();
    await envtest.stop();
  });

  it("stops leading, reconciling and calling Google within the renew deadline", async () => {
    const leaseKubeConfig = new KubeConfig();
    leaseKubeConfig.loadFromFile(envtest.kubeconfigPath);
    const r = await startReplica("lonely", namespace, sim, { leaseKubeConfig, leaseNamespace: "default" });
    replica = r;
    await until("leadership", () => r.elector.isLeader());
    await custom.createNamespacedCustomObject({
      ...target(),
      body: {
        apiVersion: API_VERSION,
        kind: "CloudRunServiceConfig",
        metadata: { name: "lonely" },
        spec: {
          service: { project: "ha-project", region: "us-central1", name: "lonely" },
          resyncInterval: "1s",
          requestTimeout: "600s",
        },
      },
    });
    await until("the change to be applied", () => timeout() === "600s");

    const lost = new Promise<number>((resolve) => r.elector.onChange((leading) => !leading && resolve(Date.now())));
    const cutAt = Date.now();
    await envtest.stopApiServer();
    const downAt = Date.now();
    const lostAt = await lost;
    // The last renewal succeeded at most one retry period before the cut, and none after the server was gone.
    expect(lostAt - cutAt).toBeGreaterThan(TIMINGS.renewDeadlineMs - 1.2 * TIMINGS.retryPeriodMs - 200);
    expect(lostAt - downAt).toBeLessThanOrEqual(TIMINGS.renewDeadlineMs + 500);

    expect(r.elector.isLeader()).toBe(false);
    expect(r.controller.reconciling()).toBe(false);
    // Anything still in flight is refused its next Google call.
    await expect(r.controller.guards.run.call("GetService", () => Promise.resolve("called"))).rejects.toThrow(
      NotLeaderError,
    );

    const calls = r.googleCalls;
    await custom.patchNamespacedCustomObject(
      { ...target(), name: "lonely", body: { spec: { requestTimeout: "900s" } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    // Longer than the resync interval and the operation poll: a running controller would have acted.
    await sleep(2_000);
    expect(r.googleCalls).toBe(calls);
    expect(timeout()).toBe("600s");
  });
});
