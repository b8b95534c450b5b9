// Status during a Google outage: an unchanged situation must not rewrite status. Ten configs on a 1s
// resync ride out a full outage of the Cloud Run API (the breaker opens, probes fail, keys retry); the
// status writes that reach the real API server are counted per object.

import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { condition, Rig, serviceSeed } from "../../support/controller.ts";

const PROJECT = "netra-staging";
const SERVICES = Array.from({ length: 10 }, (_, i) => `churn-${i}`);
const OUTAGE_MS = 12_000;

const spec = (service: string) => ({
  service: { project: PROJECT, region: "us-central1", name: service },
  resyncInterval: "1s",
  requestTimeout: "600s",
});

describe("status writes during a Google outage", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await Rig.start("churn", {
      sim: { seed: serviceSeed(SERVICES) },
      config: { breakerFailureThreshold: 5, breakerHalfOpenAfterMs: 1_000 },
    });
  });
  afterAll(() => rig.stop());

  it("writes each object's status at most once while the outage goes on, and once more when it ends", async () => {
    for (const service of SERVICES) await rig.create("CloudRunServiceConfig", service, spec(service));
    for (const service of SERVICES) {
      await rig.waitForCondition("CloudRunServiceConfig", service, "Ready", { status: "True" }, 30_000);
    }
    await sleep(1_500); // let the last operations' follow-up passes settle
    rig.statusWrites.clear();
    rig.sim.control.clearRequests();

    for (const method of ["GetService", "UpdateService", "GetOperation"]) {
      rig.sim.control.addFault({ method, code: "UNAVAILABLE", message: "The service is currently unavailable." });
    }
    await sleep(OUTAGE_MS);
    const during = new Map(rig.statusWrites);
    const googleCalls = rig.sim.control.requests().length;
    const down = await rig.get("CloudRunServiceConfig", SERVICES[0]!);
    rig.sim.control.clearFaults();

    // Every object did notice the outage (Synced=False), and said so exactly once.
    for (const service of SERVICES) {
      const object = await rig.get("CloudRunServiceConfig", service);
      expect(condition(object, "Synced")?.reason).toBe("Unavailable");
      expect(during.get(service) ?? 0).toBeLessThanOrEqual(1);
    }
    expect(condition(down, "Reconciling")).toMatchObject({ status: "True", reason: "Unavailable" });
    // No countdown ("next probe in 15s") that would change the message, and so status, every pass.
    expect(condition(down, "Synced")?.message).not.toMatch(/\bin \d+(\.\d+)?m?s\b/);
    expect(googleCalls).toBeGreaterThan(0);

    for (const service of SERVICES) {
      await rig.waitForCondition("CloudRunServiceConfig", service, "Synced", { reason: "UpToDate" }, 60_000);
    }
    const total = [...rig.statusWrites.values()].reduce((a, b) => a + b, 0);
    console.log(
      `status writes: ${[...during.values()].reduce((a, b) => a + b, 0)} during a ${OUTAGE_MS / 1000}s outage ` +
        `(${SERVICES.length} objects, ${googleCalls} Google calls), ${total} including recovery`,
    );
    for (const service of SERVICES) expect(rig.statusWrites.get(service) ?? 0).toBeLessThanOrEqual(2);
  });
});
