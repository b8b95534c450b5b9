import { describe, expect, it } from "vitest";
import type { Condition } from "./conditions.ts";
import { applyVerdict, describeDiffs, storedOperation, type PassInput } from "./verdict.ts";

const T0 = new Date("2026-11-22T10:00:00Z");
const T1 = new Date("2026-11-22T10:01:00Z");
const timeout = { field: "requestTimeout", desired: "600s", live: "300s" };
const pool = { field: "database.timeouts.pool", desired: "45s", live: "25s" };

function pass(overrides: Partial<PassInput> & Pick<PassInput, "verdict">): PassInput {
  return { generation: 3, previous: {}, now: T0, ...overrides };
}

function condition(status: Record<string, unknown>, type: string): Condition | undefined {
  return (status.conditions as Condition[]).find((c) => c.type === type);
}

describe("applyVerdict", () => {
  it("marks an object in sync as Ready and Synced, recording when and at which generation", () => {
    const { status, events } = applyVerdict(
      pass({ verdict: { kind: "observed", diffs: [], policy: "Enforce", applied: false } }),
    );
    expect(condition(status, "Ready")).toMatchObject({ status: "True", reason: "UpToDate", observedGeneration: 3 });
    expect(condition(status, "Synced")).toMatchObject({ status: "True", reason: "UpToDate" });
    expect(status).toMatchObject({
      observedGeneration: 3,
      syncedGeneration: 3,
      lastSyncTime: T0.toISOString(),
      driftCount: 0,
    });
    expect(events).toEqual([]);
  });

  it("leaves a quiet resync's status exactly as it was", () => {
    const first = applyVerdict(pass({ verdict: { kind: "observed", diffs: [], policy: "Enforce", applied: false } }));
    const second = applyVerdict(
      pass({
        previous: first.status,
        now: T1,
        verdict: { kind: "observed", diffs: [], policy: "Enforce", applied: false },
      }),
    );
    expect(second.status).toEqual(first.status);
    expect(second.events).toEqual([]);
  });

  it("reports drift after the generation was in sync, with a DriftDetected event naming fields and values", () => {
    const synced = applyVerdict(
      pass({ verdict: { kind: "observed", diffs: [], policy: "Enforce", applied: false } }),
    ).status;
    const { status, events } = applyVerdict(
      pass({
        previous: synced,
        now: T1,
        verdict: { kind: "observed", diffs: [timeout], policy: "Enforce", applied: true },
      }),
    );
    expect(status.drift).toEqual([{ ...timeout, detectedAt: T1.toISOString() }]);
    expect(status.driftCount).toBe(1);
    expect(condition(status, "Synced")).toMatchObject({ status: "True", reason: "DriftCorrected" });
    expect(condition(status, "Ready")).toMatchObject({ status: "False", reason: "Updating" });
    expect(events).toEqual([{ type: "Warning", reason: "DriftDetected", note: "requestTimeout 600s → 300s" }]);
  });

  it("treats differences after a spec change as an update, not drift", () => {
    const synced = applyVerdict(
      pass({ verdict: { kind: "observed", diffs: [], policy: "Enforce", applied: false } }),
    ).status;
    const { status, events } = applyVerdict(
      pass({
        generation: 4,
        previous: synced,
        verdict: { kind: "observed", diffs: [timeout], policy: "Enforce", applied: true },
      }),
    );
    expect(condition(status, "Synced")).toMatchObject({ reason: "Updating", observedGeneration: 4 });
    expect(events).toEqual([]);
  });

  it("keeps detectedAt for a field that stays drifted and adds only new fields to the event", () => {
    const previous = { syncedGeneration: 3, drift: [{ ...timeout, detectedAt: T0.toISOString() }] };
    const { status, events } = applyVerdict(
      pass({
        previous,
        now: T1,
        verdict: { kind: "observed", diffs: [timeout, pool], policy: "Observe", applied: false },
      }),
    );
    expect(status.drift).toEqual([
      { ...timeout, detectedAt: T0.toISOString() },
      { ...pool, detectedAt: T1.toISOString() },
    ]);
    expect(events.map((e) => e.note)).toEqual(["database.timeouts.pool 45s → 25s"]);
  });

  it("reports drift in Observe mode without claiming a write, even for a never-synced generation", () => {
    const { status, events } = applyVerdict(
      pass({ verdict: { kind: "observed", diffs: [pool], policy: "Observe", applied: false } }),
    );
    expect(condition(status, "Synced")).toMatchObject({ status: "False", reason: "DriftDetected" });
    expect(condition(status, "Synced")?.message).toContain("nothing written");
    expect(condition(status, "Ready")).toMatchObject({ status: "False", reason: "DriftDetected" });
    expect(events.map((e) => e.reason)).toEqual(["DriftDetected"]);
  });

  it("omits an unset live value instead of writing an empty string", () => {
    const unset = { field: "env.FEATURE", desired: "on", live: "" };
    const { status } = applyVerdict(
      pass({ verdict: { kind: "observed", diffs: [unset], policy: "Observe", applied: false } }),
    );
    expect(status.drift).toEqual([{ field: "env.FEATURE", desired: "on", detectedAt: T0.toISOString() }]);
    expect(describeDiffs([unset])).toBe("env.FEATURE: desired on, live (unset)");
  });

  it("counts a completed drift correction and records DriftCorrected; a spec update records Updated", () => {
    const corrected = applyVerdict(
      pass({
        previous: { driftCorrections: 2 },
        completed: { fields: [pool], correctedDrift: true },
        verdict: { kind: "observed", diffs: [], policy: "Enforce", applied: false },
      }),
    );
    expect(corrected.status.driftCorrections).toBe(3);
    expect(corrected.events).toEqual([
      { type: "Normal", reason: "DriftCorrected", note: "Restored 1 field: database.timeouts.pool 25s → 45s" },
    ]);
    const updated = applyVerdict(
      pass({
        completed: { fields: [timeout], correctedDrift: false },
        verdict: { kind: "observed", diffs: [], policy: "Enforce", applied: false },
      }),
    );
    expect(updated.status.driftCorrections).toBe(0);
    expect(updated.events.map((e) => e.reason)).toEqual(["Updated"]);
  });

  it("reports an autoscaler raise as Scaling: no drift, no DriftDetected, no completion event of its own", () => {
    const synced = applyVerdict(
      pass({ verdict: { kind: "observed", diffs: [], policy: "Enforce", applied: false } }),
    ).status;
    const raise = { field: "maxInstances", desired: "5", live: "3" };
    const scaling = applyVerdict(
      pass({
        previous: synced,
        verdict: { kind: "observed", diffs: [raise], policy: "Enforce", applied: true, cause: "Autoscaling" },
      }),
    );
    expect(scaling.events).toEqual([]);
    expect(scaling.status).toMatchObject({ drift: [], driftCount: 0 });
    expect(condition(scaling.status, "Ready")).toMatchObject({ status: "False", reason: "Scaling" });
    expect(condition(scaling.status, "Synced")).toMatchObject({ status: "True", reason: "Scaling" });
    const done = applyVerdict(
      pass({
        previous: scaling.status,
        completed: { fields: [raise], correctedDrift: false, cause: "Autoscaling" },
        verdict: { kind: "observed", diffs: [], policy: "Enforce", applied: false },
      }),
    );
    expect(done.events).toEqual([]);
    expect(done.status.driftCorrections ?? 0).toBe(0);
  });

  it("holds back a failed generation with its own Synced reason", () => {
    const { status } = applyVerdict(
      pass({
        verdict: {
          kind: "observed",
          diffs: [timeout],
          policy: "Enforce",
          applied: false,
          heldBack: { reason: "RetryBackoff", message: "retried later" },
        },
      }),
    );
    expect(condition(status, "Synced")).toMatchObject({
      status: "False",
      reason: "RetryBackoff",
      message: "retried later",
    });
  });

  it("sets both conditions False for blocked objects, and only Synced for call errors unless not found", () => {
    const blocked = applyVerdict(
      pass({ verdict: { kind: "blocked", reason: "ProjectNotAllowed", message: "no" } }),
    ).status;
    expect(condition(blocked, "Ready")).toMatchObject({ status: "False", reason: "ProjectNotAllowed" });
    expect(condition(blocked, "Synced")).toMatchObject({ status: "False", reason: "ProjectNotAllowed" });

    const ready = applyVerdict(
      pass({ verdict: { kind: "observed", diffs: [], policy: "Enforce", applied: false } }),
    ).status;
    const outage = applyVerdict(
      pass({
        previous: ready,
        verdict: { kind: "error", reason: "Unavailable", message: "down", notFound: false, retryable: true },
      }),
    ).status;
    expect(condition(outage, "Ready")).toMatchObject({ status: "True", reason: "UpToDate" });
    expect(condition(outage, "Synced")).toMatchObject({ status: "False", reason: "Unavailable" });
    const gone = applyVerdict(
      pass({
        previous: ready,
        verdict: { kind: "error", reason: "NotFound", message: "gone", notFound: true, retryable: false },
      }),
    ).status;
    expect(condition(gone, "Ready")).toMatchObject({ status: "False", reason: "NotFound" });
  });

  it("records why an object is blocked once, as a Warning unless it only waits for a dependency", () => {
    const budget = { kind: "blocked" as const, reason: "ConnectionBudgetExceeded", message: "275 > 80" };
    const first = applyVerdict(pass({ verdict: budget }));
    expect(first.events).toEqual([{ type: "Warning", reason: "ConnectionBudgetExceeded", note: "275 > 80" }]);
    expect(applyVerdict(pass({ previous: first.status, verdict: budget })).events).toEqual([]);
    const waiting = applyVerdict(
      pass({ verdict: { kind: "blocked", reason: "DependencyNotReady", message: "waiting" } }),
    );
    expect(waiting.events).toEqual([{ type: "Normal", reason: "DependencyNotReady", note: "waiting" }]);
  });

  it("emits a not-ready event once per transition", () => {
    const first = applyVerdict(
      pass({ verdict: { kind: "notReady", diffs: [], reason: "RevisionFailed", message: "crashed" } }),
    );
    expect(first.events).toEqual([{ type: "Warning", reason: "RevisionFailed", note: "crashed" }]);
    const again = applyVerdict(
      pass({
        previous: first.status,
        verdict: { kind: "notReady", diffs: [], reason: "RevisionFailed", message: "crashed" },
      }),
    );
    expect(again.events).toEqual([]);
    expect(again.status).toEqual(first.status);
  });

  it("shows a paused object as Ready Unknown and Synced False, with one Event when pausing and one when resuming", () => {
    const ready = applyVerdict(
      pass({
        previous: { driftCorrections: 1 },
        verdict: { kind: "observed", diffs: [], policy: "Enforce", applied: false },
      }),
    ).status;
    const paused = applyVerdict(pass({ previous: ready, now: T1, verdict: { kind: "paused" } }));
    expect(condition(paused.status, "Ready")).toMatchObject({ status: "Unknown", reason: "Paused" });
    expect(condition(paused.status, "Synced")).toMatchObject({ status: "False", reason: "Paused" });
    expect(paused.status.driftCorrections).toBe(1);
    expect(paused.events.map((e) => [e.type, e.reason])).toEqual([["Normal", "Paused"]]);
    // Neither progressing nor failed: kstatus reads it as Current, Ready says it is not known.
    expect(condition(paused.status, "Reconciling")).toBeUndefined();
    expect(condition(paused.status, "Stalled")).toBeUndefined();

    const still = applyVerdict(pass({ previous: paused.status, now: T1, verdict: { kind: "paused" } }));
    expect(still.events).toEqual([]);
    expect(still.status).toEqual(paused.status);

    const resumed = applyVerdict(
      pass({
        previous: still.status,
        now: T1,
        verdict: { kind: "observed", diffs: [], policy: "Enforce", applied: false },
      }),
    );
    expect(resumed.events.map((e) => [e.type, e.reason])).toEqual([["Normal", "Resumed"]]);
    expect(condition(resumed.status, "Ready")).toMatchObject({ status: "True", reason: "UpToDate" });
  });

  it("keeps extra kind conditions and merges observed status fields", () => {
    const { status } = applyVerdict(
      pass({
        observed: { latestReadyRevision: "svc-00002-abc" },
        extraConditions: [{ type: "Overprovisioned", status: "True", reason: "LowUtilization", message: "3 would do" }],
        verdict: { kind: "observed", diffs: [], policy: "Enforce", applied: false },
      }),
    );
    expect(status.latestReadyRevision).toBe("svc-00002-abc");
    expect(condition(status, "Overprovisioned")).toMatchObject({ status: "True", reason: "LowUtilization" });
  });
});

describe("storedOperation", () => {
  it("leaves out unset live values, which the API server refuses as empty strings", () => {
    const stored = storedOperation({
      name: "projects/p/locations/l/operations/op-1",
      generation: 2,
      startedAt: "2026-01-01T00:00:00.000Z",
      correctedDrift: false,
      fields: [
        { field: "env.FEATURE", desired: "on", live: "" },
        { field: "template.timeout", desired: "600s", live: "300s" },
      ],
    });
    expect(stored).toEqual({
      name: "projects/p/locations/l/operations/op-1",
      generation: 2,
      startedAt: "2026-01-01T00:00:00.000Z",
      correctedDrift: false,
      fields: [
        { field: "env.FEATURE", desired: "on" },
        { field: "template.timeout", desired: "600s", live: "300s" },
      ],
    });
  });
});
