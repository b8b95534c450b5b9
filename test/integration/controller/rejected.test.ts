// A spec that passes every offline rule but that Google refuses: half a CPU is a valid limit, but Cloud Run
// only allows it with one request per instance, and the live service keeps its default concurrency (80),
// which the spec does not own. The simulator answers INVALID_ARGUMENT with BadRequest field violations.

import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { condition, Rig, serviceSeed } from "../../support/controller.ts";

const PROJECT = "netra-staging";
const SERVICE = `projects/${PROJECT}/locations/us-central1/services/half-cpu`;

const spec = (resources: object) => ({
  service: { project: PROJECT, region: "us-central1", name: "half-cpu" },
  resyncInterval: "1s",
  requestTimeout: "600s",
  resources,
});

describe("an update Google rejects as invalid", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await Rig.start("rejected", { sim: { seed: serviceSeed(["half-cpu"]) } });
  });
  afterAll(() => rig.stop());

  it("is reported with Google's field message and one Event, and not sent again for the same generation", async () => {
    await rig.create("CloudRunServiceConfig", "half-cpu", spec({ cpu: "500m", memory: "512Mi" }));
    const rejected = await rig.waitForCondition("CloudRunServiceConfig", "half-cpu", "Ready", {
      status: "False",
      reason: "UpdateRejected",
    });
    const message = condition(rejected, "Ready")?.message ?? "";
    expect(message).toContain("service.template.containers[0].resources.limits.cpu");
    expect(message).toContain("max_instance_request_concurrency");
    expect(condition(rejected, "Synced")).toMatchObject({ status: "False", reason: "UpdateRejected" });
    expect(condition(rejected, "Stalled")).toMatchObject({ status: "True", reason: "UpdateRejected" });
    expect(rejected.status?.lastFailure).toMatchObject({ generation: 1, reason: "UpdateRejected" });

    // Five resyncs later: still one rejected write, one Event, and no new status write.
    const writes = rig.statusWrites.get("half-cpu");
    await sleep(5_000);
    const updates = rig.sim.control.requests({ method: "UpdateService", resource: SERVICE });
    expect(updates.map((r) => r.code)).toEqual(["INVALID_ARGUMENT"]);
    const events = (await rig.events("half-cpu")).filter((e) => e.reason === "UpdateRejected");
    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe("Warning");
    expect(events[0]?.note).toContain("resources.limits.cpu");
    expect(rig.statusWrites.get("half-cpu")).toBe(writes);
    expect(rig.calls("GetService", SERVICE)).toBeGreaterThanOrEqual(3); // still watched for drift

    // A new generation is tried at once.
    await rig.patch("CloudRunServiceConfig", "half-cpu", { spec: { resources: { cpu: "1", memory: "512Mi" } } });
    await rig.waitForCondition("CloudRunServiceConfig", "half-cpu", "Ready", { status: "True" });
    const codes = rig.sim.control.requests({ method: "UpdateService", resource: SERVICE }).map((r) => r.code);
    expect(codes).toEqual(["INVALID_ARGUMENT", "OK"]);
    // One CPU, as written or as Cloud Run's default spells it: the same quantity, so nothing to change.
    expect(["1", "1000m"]).toContain(rig.service(SERVICE).template.containers[0]?.resources?.limits?.cpu);
  });
});
