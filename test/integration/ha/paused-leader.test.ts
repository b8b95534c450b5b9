// A leader process that is frozen (SIGSTOP) for longer than the lease duration while a standby takes over,
// then thawed (SIGCONT), must not send a single Google call: its timers are overdue and its "leading" flag
// is stale, but the clock says its lease is gone. The two replicas are real `driftguard run` processes; the
// first speaks gRPC and the second REST, so the simulator's request log tells them apart.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { startRun, type DriftguardProcess } from "../../support/driftguard-process.ts";
import { createCloudRunConfig, createNamespace } from "../../support/kube.ts";
import { until } from "../../support/until.ts";

const SERVICE = "projects/ha-project/locations/us-central1/services/frozen";
const LEASE_MS = 3_000;

describe("a leader frozen past its lease", () => {
  let sim: Simulator;
  let namespace: string;
  const replicas: DriftguardProcess[] = [];

  const start = async (transport: "grpc" | "rest"): Promise<DriftguardProcess> => {
    const replica = await startRun({
      sim,
      namespaces: [namespace],
      transport,
      leaderElection: { namespace, leaseDurationMs: LEASE_MS },
    });
    replicas.push(replica);
    return replica;
  };
  const timeout = () =>
    (sim.control.getService(SERVICE) as unknown as { template: { timeout?: string } }).template.timeout;

  beforeAll(async () => {
    sim = await startSimulator({
      operationLatencyMs: 50,
      seed: { services: [{ name: SERVICE, template: { containers: [{ image: "app:v1" }], timeout: "300s" } }] },
    });
    namespace = await createNamespace("ha-frozen");
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.kill()));
    await sim.stop();
  });

  it("sends no Google call after waking, and exits to rejoin", async () => {
    const first = await start("grpc");
    await first.waitForAnswer("/readyz", "ok: leading\n", 30_000);
    await createCloudRunConfig(namespace, "frozen", {
      service: { project: "ha-project", region: "us-central1", name: "frozen" },
      resyncInterval: "1s",
      requestTimeout: "600s",
    });
    await until("the leader to apply the spec", () => timeout() === "600s");
    const second = await start("rest");
    await second.waitForAnswer("/readyz", "ok: standby\n", 30_000);
    // The leader has been re-reading every second over gRPC; the standby has sent nothing.
    expect(sim.control.requests().some((r) => r.transport === "grpc")).toBe(true);
    expect(sim.control.requests().some((r) => r.transport === "rest")).toBe(false);

    first.signal("SIGSTOP");
    const frozenAt = Date.now();
    await second.waitForAnswer("/readyz", "ok: leading\n", 15_000);
    const tookOverMs = Date.now() - frozenAt;
    // Frozen well past the lease duration, with drift waiting for whoever looks first: the thawed leader's
    // resync timers are all overdue and would find it.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 2 * LEASE_MS - tookOverMs)));
    sim.control.patchService(SERVICE, { template: { timeout: "30s" } });
    const thawedAt = Date.now();
    first.signal("SIGCONT");

    const exit = await first.exited;
    expect(exit, first.output()).toEqual({ code: 1, signal: null });
    expect(first.output()).toContain("lost the leader lease");
    await until("the new leader to heal the drift", () => timeout() === "600s");

    const fromFrozen = sim.control.requests().filter((r) => r.transport === "grpc" && Date.parse(r.time) >= frozenAt);
    expect(fromFrozen, JSON.stringify(fromFrozen)).toEqual([]);
    const healed = sim.control.requests({ method: "UpdateService" }).filter((r) => Date.parse(r.time) >= thawedAt);
    expect(healed.length).toBeGreaterThan(0);
    expect(healed.every((r) => r.transport === "rest")).toBe(true);
  });
});
