// The Kubernetes API server goes away for longer than the renew deadline. As with controller-runtime, the
// leader cannot prove it still holds its Lease and exits (code 1) so that nothing it started can still
// write. The kubelet restarts it; the test plays the kubelet. The restarted process must not crash while
// the API server is still down: it stays alive (/healthz 200, /readyz 503) and retries with back-off, then
// re-acquires the Lease and converges once the API server is back. This file runs its own etcd and
// kube-apiserver, since the shared one cannot be stopped.

import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_VERSION, GROUP, VERSION } from "../../../src/api/common.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { startRun, type DriftguardProcess } from "../../support/driftguard-process.ts";
import { Envtest } from "../../support/envtest.ts";
import { until } from "../../support/until.ts";

const NAMESPACE = "outage";
const SERVICE = "projects/ha-project/locations/us-central1/services/outage";
const RENEW_DEADLINE_MS = 2_000;

describe("a kube-apiserver outage longer than the renew deadline", () => {
  const envtest = new Envtest({ crdDirectory: fileURLToPath(new URL("../../../crds", import.meta.url)) });
  let sim: Simulator;
  let custom: CustomObjectsApi;
  const processes: DriftguardProcess[] = [];

  const start = async (): Promise<DriftguardProcess> => {
    const started = await startRun({
      sim,
      kubeconfig: envtest.kubeconfigPath,
      leaderElection: { namespace: NAMESPACE, renewDeadlineMs: RENEW_DEADLINE_MS },
    });
    processes.push(started);
    return started;
  };
  const timeout = () =>
    (sim.control.getService(SERVICE) as unknown as { template: { timeout?: string } }).template.timeout;

  beforeAll(async () => {
    await envtest.start();
    const kc = new KubeConfig();
    kc.loadFromFile(envtest.kubeconfigPath);
    custom = kc.makeApiClient(CustomObjectsApi);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
    sim = await startSimulator({
      operationLatencyMs: 50,
      seed: { services: [{ name: SERVICE, template: { containers: [{ image: "app:v1" }], timeout: "300s" } }] },
    });
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await sim.stop();
    await envtest.stop();
  });

  it("exits, comes back without crashing while the API server is down, re-acquires and converges", async () => {
    const first = await start();
    await first.waitForAnswer("/readyz", "ok: leading\n", 30_000);
    await custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NAMESPACE,
      plural: "cloudrunserviceconfigs",
      body: {
        apiVersion: API_VERSION,
        kind: "CloudRunServiceConfig",
        metadata: { name: "outage" },
        spec: {
          service: { project: "ha-project", region: "us-central1", name: "outage" },
          resyncInterval: "1s",
          requestTimeout: "600s",
        },
      },
    });
    await until("the spec to be applied", () => timeout() === "600s");

    await envtest.stopApiServer();
    const downAt = Date.now();
    const exit = await first.exited;
    expect(exit, first.output()).toEqual({ code: 1, signal: null });
    expect(Date.now() - downAt).toBeLessThan(RENEW_DEADLINE_MS + 3_000);
    expect(first.output()).toContain("lost the leader lease");

    // The restart, while the API server is still down: alive and waiting, not ready, not leading.
    const second = await start();
    await second.waitFor("the restarted process to serve its probes", () => second.get("/healthz"), 30_000);
    await sleep(5_000);
    expect(second.child.exitCode, second.output()).toBeNull();
    expect(await second.get("/healthz")).toEqual({ status: 200, body: "ok\n" });
    expect((await second.get("/readyz"))?.status).toBe(503);
    // Drift made during the outage waits for the controller's return.
    sim.control.patchService(SERVICE, { template: { timeout: "30s" } });

    await envtest.startApiServer();
    const backAt = Date.now();
    await second.waitForAnswer("/readyz", "ok: leading\n", 60_000);
    await until("the drift to be healed", () => timeout() === "600s", 30_000);
    await custom.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: NAMESPACE,
        plural: "cloudrunserviceconfigs",
        name: "outage",
        body: { spec: { requestTimeout: "900s" } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await until("a new spec to be applied", () => timeout() === "900s", 30_000);
    console.log(
      `apiserver-outage: leading and converged ${((Date.now() - backAt) / 1000).toFixed(1)}s after the API server returned`,
    );
    expect(second.child.exitCode).toBeNull();
  });
});
