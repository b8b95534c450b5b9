// The audit path's two ends on Google's real Pub/Sub emulator: the simulator publishing the entry Google
// would write for each write it serves, and driftguard's subscriber reading it — including what the
// subscriber does while the emulator is gone and after it returns.

import { credentials } from "@grpc/grpc-js";
import { ServicesClient } from "@google-cloud/run";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FixedTokenAuth } from "../../../src/gcp/connection.ts";
import { PubSubSubscriber, type SubscriptionState } from "../../../src/gcp/pubsub.ts";
import { AuditPublisher } from "../../../src/sim/audit/publisher.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { toolFromUserAgent } from "../../../src/sources/audit-actor.ts";
import { parseAuditMessage, type AuditParse } from "../../../src/sources/audit-entry.ts";
import { pubsubEmulatorMissing, PubSubEmulator } from "../../support/pubsub-emulator.ts";
import { serviceSeed } from "../../support/controller.ts";

const missing = pubsubEmulatorMissing();
const PROJECT = "netra-staging";
const NAME = `projects/${PROJECT}/locations/us-central1/services/api`;
const GCLOUD_UA = "google-cloud-sdk gcloud/528.0.0 command/gcloud.run.services.update invocation-id/1f2e";

describe.skipIf(missing !== undefined)(
  `audit entries through the Pub/Sub emulator${missing ? ` (NOT RUN: ${missing})` : ""}`,
  () => {
    const emulator = new PubSubEmulator();
    let sim: Simulator;
    let publisher: AuditPublisher;
    let names: { topic: string; subscription: string };
    let subscriber: PubSubSubscriber;
    const received: AuditParse[] = [];
    const states: SubscriptionState[] = [];

    beforeAll(async () => {
      await emulator.start();
      names = await emulator.topicWithSubscription(PROJECT, "audit", "driftguard");
      publisher = await AuditPublisher.start({ emulatorHost: emulator.host, topic: names.topic, delayMs: 50 });
      sim = await startSimulator({ seed: serviceSeed(["api"]), observe: publisher.observe, operationLatencyMs: 10 });
      process.env.PUBSUB_EMULATOR_HOST = emulator.host;
      subscriber = new PubSubSubscriber({
        subscription: names.subscription,
        onMessage: (data) => received.push(parseAuditMessage(data)),
        onState: (state) => states.push(state),
        probeMs: 300,
        maxBackoffMs: 1_000,
      });
      subscriber.start();
    });

    afterAll(async () => {
      await subscriber?.close();
      await publisher?.stop();
      await sim?.stop();
      await emulator.dispose();
    });

    async function next(count: number): Promise<AuditParse[]> {
      const deadline = Date.now() + 20_000;
      while (received.length < count && Date.now() < deadline) await sleep(50);
      expect(received.length).toBeGreaterThanOrEqual(count);
      return received.splice(0, count);
    }

    it("publishes a v2 UpdateService by another caller as the entry the feed reads, with principal and operation", async () => {
      // A caller that is not driftguard: its own client options, no driftguard user agent. A plaintext channel
      // carries no call credentials, so the token goes as a header of the call.
      const services = new ServicesClient({
        apiEndpoint: "127.0.0.1",
        port: sim.grpcPort,
        sslCreds: credentials.createInsecure(),
        authClient: new FixedTokenAuth("unused") as never,
      });
      const asBob = { otherArgs: { headers: { authorization: "Bearer principal:bob@example.com" } } };
      const [service] = await services.getService({ name: NAME });
      const [operation] = await services.updateService(
        { service: { ...service, template: { ...service.template, timeout: { seconds: 30 } } } },
        asBob,
      );
      await operation.promise();
      await services.close();
      const [entry] = await next(1);
      expect(entry).toMatchObject({
        kind: "change",
        change: {
          resource: NAME,
          method: "google.cloud.run.v2.Services.UpdateService",
          principal: "bob@example.com",
          deleted: false,
          operation: { first: true },
        },
      });
      expect(entry?.kind === "change" && toolFromUserAgent(entry.change.userAgent)).toBe("node-client");
    });

    it("records an out-of-band change made with gcloud as Cloud Run v1 ReplaceService, read back as the same service", async () => {
      const response = await fetch(`http://127.0.0.1:${sim.restPort}/control/cloudrun/${NAME}:patch`, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": GCLOUD_UA },
        body: JSON.stringify({ patch: { labels: { owner: "alice" } }, actor: "alice@example.com" }),
      });
      expect(response.status).toBe(200);
      const [entry] = await next(1);
      expect(entry).toMatchObject({
        kind: "change",
        change: {
          resource: NAME,
          method: "google.cloud.run.v1.Services.ReplaceService",
          principal: "alice@example.com",
          userAgent: GCLOUD_UA,
        },
      });
      expect(entry?.kind === "change" && toolFromUserAgent(entry.change.userAgent)).toBe("gcloud");
    });

    it("publishes failed writes too, which the feed ignores; reads publish nothing", async () => {
      const before = publisher.published;
      const response = await fetch(
        `http://127.0.0.1:${sim.restPort}/v2/projects/${PROJECT}/locations/us-central1/services/missing`,
        { method: "DELETE", headers: { authorization: "Bearer principal:carol@example.com" } },
      );
      expect(response.status).toBe(404);
      await fetch(`http://127.0.0.1:${sim.restPort}/v2/${NAME}`, { headers: { authorization: "Bearer t" } });
      const [entry] = await next(1);
      expect(entry).toEqual({ kind: "ignored", reason: "failed_call" });
      await sleep(300);
      expect(publisher.published).toBe(before + 1);
    });

    it("says the subscription is failing while the emulator is gone, and recovers when it returns", async () => {
      expect(subscriber.state).toBe("connected");
      await emulator.stop();
      const deadline = Date.now() + 20_000;
      while (subscriber.state !== "degraded" && Date.now() < deadline) await sleep(100);
      expect(subscriber.state).toBe("degraded");

      // The emulator keeps nothing: a new one gets the topic and subscription again, as an operator would.
      await emulator.start();
      names = await emulator.topicWithSubscription(PROJECT, "audit", "driftguard");
      const until = Date.now() + 20_000;
      while (subscriber.state !== "connected" && Date.now() < until) await sleep(100);
      expect(subscriber.state).toBe("connected");
      expect(states).toContain("degraded");

      // The stream carries entries again (the publisher's client reconnects by itself too).
      await fetch(`http://127.0.0.1:${sim.restPort}/control/cloudrun/${NAME}:patch`, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": GCLOUD_UA },
        body: JSON.stringify({ patch: { labels: { owner: "dave" } }, actor: "dave@example.com" }),
      });
      const [entry] = await next(1);
      expect(entry).toMatchObject({ change: { principal: "dave@example.com" } });
    });
  },
);
