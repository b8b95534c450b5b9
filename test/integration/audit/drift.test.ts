// Event-driven drift end to end: the simulator publishes each write's audit entry to Google's Pub/Sub
// emulator, driftguard consumes the subscription, and drift is healed in seconds although the objects'
// resync is 10 minutes. Polling stays the safety net when Pub/Sub is gone.

import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SubscriptionState } from "../../../src/gcp/pubsub.ts";
import { AuditPublisher } from "../../../src/sim/audit/publisher.ts";
import type { AuditOutcome } from "../../../src/sources/audit-feed.ts";
import { Rig, serviceSeed } from "../../support/controller.ts";
import { pubsubEmulatorMissing, PubSubEmulator } from "../../support/pubsub-emulator.ts";
import { Gcloud, gcloudInstalled } from "../sim/gcloud-cli.ts";

const missing = pubsubEmulatorMissing();
const PROJECT = "netra-staging";
const SERVICES = `projects/${PROJECT}/locations/us-central1/services`;
const CONNECTOR = `projects/${PROJECT}/locations/us-central1/connectors/audit-conn`;
const GCLOUD_UA = "google-cloud-sdk gcloud/528.0.0 command/gcloud.run.services.update invocation-id/77aa";

const spec = (name: string, resyncInterval = "10m") => ({
  service: { project: PROJECT, region: "us-central1", name },
  resyncInterval,
  requestTimeout: "600s",
  env: { DB_POOL_SIZE: "10" },
});

