// Two (then three) replicas against the shared API server and one simulator: only the lease holder
// reconciles; a crashed leader is replaced once its lease expires; a leader that shuts down cleanly
// hands over at once.

import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_VERSION, GROUP, VERSION } from "../../../src/api/common.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import type { ManagedObject } from "../../../src/kinds/kind.ts";
import { createNamespace, kubectl, testKubeConfig } from "../../support/kube.ts";
import { until } from "../../support/until.ts";
import { LEASE, readLease, startReplica, TIMINGS, type Replica } from "./replica.ts";

const PROJECT = "ha-project";
const SERVICE = `projects/${PROJECT}/locations/us-central1/services/backend`;
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const custom = testKubeConfig().makeApiClient(CustomObjectsApi);

interface LiveService {
  template: { timeout?: string };
}

describe("leader election between replicas", () => {
  let sim: Simulator;
  let namespace: string;
  const replicas: Replica[] = [];
  let leader: Replica;
  let standby: Replica;

  const crsc = () => ({ group: GROUP, version: VERSION, namespace, plural: "cloudrunserviceconfigs" });
  const timeout = () => (sim.control.getService(SERVICE) as unknown as LiveService).template.timeout;
  const ready = async () => {
    const o = (await custom.getNamespacedCustomObject({ ...crsc(), name: "backend" })) as ManagedObject;
    const conditions = (o.status?.conditions ?? []) as Array<{ type: string; status: string }>;
    return conditions.some((c) => c.type === "Ready" && c.status === "True") ? o : undefined;
  };

  beforeAll(async () => {
    sim = await startSimulator({
      operationLatencyMs: 100,
      seed: {
        services: [
          {
            name: SERVICE,
            template: { containers: [{ name: "app", image: "us-docker.pkg.dev/ha/app:v1" }], timeout: "300s" },
          },
        ],
      },
    });
    namespace = await createNamespace("ha");
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.controller.stop(2_000)));
    await sim.stop();
  });

  it("lets exactly one replica reconcile while the other stands by with warm caches", async () => {
    replicas.push(
      ...(await Promise.all([startReplica("replica-a", namespace, sim), startReplica("replica-b", namespace, sim)])),
    );
    const first = await until("a leader", () => replicas.find((r) => r.elector.isLeader()));
    leader = first;
    standby = replicas.find((r) => r !== first) as Replica;

    await custom.createNamespacedCustomObject({
      ...crsc(),
      body: {
        apiVersion: API_VERSION,
        kind: "CloudRunServiceConfig",
        metadata: { name: "backend" },
        spec: {
          service: { project: PROJECT, region: "us-central1", name: "backend" },
          resyncInterval: "1s",
          requestTimeout: "600s",
        },
      },
    });
    await until("the service to be Ready", ready);
    expect(timeout()).toBe("600s");
    // Let a few resyncs pass: the standby must stay silent throughout.
    await sleep(1_500);
    expect(leader.googleCalls).toBeGreaterThan(0);
    expect(leader.reconciles).toBeGreaterThan(1);
    expect(standby.googleCalls).toBe(0);
    expect(standby.reconciles).toBe(0);
    expect(standby.elector.isLeader()).toBe(false);
    expect(standby.controller.reconciling()).toBe(false);
    expect(leader.controller.reconciling()).toBe(true);

    const lease = JSON.parse((await kubectl(["get", "lease", LEASE, "-n", namespace, "-o", "json"])).stdout) as {
      spec: { holderIdentity: string; leaseDurationSeconds: number; acquireTime: string; renewTime: string };
    };
    expect(lease.spec.holderIdentity).toBe(leader.identity);
    expect(lease.spec.leaseDurationSeconds).toBe(TIMINGS.leaseDurationMs / 1000);
    expect(lease.spec.acquireTime).toMatch(MICRO_TIME);
    expect(lease.spec.renewTime).toMatch(MICRO_TIME);
  });

  it("hands over to the standby once a crashed leader's lease expires", async () => {
    const before = await readLease(namespace);
    const crashedCalls = leader.googleCalls;
    const crashedAt = Date.now();
    // A crash: renewals stop, nothing is released.
    await leader.elector.stop({ release: false });
    await until("the standby to lead", () => standby.elector.isLeader(), 10_000);
    const tookMs = Date.now() - crashedAt;
    // It waited for expiry (the last renewal was at most one jittered retry period before the crash) ...
    expect(tookMs).toBeGreaterThan(TIMINGS.leaseDurationMs - 1.2 * TIMINGS.retryPeriodMs - 200);
    // ... and no longer than lease duration + retry period (plus request latency on a busy machine).
    expect(tookMs).toBeLessThan(TIMINGS.leaseDurationMs + 1.2 * TIMINGS.retryPeriodMs + 1_000);

    const after = await readLease(namespace);
    expect(after.spec?.holderIdentity).toBe(standby.identity);
    expect(after.spec?.leaseTransitions).toBe((before.spec?.leaseTransitions ?? 0) + 1);

    await custom.patchNamespacedCustomObject(
      { ...crsc(), name: "backend", body: { spec: { requestTimeout: "900s" } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await until("the new leader to apply the change", () => timeout() === "900s");
    expect(standby.googleCalls).toBeGreaterThan(0);
    expect(leader.googleCalls).toBe(crashedCalls);
    expect(leader.controller.reconciling()).toBe(false);
  });

  it("hands over at once when the leader shuts down cleanly", async () => {
    const third = await startReplica("replica-c", namespace, sim);
    replicas.push(third);
    await sleep(2 * TIMINGS.retryPeriodMs);
    expect(third.elector.isLeader()).toBe(false);

    await standby.controller.stop(2_000);
    const releasedAt = Date.now();
    const released = await readLease(namespace);
    await until("the third replica to lead", () => third.elector.isLeader(), 10_000);
    // Far sooner than the lease duration: the released lease was free at once.
    expect(Date.now() - releasedAt).toBeLessThan(TIMINGS.leaseDurationMs - 1_000);
    // Read right after the release: still free, or already taken by the third replica.
    expect(["", third.identity]).toContain(released.spec?.holderIdentity);
    expect((await readLease(namespace)).spec?.holderIdentity).toBe(third.identity);

    await custom.patchNamespacedCustomObject(
      { ...crsc(), name: "backend", body: { spec: { requestTimeout: "120s" } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await until("the third replica to apply the change", () => timeout() === "120s");
    expect(third.googleCalls).toBeGreaterThan(0);
  });
});
