// What status says between the lines of Ready and Synced: kstatus's Reconciling/Stalled, messages that stay
// put while nothing changes, a lastSyncTime that tells the truth, and the last drift after healing.

import { describe, expect, it } from "vitest";
import type { Condition } from "./conditions.ts";
import { applyVerdict, type PassInput, type Verdict } from "./verdict.ts";

const T0 = new Date("2026-12-01T12:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const timeout = { field: "requestTimeout", desired: "600s", live: "25s" };
const inSync: Verdict = { kind: "observed", diffs: [], policy: "Enforce", applied: false };

function pass(overrides: Partial<PassInput> & Pick<PassInput, "verdict">): PassInput {
  return { generation: 2, previous: {}, now: T0, ...overrides };
}

function condition(status: Record<string, unknown>, type: string): Condition | undefined {
  return (status.conditions as Condition[]).find((c) => c.type === type);
}

function progress(status: Record<string, unknown>): string {
  const reconciling = condition(status, "Reconciling");
  const stalled = condition(status, "Stalled");
  if (reconciling && stalled) return "both";
  if (reconciling) return `Reconciling/${reconciling.reason}`;
  if (stalled) return `Stalled/${stalled.reason}`;
  return "none";
}

describe("kstatus conditions", () => {
  const cases: Array<{ name: string; verdict: Verdict; expected: string }> = [
    { name: "in sync", verdict: inSync, expected: "none" },
    {
      name: "applying a change",
      verdict: { kind: "observed", diffs: [timeout], policy: "Enforce", applied: true },
      expected: "Reconciling/Updating",
    },
    {
      name: "waiting for an operation",
      verdict: { kind: "updating", message: "op" },
      expected: "Reconciling/Updating",
    },
    {
      name: "waiting for a dependency",
      verdict: { kind: "blocked", reason: "DependencyNotReady", message: "connector not Ready" },
      expected: "Reconciling/DependencyNotReady",
    },
    {
      name: "invalid spec",
      verdict: { kind: "blocked", reason: "InvalidSpec", message: "x" },
      expected: "Stalled/InvalidSpec",
    },
    {
      name: "over the connection budget",
      verdict: { kind: "blocked", reason: "ConnectionBudgetExceeded", message: "x" },
      expected: "Stalled/ConnectionBudgetExceeded",
    },
    {
      name: "a failed revision",
      verdict: { kind: "notReady", diffs: [], reason: "RevisionFailed", message: "crashed", terminal: true },
      expected: "Stalled/RevisionFailed",
    },
    {
      name: "a connector still being created",
      verdict: { kind: "notReady", diffs: [], reason: "ConnectorNotReady", message: "CREATING" },
      expected: "Reconciling/ConnectorNotReady",
    },
    {
      name: "Google rejected the update",
      verdict: {
        kind: "observed",
        diffs: [timeout],
        policy: "Enforce",
        applied: false,
        heldBack: { reason: "UpdateRejected", message: "bad cpu" },
      },
      expected: "Stalled/UpdateRejected",
    },
    {
      name: "a transient Google error",
      verdict: { kind: "error", reason: "Unavailable", message: "down", notFound: false, retryable: true },
      expected: "Reconciling/Unavailable",
    },
    {
      name: "a missing permission",
      verdict: { kind: "error", reason: "PermissionDenied", message: "grant", notFound: false, retryable: false },
      expected: "Stalled/PermissionDenied",
    },
    {
      name: "Observe with drift",
      verdict: { kind: "observed", diffs: [timeout], policy: "Observe", applied: false },
      expected: "none",
    },
    { name: "paused", verdict: { kind: "paused" }, expected: "none" },
  ];
  for (const { name, verdict, expected } of cases) {
    it(`${name}: ${expected}`, () => {
      expect(progress(applyVerdict(pass({ verdict })).status)).toBe(expected);
    });
  }

  it("removes Reconciling once the object is in sync again", () => {
    const applying = applyVerdict(
      pass({ verdict: { kind: "observed", diffs: [timeout], policy: "Enforce", applied: true } }),
    ).status;
    expect(condition(applying, "Reconciling")).toMatchObject({ status: "True", observedGeneration: 2 });
    const done = applyVerdict(pass({ previous: applying, now: at(5), verdict: inSync })).status;
    expect(progress(done)).toBe("none");
  });
});

describe("status stability", () => {
  it("keeps the first message of a failure that goes on, so a retry writes nothing", () => {
    const ready = applyVerdict(pass({ verdict: inSync })).status;
    const verdict = (message: string): Verdict => ({
      kind: "error",
      reason: "Unavailable",
      message,
      notFound: false,
      retryable: true,
    });
    const first = applyVerdict(pass({ previous: ready, now: at(1), verdict: verdict("breaker open") })).status;
    const retry = applyVerdict(pass({ previous: first, now: at(16), verdict: verdict("503 from Google") })).status;
    expect(retry).toEqual(first);
    expect(condition(retry, "Synced")?.message).toBe("breaker open");
    // A different failure is a change of situation and is reported.
    const denied = applyVerdict(
      pass({
        previous: retry,
        now: at(20),
        verdict: { kind: "error", reason: "PermissionDenied", message: "grant", notFound: false, retryable: false },
      }),
    ).status;
    expect(condition(denied, "Synced")).toMatchObject({ reason: "PermissionDenied", message: "grant" });
  });

  it("refreshes lastSyncTime on a quiet read only once it is older than the refresh interval", () => {
    const first = applyVerdict(pass({ verdict: inSync, syncTimeRefreshMs: 60_000 })).status;
    expect(first.lastSyncTime).toBe(T0.toISOString());
    const quiet = applyVerdict(pass({ previous: first, now: at(30), verdict: inSync, syncTimeRefreshMs: 60_000 }));
    expect(quiet.status).toEqual(first);
    const later = applyVerdict(pass({ previous: first, now: at(61), verdict: inSync, syncTimeRefreshMs: 60_000 }));
    expect(later.status.lastSyncTime).toBe(at(61).toISOString());
  });

  it("sets lastSyncTime on any read that changes status anyway, drift included", () => {
    const first = applyVerdict(pass({ verdict: inSync })).status;
    const drifted = applyVerdict(
      pass({
        previous: { ...first, syncedGeneration: 2 },
        now: at(10),
        verdict: { kind: "observed", diffs: [timeout], policy: "Enforce", applied: true },
      }),
    ).status;
    expect(drifted.lastSyncTime).toBe(at(10).toISOString());
    // A pass that reads nothing (an outage) leaves it alone.
    const outage = applyVerdict(
      pass({
        previous: drifted,
        now: at(400),
        verdict: { kind: "error", reason: "Unavailable", message: "down", notFound: false, retryable: true },
      }),
    ).status;
    expect(outage.lastSyncTime).toBe(at(10).toISOString());
  });
});

describe("last drift", () => {
  const alice = {
    principal: "alice@example.com",
    tool: "gcloud",
    at: "2026-12-01T12:03:04Z",
    actorKind: "user" as const,
  };

  it("names who drifted in the Event and keeps when, what and who after healing", () => {
    const synced = applyVerdict(pass({ verdict: inSync })).status;
    const detected = applyVerdict(
      pass({
        previous: synced,
        now: at(200),
        attribution: alice,
        verdict: {
          kind: "observed",
          diffs: [timeout, { field: "env.DB_POOL_SIZE", desired: "10", live: "20" }],
          policy: "Enforce",
          applied: true,
        },
      }),
    );
    expect(detected.events).toEqual([
      {
        type: "Warning",
        reason: "DriftDetected",
        note: "requestTimeout 600s → 25s, env.DB_POOL_SIZE 10 → 20, by alice@example.com (gcloud) at 2026-12-01T12:03:04Z",
      },
    ]);
    const healed = applyVerdict(
      pass({
        previous: detected.status,
        now: at(205),
        completed: { fields: [timeout], correctedDrift: true },
        verdict: inSync,
      }),
    ).status;
    expect(healed.drift).toEqual([]);
    expect(healed.lastDrift).toEqual({
      detectedAt: at(200).toISOString(),
      fields: [
        { field: "requestTimeout", desired: "600s", live: "25s" },
        { field: "env.DB_POOL_SIZE", desired: "10", live: "20" },
      ],
      fieldCount: 2,
      actor: { principal: "alice@example.com", tool: "gcloud", kind: "user", changedAt: "2026-12-01T12:03:04Z" },
    });
  });

  it("reports an UpdateRejected Event once, however often the rejection is held back", () => {
    const verdict: Verdict = {
      kind: "observed",
      diffs: [timeout],
      policy: "Enforce",
      applied: false,
      heldBack: { reason: "UpdateRejected", message: "Google rejected the update: cpu" },
    };
    const first = applyVerdict(pass({ verdict }));
    expect(first.events.map((e) => e.reason)).toEqual(["UpdateRejected"]);
    expect(condition(first.status, "Ready")).toMatchObject({ status: "False", reason: "UpdateRejected" });
    const again = applyVerdict(pass({ previous: first.status, now: at(30), verdict }));
    expect(again.events).toEqual([]);
    expect(again.status).toEqual(first.status);
  });
});
