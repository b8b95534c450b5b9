// `driftguard run` as a real process: its health and metrics endpoints over HTTP, and a clean SIGTERM that
// exits 0 within the shutdown timeout and leaves the lease free for the next replica.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { startRun, type DriftguardProcess } from "../../support/driftguard-process.ts";
import { createCloudRunConfig, createNamespace, testKubeConfig } from "../../support/kube.ts";
import { until } from "../../support/until.ts";
import { readLease } from "./replica.ts";

const SERVICE = "projects/ha-project/locations/us-central1/services/api";
const SHUTDOWN_TIMEOUT_MS = 5_000;

describe("driftguard run", () => {
  let sim: Simulator;
  let namespace: string;
  let driftguard: DriftguardProcess;

  const get = async (path: string) => {
    const answer = await driftguard.get(path);
    if (!answer) throw new Error(`nothing answers ${path}\n${driftguard.output()}`);
    return answer;
  };

  beforeAll(async () => {
    sim = await startSimulator({
      operationLatencyMs: 50,
      seed: { services: [{ name: SERVICE, template: { containers: [{ image: "app:v1" }], timeout: "300s" } }] },
    });
    namespace = await createNamespace("ha-run");
    driftguard = await startRun({
      sim,
      namespaces: [namespace],
      leaderElection: { namespace },
      flags: [`--shutdown-timeout=${SHUTDOWN_TIMEOUT_MS / 1000}s`],
    });
  });
  afterAll(async () => {
    await driftguard.kill();
    await sim.stop();
  });

  it("serves /healthz, /readyz and /metrics once it leads", async () => {
    // A synced standby is ready too; wait until this one also leads.
    await driftguard.waitForAnswer("/readyz", "ok: leading\n", 30_000);
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
    driftguard.signal("SIGTERM");
    const result = await driftguard.exited;
    expect(result, driftguard.output()).toEqual({ code: 0, signal: null });
    expect(Date.now() - sentAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect((await readLease(namespace, testKubeConfig())).spec?.holderIdentity ?? "").toBe("");
    expect(driftguard.output()).toContain("released the leader lease");
  });
});
