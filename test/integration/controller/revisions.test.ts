// A revision that fails to start: driftguard reports Cloud Run's own message and does not push the same
// generation again in a loop; a new generation is tried, and succeeds once the cause is gone.

import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { condition, envOf, Rig, serviceSeed } from "../../support/controller.ts";

const PROJECT = "netra-staging";
const SERVICE = `projects/${PROJECT}/locations/us-central1/services/canary`;
const FAILURE = "Container failed to start: listening on port 8080 timed out after 240s";

const spec = (release: string) => ({
  service: { project: PROJECT, region: "us-central1", name: "canary" },
  resyncInterval: "1s",
  requestTimeout: "600s",
  env: { RELEASE: release },
});

describe("a revision that fails to start", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await Rig.start("revisions", { sim: { seed: serviceSeed(["canary"]) } });
  });
  afterAll(() => rig.stop());

  it("is reported as RevisionFailed with Cloud Run's message and is not pushed again", async () => {
    rig.sim.control.addRevisionFailure({ service: "canary", reason: "REVISION_FAILED", message: FAILURE });
    await rig.create("CloudRunServiceConfig", "canary", spec("1"));
    const failed = await rig.waitForCondition("CloudRunServiceConfig", "canary", "Ready", {
      status: "False",
      reason: "RevisionFailed",
    });
    const message = condition(failed, "Ready")?.message ?? "";
    expect(message).toContain(FAILURE);
    expect(message).toContain("traffic stays on canary-00001");
    expect(failed.status?.failedGeneration).toBe(1);
    const events = await rig.events("canary");
    expect(events.find((e) => e.reason === "RevisionFailed")).toMatchObject({ type: "Warning" });
    expect(events.find((e) => e.reason === "RevisionFailed")?.note).toContain(FAILURE);
    // The rollout operation itself ended with Cloud Run's error, reported as it came.
    expect(events.find((e) => e.reason === "UpdateFailed")?.note).toContain(FAILURE);

    // Ten resync intervals later the failed generation has still been sent only once.
    await sleep(10_000);
    expect(rig.calls("UpdateService", SERVICE)).toBeLessThanOrEqual(2);
    expect(rig.calls("GetService", SERVICE)).toBeGreaterThanOrEqual(5);
    const still = await rig.get("CloudRunServiceConfig", "canary");
    expect(condition(still, "Ready")?.reason).toBe("RevisionFailed");
  });

  it("tries a new generation, and succeeds once the cause is gone", async () => {
    const updatesBefore = rig.calls("UpdateService", SERVICE);
    await rig.patch("CloudRunServiceConfig", "canary", { spec: { env: { RELEASE: "2" } } });
    await rig.waitFor(
      "CloudRunServiceConfig",
      "canary",
      (o) => o.status?.failedGeneration === 2 && condition(o, "Ready")?.reason === "RevisionFailed",
    );
    expect(rig.calls("UpdateService", SERVICE)).toBe(updatesBefore + 1);

    rig.sim.control.clearRevisionFailures();
    await rig.patch("CloudRunServiceConfig", "canary", { spec: { env: { RELEASE: "3" } } });
    const ready = await rig.waitFor(
      "CloudRunServiceConfig",
      "canary",
      (o) => condition(o, "Ready")?.status === "True" && o.status?.observedGeneration === 3,
    );
    expect(ready.status?.latestReadyRevision).toBe(ready.status?.latestCreatedRevision);
    const live = rig.service(SERVICE);
    expect(envOf(live.template.containers[0])).toMatchObject({ RELEASE: "3", UNMANAGED: "keep-me" });
    expect(rig.calls("UpdateService", SERVICE)).toBe(updatesBefore + 2);
  });
});
