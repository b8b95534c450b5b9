// What an operator reads after drift: the Event names who changed what (from the attribution lookup an
// audit-log feed provides; a fixed one here), status.lastDrift keeps it after healing, LAST-SYNC moves on
// quiet resyncs at a bounded rate, and an operation Google forgot does not pin the object.

import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActorKind, DriftAttribution } from "../../../src/controller/attribution.ts";
import { condition, Rig, serviceSeed } from "../../support/controller.ts";
import { kubectl } from "../../support/kube.ts";

const PROJECT = "netra-staging";
const name = (service: string) => `projects/${PROJECT}/locations/us-central1/services/${service}`;
const spec = (service: string) => ({
  service: { project: PROJECT, region: "us-central1", name: service },
  resyncInterval: "1s",
  requestTimeout: "600s",
});

describe("drift reports", () => {
  let rig: Rig;
  const changes = new Map<string, DriftAttribution>();
  const corrected: ActorKind[] = [];
  beforeAll(async () => {
    rig = await Rig.start("drift-report", {
      sim: { seed: serviceSeed(["blamed", "quiet", "forgotten", "wide"]) },
      config: { syncTimeRefreshMs: 2_000 },
      hooks: {
        attribution: { lastChange: (key) => changes.get(key) },
        onDriftCorrected: (_kind, _fields, actor) => void corrected.push(actor),
      },
    });
  });
  afterAll(() => rig.stop());

  it("names who drifted a field in the Event, and keeps when, what and who after healing", async () => {
    await rig.create("CloudRunServiceConfig", "blamed", spec("blamed"));
    await rig.waitForCondition("CloudRunServiceConfig", "blamed", "Ready", { status: "True" });
    const changedAt = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    changes.set(`${rig.namespace}/blamed`, {
      principal: "alice@example.com",
      tool: "gcloud",
      at: changedAt,
      actorKind: "user",
    });
    rig.sim.control.patchService(name("blamed"), { template: { timeout: "25s" } });
    const healed = await rig.waitFor(
      "CloudRunServiceConfig",
      "blamed",
      (o) => o.status?.driftCorrections === 1 && condition(o, "Ready")?.status === "True",
    );
    const detected = (await rig.events("blamed")).find((e) => e.reason === "DriftDetected");
    expect(detected?.note).toBe(`requestTimeout 600s → 25s, by alice@example.com (gcloud) at ${changedAt}`);
    expect(healed.status?.drift).toEqual([]);
    expect(healed.status?.lastDrift).toMatchObject({
      fields: [{ field: "requestTimeout (template.timeout)", desired: "600s", live: "25s" }],
      fieldCount: 1,
      actor: { principal: "alice@example.com", tool: "gcloud", kind: "user", changedAt },
    });
    expect(corrected).toEqual(["user"]);
    const described = await kubectl(["describe", "-n", rig.namespace, "cloudrunserviceconfigs.driftguard.dev/blamed"]);
    expect(described.stdout).toContain("alice@example.com");
  });

  it("summarises a wide update in one readable Updated Event within Kubernetes' note limit", async () => {
    const env = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`SETTING_${i}`, `value-${i}`]));
    await rig.create("CloudRunServiceConfig", "wide", { ...spec("wide"), env });
    await rig.waitForCondition("CloudRunServiceConfig", "wide", "Ready", { status: "True" });
    const updated = (await rig.events("wide")).filter((e) => e.reason === "Updated");
    expect(updated).toHaveLength(1);
    const note = updated[0]?.note ?? "";
    expect(Buffer.byteLength(note)).toBeLessThanOrEqual(1024);
    expect(note).toMatch(/^Applied 41 fields: /);
    expect(note).toMatch(/, … and \d+ more$/);
    expect(note).not.toContain("...");
  });

  it("moves lastSyncTime on quiet resyncs at the refresh interval, not on every read", async () => {
    await rig.create("CloudRunServiceConfig", "quiet", spec("quiet"));
    const first = await rig.waitForCondition("CloudRunServiceConfig", "quiet", "Ready", { status: "True" });
    await sleep(1_500);
    const start = await rig.get("CloudRunServiceConfig", "quiet");
    const writes = rig.statusWrites.get("quiet") ?? 0;
    const reads = rig.calls("GetService", name("quiet"));
    await sleep(6_500);
    const end = await rig.get("CloudRunServiceConfig", "quiet");
    const quietReads = rig.calls("GetService", name("quiet")) - reads;
    const quietWrites = (rig.statusWrites.get("quiet") ?? 0) - writes;
    const age = Date.now() - Date.parse(String(end.status?.lastSyncTime));
    expect(Date.parse(String(end.status?.lastSyncTime))).toBeGreaterThan(
      Date.parse(String(start.status?.lastSyncTime)),
    );
    expect(age).toBeLessThan(2_000 + 1_500 + 1_000); // refresh interval + resync (with jitter) + slack
    expect(quietReads).toBeGreaterThanOrEqual(5);
    expect(quietWrites).toBeLessThanOrEqual(4);
    expect(quietWrites).toBeLessThan(quietReads);
    expect(condition(end, "Ready")?.lastTransitionTime).toBe(condition(first, "Ready")?.lastTransitionTime);

    const explained = await kubectl(["explain", "cloudrunserviceconfig.status.lastSyncTime"]);
    expect(explained.stdout.replace(/\s+/g, " ")).toContain(
      "a quiet resync refreshes it once it is older than 5 minutes",
    );
  });

  it("drops an operation Google no longer knows, says so, and converges without the misleading hint", async () => {
    // Google keeps answering NOT_FOUND for the operation (it expired, or was never kept).
    rig.sim.control.addFault({ method: "GetOperation", code: "NOT_FOUND", message: "operation not found" });
    await rig.create("CloudRunServiceConfig", "forgotten", spec("forgotten"));
    const done = await rig.waitFor(
      "CloudRunServiceConfig",
      "forgotten",
      (o) => condition(o, "Ready")?.status === "True" && o.status?.lastFailure !== undefined,
    );
    rig.sim.control.clearFaults();
    expect(done.status?.lastFailure).toMatchObject({ reason: "OperationDropped", generation: 1 });
    expect(done.status?.pendingOperation).toBeUndefined();
    const dropped = (await rig.events("forgotten")).filter((e) => e.reason === "OperationDropped");
    expect(dropped.length).toBeGreaterThanOrEqual(1);
    expect(dropped[0]?.note).toContain("(NOT_FOUND)");
    for (const c of (done.status?.conditions ?? []) as Array<{ message: string }>) {
      expect(c.message).not.toContain("check project, location and name");
    }
    expect(rig.service(name("forgotten")).template.timeout).toBe("600s");
  });
});