describe.skipIf(missing !== undefined)(
  `drift healed from audit entries${missing ? ` (NOT RUN: ${missing})` : ""}`,
  () => {
    const emulator = new PubSubEmulator();
    let publisher: AuditPublisher;
    let rig: Rig;
    let names: { topic: string; subscription: string };
    const outcomes: AuditOutcome[] = [];
    const corrected: string[] = [];
    const states: SubscriptionState[] = [];

    async function pubsubResources(): Promise<void> {
      names = await emulator.topicWithSubscription(PROJECT, "audit", "driftguard");
    }

    beforeAll(async () => {
      await emulator.start();
      await pubsubResources();
      process.env.PUBSUB_EMULATOR_HOST = emulator.host;
      publisher = await AuditPublisher.start({ emulatorHost: emulator.host, topic: names.topic, delayMs: 200 });
      rig = await Rig.start("audit", {
        sim: {
          seed: {
            ...serviceSeed(["api", "web", "polled", "by-hand"]),
            connectors: [{ name: CONNECTOR, machineType: "e2-micro", minInstances: 2, maxInstances: 3 }],
          },
          observe: publisher.observe,
        },
        config: { audit: { subscription: names.subscription, probeMs: 300, maxBackoffMs: 1_000 } },
        hooks: {
          onAuditMessage: (outcome) => outcomes.push(outcome),
          onAuditSubscription: (state) => states.push(state),
          onDriftCorrected: (_kind, _fields, actor) => corrected.push(actor),
        },
      });
      for (const name of ["api", "web", "by-hand"]) await rig.create("CloudRunServiceConfig", name, spec(name));
      await rig.create("CloudRunServiceConfig", "polled", spec("polled", "2s"));
      await rig.create("VpcConnectorConfig", "audit-conn", {
        connector: { project: PROJECT, region: "us-central1", name: "audit-conn" },
        resyncInterval: "10m",
        machineType: "e2-micro",
        minInstances: 2,
        maxInstances: 3,
        autoscaling: { enabled: false },
      });
      for (const name of ["api", "web", "polled", "by-hand"]) {
        await rig.waitForCondition("CloudRunServiceConfig", name, "Ready", { status: "True" });
      }
      await rig.waitForCondition("VpcConnectorConfig", "audit-conn", "Ready", { status: "True" });
    });

    afterAll(async () => {
      await rig?.stop();
      await publisher?.stop();
      await emulator.dispose();
    });

    /** An out-of-band change through the control API, as `gcloud run services update` by `actor`. */
    async function gcloudUpdate(name: string, timeout: string, actor: string): Promise<void> {
      const current = rig.service(`${SERVICES}/${name}`);
      const response = await fetch(`http://127.0.0.1:${rig.sim.restPort}/control/cloudrun/${SERVICES}/${name}:patch`, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": GCLOUD_UA },
        body: JSON.stringify({ patch: { template: { ...current.template, timeout } }, actor }),
      });
      expect(response.status).toBe(200);
    }

    async function corrections(name: string, atLeast: number, timeoutMs = 15_000): Promise<number> {
      const started = Date.now();
      await rig.waitFor(
        "CloudRunServiceConfig",
        name,
        (o) => Number(o.status?.driftCorrections ?? 0) >= atLeast,
        timeoutMs,
      );
      return Date.now() - started;
    }

    it("heals a change made with gcloud (Cloud Run v1) within seconds, with a 10-minute resync", async () => {
      await gcloudUpdate("api", "25s", "alice@example.com");
      const ms = await corrections("api", 1, 10_000);
      expect(ms).toBeLessThan(10_000);
      expect(rig.service(`${SERVICES}/api`).template.timeout).toBe("600s");
      expect(outcomes).toContain("enqueued");

      // Who did it, in the Event, in status and (as a kind of actor only) in the metric.
      const detected = (await rig.events("api")).find((e) => e.reason === "DriftDetected");
      expect(detected?.note).toMatch(/requestTimeout 600s → 25s.*, by alice@example\.com \(gcloud\) at 20\d\d-/);
      const object = await rig.get("CloudRunServiceConfig", "api");
      expect(object.status?.lastDrift).toMatchObject({
        actor: { principal: "alice@example.com", tool: "gcloud", kind: "user" },
      });
      expect(corrected).toEqual(["user"]);
    });

    // The real gcloud, through the simulator's Cloud Run v1 surface, writes the entry a sink would deliver.
    it.skipIf(!gcloudInstalled())(
      `heals a change made with the real gcloud run services update${gcloudInstalled() ? "" : " (NOT RUN: gcloud not installed)"}`,
      async () => {
        const gcloud = new Gcloud(rig.sim.restPort, PROJECT);
        try {
          const result = await gcloud.run(
            "run",
            "services",
            "update",
            "by-hand",
            "--region",
            "us-central1",
            "--timeout=25",
          );
          expect(result.code, result.stderr).toBe(0);
          const ms = await corrections("by-hand", 1, 10_000);
          expect(ms).toBeLessThan(10_000);
          expect(rig.service(`${SERVICES}/by-hand`).template.timeout).toBe("600s");
          const detected = (await rig.events("by-hand")).find((e) => e.reason === "DriftDetected");
          expect(detected?.note).toMatch(/requestTimeout 600s → 25s.*, by \S+@\S+ \(gcloud\) at 20\d\d-/);
        } finally {
          gcloud.dispose();
        }
      },
    );

    it("heals a change made with the v2 client by another principal", async () => {
      const name = `${SERVICES}/web`;
      const current = rig.service(name);
      // As a Cloud Run v2 client would call it; the token names the caller (the simulator's convention).
      const response = await fetch(`http://127.0.0.1:${rig.sim.restPort}/v2/${name}?updateMask=template.timeout`, {
        method: "PATCH",
        headers: {
          "content-type": "application/json",
          authorization: "Bearer principal:bob@example.com",
          "user-agent": "gl-node/24.9.0 gax/5.0.0 gapic/0.24.0",
        },
        body: JSON.stringify({ ...current, template: { ...current.template, timeout: "42s" } }),
      });
      expect(response.status).toBe(200);
      await corrections("web", 1, 10_000);
      expect(rig.service(name).template.timeout).toBe("600s");
      const detected = (await rig.events("web")).find((e) => e.reason === "DriftDetected");
      expect(detected?.note).toMatch(/, by bob@example\.com \(node-client\) at /);
    });

    it("does not loop on its own writes", async () => {
      const name = `${SERVICES}/api`;
      // Let driftguard's own entries (published 200 ms after each write) arrive and be handled.
      await sleep(1_500);
      expect(outcomes).toContain("own_write");
      // Exactly the changes made by others so far (two, and the real gcloud's where it ran) queued anything;
      // every write of driftguard's did not.
      expect(outcomes.filter((o) => o === "enqueued")).toHaveLength(gcloudInstalled() ? 3 : 2);
      const writes = rig.calls("UpdateService", name);
      const reads = rig.calls("GetService", name);
      await sleep(2_000);
      expect(rig.calls("UpdateService", name)).toBe(writes);
      expect(rig.calls("GetService", name)).toBe(reads);
      expect((await rig.get("CloudRunServiceConfig", "api")).status?.driftCorrections).toBe(1);
    });

    it("costs no Google read for 1,000 unrelated or useless messages", async () => {
      const reads = rig.callsAbout(`${SERVICES}/api`).length + rig.callsAbout(`${SERVICES}/web`).length;
      const before = outcomes.length;
      const client = emulator.client(PROJECT);
      const topic = client.topic(names.topic, { batching: { maxMessages: 100, maxMilliseconds: 10 } });
      const unrelated = (i: number) =>
        JSON.stringify({
          logName: `projects/${PROJECT}/logs/cloudaudit.googleapis.com%2Factivity`,
          timestamp: new Date().toISOString(),
          resource: { type: "cloud_run_revision", labels: { project_id: PROJECT, location: "us-central1" } },
          protoPayload: {
            "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
            serviceName: "run.googleapis.com",
            methodName: "google.cloud.run.v2.Services.UpdateService",
            resourceName: `${SERVICES}/unrelated-${i}`,
            authenticationInfo: { principalEmail: "ci@other.iam.gserviceaccount.com" },
          },
        });
      const kinds = [unrelated, () => "{not json", () => JSON.stringify({ logName: "projects/x/logs/stdout" })];
      await Promise.all(
        Array.from({ length: 1_000 }, (_, i) => topic.publishMessage({ data: Buffer.from(kinds[i % 3]!(i)) })),
      );
      await client.close();
      const deadline = Date.now() + 30_000;
      while (outcomes.length - before < 1_000 && Date.now() < deadline) await sleep(100);
      const counted = outcomes.slice(before);
      expect(counted).toHaveLength(1_000);
      expect(counted.filter((o) => o === "unmatched")).toHaveLength(334);
      expect(counted.filter((o) => o === "malformed")).toHaveLength(333);
      expect(counted.filter((o) => o === "not_admin_activity")).toHaveLength(333);
      expect(rig.callsAbout(`${SERVICES}/api`).length + rig.callsAbout(`${SERVICES}/web`).length).toBe(reads);
    });

    it("looks at a connector as soon as someone else patches it (VPC Access UpdateConnector)", async () => {
      const reads = rig.calls("GetConnector", CONNECTOR);
      // Both bounds, as Google wants them in one PATCH.
      const url = `http://127.0.0.1:${rig.sim.restPort}/v1/${CONNECTOR}?updateMask=minInstances,maxInstances`;
      const response = await fetch(url, {
        method: "PATCH",
        headers: { "content-type": "application/json", authorization: "Bearer principal:carol@example.com" },
        body: JSON.stringify({ minInstances: 2, maxInstances: 4 }),
      });
      expect(response.status).toBe(200);
      const deadline = Date.now() + 10_000;
      while (rig.calls("GetConnector", CONNECTOR) === reads && Date.now() < deadline) await sleep(100);
      expect(rig.calls("GetConnector", CONNECTOR)).toBeGreaterThan(reads);
    });

    it("keeps healing by polling while Pub/Sub is gone, and uses the subscription again when it returns", async () => {
      await emulator.stop();
      const degradedBy = Date.now() + 20_000;
      while (states.at(-1) !== "degraded" && Date.now() < degradedBy) await sleep(100);
      expect(states.at(-1)).toBe("degraded");

      // No entry can arrive: the object with a 2 s resync is healed by polling all the same.
      await gcloudUpdate("polled", "30s", "alice@example.com");
      await corrections("polled", 1, 15_000);
      expect(rig.service(`${SERVICES}/polled`).template.timeout).toBe("600s");

      await emulator.start();
      await pubsubResources();
      const connectedBy = Date.now() + 20_000;
      while (states.at(-1) !== "connected" && Date.now() < connectedBy) await sleep(100);
      expect(states.at(-1)).toBe("connected");

      // Back on events: the 10-minute object is healed in seconds again.
      const healedBefore = Number((await rig.get("CloudRunServiceConfig", "api")).status?.driftCorrections ?? 0);
      await gcloudUpdate("api", "26s", "alice@example.com");
      await corrections("api", healedBefore + 1, 10_000);
    });
  },
);
