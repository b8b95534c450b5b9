// Only the leader consumes the audit subscription: a standby pulls nothing, and what arrives while leadership
// changes hands is delivered to the new leader, not lost.

import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startController, type RunningController } from "../../../src/controller/compose.ts";
import { loopbackConnection } from "../../../src/gcp/connection.ts";
import { cloudRunResource } from "../../../src/kinds/cloudrun/kind.ts";
import { connectorResource } from "../../../src/kinds/connector/resource.ts";
import { LeaderElector } from "../../../src/kube/leader.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import type { AuditOutcome } from "../../../src/sources/audit-feed.ts";
import { ClusterSource } from "../../../src/sources/cluster.ts";
import { serviceSeed } from "../../support/controller.ts";
import { createNamespace, testKubeConfig } from "../../support/kube.ts";
import { pubsubEmulatorMissing, PubSubEmulator } from "../../support/pubsub-emulator.ts";

const missing = pubsubEmulatorMissing();
const PROJECT = "netra-staging";

interface Replica {
  elector: LeaderElector;
  controller: RunningController;
  outcomes: AuditOutcome[];
}

describe.skipIf(missing !== undefined)(
  `audit subscription with two replicas${missing ? ` (NOT RUN: ${missing})` : ""}`,
  () => {
    const emulator = new PubSubEmulator();
    let sim: Simulator;
    let namespace: string;
    let names: { topic: string; subscription: string };
    let leader: Replica;
    let standby: Replica;

    async function replica(identity: string): Promise<Replica> {
      const log = createLogger({ level: process.env.DRIFTGUARD_TEST_LOG ?? "silent", base: { replica: identity } });
      const kubeConfig = testKubeConfig();
      const source = new ClusterSource({
        resources: [cloudRunResource, connectorResource],
        log,
        kubeConfig,
        namespaces: [namespace],
      });
      const elector = new LeaderElector({
        kubeConfig,
        namespace,
        name: "driftguard",
        identity,
        log,
        leaseDurationMs: 3_000,
        renewDeadlineMs: 2_000,
        retryPeriodMs: 500,
      });
      const outcomes: AuditOutcome[] = [];
      const controller = await startController(
        {
          gcp: loopbackConnection(sim),
          qps: 200,
          workers: 2,
          requireProjectAllowlist: false,
          audit: { subscription: names.subscription, probeMs: 300 },
        },
        source,
        log,
        { onAuditMessage: (outcome) => outcomes.push(outcome) },
        elector,
      );
      return { elector, controller, outcomes };
    }

    async function publish(count: number): Promise<void> {
      const client = emulator.client(PROJECT);
      const topic = client.topic(names.topic);
      await Promise.all(
        Array.from({ length: count }, (_, i) => topic.publishMessage({ data: Buffer.from(`not an entry ${i}`) })),
      );
      await client.close();
    }

    async function until(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!probe()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(50);
      }
    }

    beforeAll(async () => {
      await emulator.start();
      names = await emulator.topicWithSubscription(PROJECT, "audit", "driftguard");
      process.env.PUBSUB_EMULATOR_HOST = emulator.host;
      sim = await startSimulator({ seed: serviceSeed(["api"]) });
      namespace = await createNamespace("audit-ha");
      leader = await replica("replica-a");
      await until("replica-a leads", () => leader.controller.reconciling());
      standby = await replica("replica-b");
    });

    afterAll(async () => {
      await standby?.controller.stop(2_000);
      await leader?.controller.stop(2_000);
      await sim?.stop();
      await emulator.dispose();
    });

    it("the leader consumes every message and the standby none", async () => {
      await publish(20);
      await until("the leader has all 20", () => leader.outcomes.length >= 20);
      await sleep(1_000);
      expect(leader.outcomes).toHaveLength(20);
      expect(standby.controller.reconciling()).toBe(false);
      expect(standby.outcomes).toHaveLength(0);
    });

    it("hands what arrives during a failover to the new leader", async () => {
      await leader.controller.stop(2_000);
      // Nobody consumes now; these wait in the subscription.
      await publish(10);
      await until("replica-b leads", () => standby.controller.reconciling(), 30_000);
      await until("the new leader has all 10", () => standby.outcomes.length >= 10);
      expect(standby.outcomes).toHaveLength(10);
      expect(leader.outcomes).toHaveLength(20);
    });
  },
);
