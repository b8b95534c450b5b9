// `driftguard run` as a real process: its health and metrics endpoints over HTTP, and a clean SIGTERM that
// exits 0 within the shutdown timeout and leaves the lease free for the next replica.

import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { freePort } from "../../support/envtest.ts";
import { createCloudRunConfig, createNamespace, kubeconfigPath, testKubeConfig } from "../../support/kube.ts";
import { readLease, until } from "./replica.ts";

const MAIN = fileURLToPath(new URL("../../../src/cli/main.ts", import.meta.url));
const SERVICE = "projects/ha-project/locations/us-central1/services/api";
const SHUTDOWN_TIMEOUT_MS = 5_000;

describe("driftguard run", () => {
  let sim: Simulator;
  let namespace: string;
  let port: number;
  let child: ChildProcess;
  let output = "";
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, body: await res.text() };
  };

  beforeAll(async () => {
    sim = await startSimulator({
      operationLatencyMs: 50,
      seed: { services: [{ name: SERVICE, template: { containers: [{ image: "app:v1" }], timeout: "300s" } }] },
    });
    namespace = await createNamespace("ha-run");
    port = await freePort();
    child = spawn(
      process.execPath,
      [
        MAIN,
        "run",
        "--kubeconfig",
        kubeconfigPath(),
        "--namespace",
        namespace,
        "--gcp-endpoint",
        `127.0.0.1:${sim.grpcPort}`,
        "--gcp-access-token",
        "sim-token",
        "--health-port",
        String(port),
        "--leader-election-namespace",
        namespace,
        "--lease-duration=3s",
        "--renew-deadline=2s",
        "--retry-period=500ms",
        `--shutdown-timeout=${SHUTDOWN_TIMEOUT_MS / 1000}s`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  });
  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await sim.stop();
  });

  it("serves /healthz, /readyz and /metrics once it leads", async () => {
    // A synced standby is ready too; wait until this one also leads.
    await until(
      "/readyz to report leading",
      async () => (await get("/readyz").catch(() => undefined))?.body === "ok: leading\n",
      30_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${output}`);
    });
    expect(await get("/readyz")).toEqual({ status: 200, body: "ok: leading\n" });
    expect(await get("/healthz")).toEqual({ status: 200, body: "ok\n" });

    await createCloudRunConfig(namespace, "api", {
      service: { project: "ha-project", region: "us-central1", name: "api" },
      resyncInterval: "60s",
      requestTimeout: "600s",
    });
    const metrics = await until("the object to be counted Ready", async () => {
      const { body } = await get("/metrics");
      return body.includes('driftguard_managed_resources{kind="CloudRunServiceConfig",ready="True"} 1')
        ? body
        : undefined;
    });
    expect(metrics).toContain("driftguard_leader 1");
    expect(metrics).toMatch(/controller_runtime_reconcile_total\{controller="cloudrunserviceconfig",result="\w+"\} \d/);
    expect(metrics).toMatch(/controller_runtime_reconcile_time_seconds_count\{controller="cloudrunserviceconfig"\} \d/);
    expect(metrics).toMatch(/workqueue_adds_total\{name="cloudrunserviceconfig"\} [1-9]/);
    expect(metrics).toContain('workqueue_depth{name="cloudrunserviceconfig"}');
    expect(metrics).toMatch(/driftguard_gcp_requests_total\{api="run",method="\w+",code="OK"\} [1-9]/);
    expect(metrics).toContain('driftguard_circuit_breaker_state{api="run"} 0');
    expect(metrics).toContain('driftguard_drift_detected{kind="CloudRunServiceConfig"} 0');
    expect(metrics).toContain("process_resident_memory_bytes");
    expect(sim.control.getService(SERVICE)).toMatchObject({ template: { timeout: "600s" } });
  });

  it("exits 0 on SIGTERM within the shutdown timeout and releases the lease", async () => {
    const lease = await readLease(namespace, testKubeConfig());
    expect(lease.spec?.holderIdentity).toMatch(/_[0-9a-f-]{36}$/);

    const sentAt = Date.now();
    child.kill("SIGTERM");
    const result = await exited;
    expect(result, output).toEqual({ code: 0, signal: null });
    expect(Date.now() - sentAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect((await readLease(namespace, testKubeConfig())).spec?.holderIdentity ?? "").toBe("");
    expect(output).toContain("released the leader lease");
  });
});
