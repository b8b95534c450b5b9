// The Kubernetes API server goes away for longer than the renew deadline. As with controller-runtime, the
// leader cannot prove it still holds its Lease and exits (code 1) so that nothing it started can still
// write. The kubelet restarts it; the test plays the kubelet. The restarted process must not crash while
// the API server is still down: it stays alive (/healthz 200, /readyz 503) and retries with back-off, then
// re-acquires the Lease and converges once the API server is back. This file runs its own etcd and
// kube-apiserver, since the shared one cannot be stopped.

import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_VERSION, GROUP, VERSION } from "../../../src/api/common.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { Envtest, freePort } from "../../support/envtest.ts";
import { until } from "./replica.ts";

const MAIN = fileURLToPath(new URL("../../../src/cli/main.ts", import.meta.url));
const NAMESPACE = "outage";
const SERVICE = "projects/ha-project/locations/us-central1/services/outage";
const RENEW_DEADLINE_MS = 2_000;

interface Process {
  child: ChildProcess;
  port: number;
  output: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe("a kube-apiserver outage longer than the renew deadline", () => {
  const envtest = new Envtest({ crdDirectory: fileURLToPath(new URL("../../../crds", import.meta.url)) });
  let sim: Simulator;
  let custom: CustomObjectsApi;
  const processes: Process[] = [];

  const start = async (): Promise<Process> => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        MAIN,
        "run",
        "--kubeconfig",
        envtest.kubeconfigPath,
        "--gcp-endpoint",
        `127.0.0.1:${sim.grpcPort}`,
        "--gcp-access-token",
        "sim-token",
        "--health-port",
        String(port),
        "--leader-election-namespace",
        NAMESPACE,
        "--lease-duration=3s",
        `--renew-deadline=${RENEW_DEADLINE_MS / 1000}s`,
        "--retry-period=500ms",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const started: Process = {
      child,
      port,
      output: "",
      exited: new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal }))),
    };
    child.stdout?.on("data", (chunk: Buffer) => (started.output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (started.output += chunk.toString()));
    processes.push(started);
    return started;
  };
  const probe = async (p: Process, path: string) => {
    const res = await fetch(`http://127.0.0.1:${p.port}${path}`).catch(() => undefined);
    return res ? { status: res.status, body: (await res.text()).trim() } : undefined;
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
    for (const { child } of processes) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await sim.stop();
    await envtest.stop();
  });

  it("exits, comes back without crashing while the API server is down, re-acquires and converges", async () => {
    const first = await start();
    await until(
      "the first process to lead",
      async () => (await probe(first, "/readyz"))?.body === "ok: leading",
      30_000,
    );
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
    expect(exit, first.output).toEqual({ code: 1, signal: null });
    expect(Date.now() - downAt).toBeLessThan(RENEW_DEADLINE_MS + 3_000);
    expect(first.output).toContain("lost the leader lease");

    // The restart, while the API server is still down: alive and waiting, not ready, not leading.
    const second = await start();
    await until("the restarted process to serve its probes", () => probe(second, "/healthz"), 30_000);
    await sleep(5_000);
    expect(second.child.exitCode, second.output).toBeNull();
    expect(await probe(second, "/healthz")).toEqual({ status: 200, body: "ok" });
    expect((await probe(second, "/readyz"))?.status).toBe(503);
    // Drift made during the outage waits for the controller's return.
    sim.control.patchService(SERVICE, { template: { timeout: "30s" } });

    await envtest.startApiServer();
    const backAt = Date.now();
    await until(
      "the restarted process to lead",
      async () => (await probe(second, "/readyz"))?.body === "ok: leading",
      60_000,
    );
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
