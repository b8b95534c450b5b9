// Sharding with real `driftguard run` processes: three shards over six namespaces, three replicas that
// claim one shard each and a fourth that stands by. Every service is written once and read by one replica
// only (the simulator's request log counts UpdateService and GetService per service), and when a shard's replica is killed (SIGKILL:
// no release) the standby takes that shard's Lease within a lease duration plus a retry period and heals
// its services, still with one write per service.

import { randomBytes } from "node:crypto";
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_VERSION, GROUP, VERSION } from "../../../src/api/common.ts";
import { JITTER } from "../../../src/kube/lease.ts";
import { shardLeaseName, shardOf } from "../../../src/kube/shard.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { startRun, type DriftguardProcess } from "../../support/driftguard-process.ts";
import { testKubeConfig } from "../../support/kube.ts";
import { until } from "../../support/until.ts";

const SHARDS = 3;
const LEASE_MS = 3_000;
const RETRY_MS = 500;
const RESYNC_MS = 5_000;
const PROJECT = "shard-project";
const service = (namespace: string, i: number) =>
  `projects/${PROJECT}/locations/us-central1/services/${namespace}-${i}`;

describe("sharding across replicas", () => {
  const suffix = randomBytes(3).toString("hex");
  const leaseNamespace = `shard-leases-${suffix}`;
  const base = `dg-${suffix}`;
  /** Two namespaces per shard, picked by their hash. */
  const namespaces: string[] = [];
  for (let k = 0; namespaces.length < 2 * SHARDS; k++) {
    const name = `shard-${suffix}-${k}`;
    if (namespaces.filter((n) => shardOf(n, SHARDS) === shardOf(name, SHARDS)).length < 2) namespaces.push(name);
  }
  const services = namespaces.flatMap((ns) => [0, 1].map((i) => ({ ns, name: `${ns}-${i}`, full: service(ns, i) })));
  const replicas: DriftguardProcess[] = [];
  let sim: Simulator;
  const kc = testKubeConfig();
  const leases = kc.makeApiClient(CoordinationV1Api);

  const startReplica = async (): Promise<DriftguardProcess> => {
    const replica = await startRun({
      sim,
      namespaces,
      healthPort: 0,
      leaderElection: { namespace: leaseNamespace, id: base, leaseDurationMs: LEASE_MS, retryPeriodMs: RETRY_MS },
      shards: SHARDS,
      flags: ["--qps=100", "--log-level=info"],
    });
    replicas.push(replica);
    return replica;
  };
  /** The shard a replica leads, from its "leading shard" log line. */
  const shardLedBy = (replica: DriftguardProcess) => replica.logLine("leading shard")?.shard as number | undefined;
  const holder = async (index: number) => {
    try {
      const lease = await leases.readNamespacedLease({
        namespace: leaseNamespace,
        name: shardLeaseName(base, index, SHARDS),
      });
      return lease.spec?.holderIdentity || undefined;
    } catch {
      return undefined;
    }
  };
  const timeoutOf = (full: string) =>
    (sim.control.getService(full) as { template: { timeout?: string } }).template.timeout;
  /** Calls of `method` per service, whatever their outcome (a refused second writer counts too). */
  const callsPerService = (method: string) => {
    const counts = new Map(services.map((s) => [s.full, 0]));
    for (const r of sim.control.requests({ method })) {
      if (counts.has(r.resource)) counts.set(r.resource, (counts.get(r.resource) ?? 0) + 1);
    }
    return Object.fromEntries(counts);
  };
  const writesPerService = () => callsPerService("UpdateService");
  /** Over two resync intervals each service is read about twice by its one replica, not once per replica. */
  const expectOneReaderEach = async () => {
    sim.control.clearRequests();
    await new Promise((resolve) => setTimeout(resolve, 2 * RESYNC_MS));
    const reads = Object.values(callsPerService("GetService"));
    expect(Math.max(...reads)).toBeLessThanOrEqual(3);
    expect(Math.min(...reads)).toBeGreaterThanOrEqual(1);
  };
  const once = (value: number) => Object.fromEntries(services.map((s) => [s.full, value]));

  beforeAll(async () => {
    sim = await startSimulator({
      operationLatencyMs: 50,
      seed: {
        services: services.map((s) => ({
          name: s.full,
          template: { containers: [{ image: "app:v1" }], timeout: "300s" },
        })),
      },
    });
    const core = kc.makeApiClient(CoreV1Api);
    for (const name of [leaseNamespace, ...namespaces]) await core.createNamespace({ body: { metadata: { name } } });
    const custom = kc.makeApiClient(CustomObjectsApi);
    for (const s of services) {
      await custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: s.ns,
        plural: "cloudrunserviceconfigs",
        body: {
          apiVersion: API_VERSION,
          kind: "CloudRunServiceConfig",
          metadata: { name: s.name },
          spec: {
            service: { project: PROJECT, region: "us-central1", name: s.name },
            requestTimeout: "600s",
            resyncInterval: `${RESYNC_MS / 1000}s`,
          },
        },
      });
    }
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.kill()));
    await sim?.stop();
  });

  it("reconciles every object on exactly one replica, and a standby takes over a killed replica's shard", async () => {
    const started = await Promise.all([startReplica(), startReplica(), startReplica()]);
    // Every shard led, by three different replicas.
    await until("three shards led", () => started.every((r) => shardLedBy(r) !== undefined), 60_000);
    expect(new Set(started.map(shardLedBy))).toEqual(new Set([0, 1, 2]));
    const standby = await startReplica();
    await until("every service written", () => services.every((s) => timeoutOf(s.full) === "600s"), 60_000);
    // Settle: any second writer would have shown up by now.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(writesPerService()).toEqual(once(1));
    expect(shardLedBy(standby)).toBeUndefined();
    await expectOneReaderEach();

    // Kill the replica of the shard of the first namespace; drift every service.
    const victim = started.find((r) => shardLedBy(r) === shardOf(namespaces[0] ?? "", SHARDS));
    if (!victim) throw new Error("no replica leads the first namespace's shard");
    const lostShard = shardLedBy(victim) ?? -1;
    const victimHolder = await holder(lostShard);
    sim.control.clearRequests();
    await victim.kill();
    const killedAt = Date.now();
    for (const s of services) sim.control.patchService(s.full, { template: { timeout: "30s" } });

    await until("the standby leads the lost shard", () => shardLedBy(standby) === lostShard, 30_000);
    const takeoverMs = Date.now() - killedAt;
    const newHolder = await holder(lostShard);
    expect(newHolder).toBeDefined();
    expect(newHolder).not.toBe(victimHolder);
    console.log(`shards: shard ${lostShard} taken over ${takeoverMs} ms after its replica was killed`);
    // A lease duration plus a (jittered) retry period, and the log line's trip through a pipe.
    expect(takeoverMs).toBeLessThan(LEASE_MS + RETRY_MS * JITTER + 1_500);

    await until("every service healed", () => services.every((s) => timeoutOf(s.full) === "600s"), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(writesPerService()).toEqual(once(1));
    await expectOneReaderEach();
  });
});
