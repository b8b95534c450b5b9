// The reconciler's contract, against a small in-memory kind: which Google calls a pass makes, what it
// writes to status and Events, and when it asks to run again.

import { describe, expect, it } from "vitest";
import { classifyWidgetError, WidgetError, type WidgetSpec } from "../../test/support/memory-kind.ts";
import { condition, converge, KEY, reasons, spec, world } from "../../test/support/reconciler-world.ts";
import { silentLogger } from "../observability/logger.ts";
import type { AttributionLookup } from "./attribution.ts";
import { Reconciler } from "./reconciler.ts";

describe("Reconciler", () => {
  it("applies a spec change once, reports Updated when the operation completes, and is then Ready", async () => {
    const w = world();
    w.kind.live.set(KEY, { timeout: "300s" });
    await converge(w, { timeout: "600s" });
    expect(w.kind.updates()).toBe(1);
    expect(reasons(w)).toEqual(["Updated"]);
    expect(w.source.events[0]?.note).toBe("Applied 1 field: timeout 300s → 600s");
    expect(w.source.status(KEY).pendingOperation).toBeUndefined();
  });

  it("resumes an operation another replica started, from status, with unset live values", async () => {
    const first = world();
    first.source.apply(KEY, spec({ FEATURE: "on" }));
    await first.reconciler.reconcile(KEY);
    expect(first.source.status(KEY).pendingOperation).toMatchObject({ fields: [{ field: "FEATURE", desired: "on" }] });
    // A new leader: same cluster state and Google, nothing in memory.
    const next = new Reconciler<WidgetSpec>({
      kind: first.kind,
      source: first.source,
      classify: classifyWidgetError,
      log: silentLogger,
      now: () => new Date(first.clock.now),
    });
    first.kind.finishOperations();
    await next.reconcile(KEY);
    expect(first.source.events.map((e) => e.note)).toEqual(["Applied 1 field: FEATURE (unset) → on"]);
    expect(condition(first, "Ready")).toMatchObject({ status: "True", reason: "UpToDate" });
  });

  it("heals drift, names who made it, and counts the correction by kind of actor", async () => {
    const alice = {
      principal: "alice@example.com",
      tool: "gcloud",
      at: "2026-12-01T12:03:04Z",
      actorKind: "user" as const,
    };
    const lookup: AttributionLookup = { lastChange: (key) => (key === KEY ? alice : undefined) };
    const w = world({ attribution: lookup });
    w.kind.live.set(KEY, { timeout: "600s" });
    await converge(w, { timeout: "600s" });
    w.kind.live.set(KEY, { timeout: "25s" });
    w.clock.now += 300_000;
    await w.reconciler.reconcile(KEY);
    w.kind.finishOperations();
    await w.reconciler.reconcile(KEY);
    expect(reasons(w)).toEqual(["DriftDetected", "DriftCorrected"]);
    expect(w.source.events[0]?.note).toBe("timeout 600s → 25s, by alice@example.com (gcloud) at 2026-12-01T12:03:04Z");
    expect(w.corrected).toEqual([{ fields: ["timeout"], actor: "user" }]);
    expect(w.source.status(KEY).lastDrift).toMatchObject({ fieldCount: 1, actor: { principal: "alice@example.com" } });
    expect(w.kind.live.get(KEY)).toEqual({ timeout: "600s" });
  });

  it("counts an unattributed correction as unknown", async () => {
    const w = world();
    w.kind.live.set(KEY, { timeout: "600s" });
    await converge(w, { timeout: "600s" });
    w.kind.live.set(KEY, { timeout: "25s" });
    await w.reconciler.reconcile(KEY);
    w.kind.finishOperations();
    await w.reconciler.reconcile(KEY);
    expect(w.corrected).toEqual([{ fields: ["timeout"], actor: "unknown" }]);
  });

  it("does not send a generation Google rejected as invalid again until the spec changes", async () => {
    const w = world();
    w.kind.live.set(KEY, { cpu: "1" });
    w.kind.failNext.update.push(
      new WidgetError("InvalidArgument", false, [
        { field: "service.template.containers[0].resources.limits.cpu", description: "CPU must be 1, 2, 4, 6 or 8" },
      ]),
    );
    w.source.apply(KEY, spec({ cpu: "3" }));
    await w.reconciler.reconcile(KEY);
    expect(condition(w, "Ready")).toMatchObject({ status: "False", reason: "UpdateRejected" });
    expect(condition(w, "Ready")?.message).toContain(
      "service.template.containers[0].resources.limits.cpu: CPU must be 1, 2, 4, 6 or 8",
    );
    expect(condition(w, "Stalled")).toMatchObject({ status: "True", reason: "UpdateRejected" });
    const writes = w.source.statusWrites;
    for (let i = 0; i < 3; i++) {
      w.clock.now += 60_000;
      await w.reconciler.reconcile(KEY);
    }
    expect(w.kind.updates()).toBe(1);
    expect(reasons(w)).toEqual(["UpdateRejected"]);
    expect(w.source.statusWrites).toBe(writes);

    w.source.apply(KEY, spec({ cpu: "4" }));
    await w.reconciler.reconcile(KEY);
    expect(w.kind.updates()).toBe(2);
    expect(condition(w, "Ready")).toMatchObject({ reason: "Updating" });
  });

  it("sends a rejected generation again after the long backoff", async () => {
    const w = world({ failedRolloutBackoffMs: 600_000 });
    w.kind.failNext.update.push(new WidgetError("InvalidArgument", false));
    w.source.apply(KEY, spec({ cpu: "3" }));
    await w.reconciler.reconcile(KEY);
    w.clock.now += 599_000;
    await w.reconciler.reconcile(KEY);
    expect(w.kind.updates()).toBe(1);
    w.clock.now += 2_000;
    await w.reconciler.reconcile(KEY);
    expect(w.kind.updates()).toBe(2);
  });

  it("drops an operation Google no longer knows, says so, and applies again", async () => {
    const w = world();
    w.kind.live.set(KEY, { timeout: "300s" });
    w.source.apply(KEY, spec({ timeout: "600s" }));
    await w.reconciler.reconcile(KEY);
    const lost = w.source.status(KEY).pendingOperation as { name: string };
    w.kind.operations.delete(lost.name);
    await w.reconciler.reconcile(KEY);
    expect(reasons(w)).toEqual(["OperationDropped"]);
    expect(w.source.events[0]?.note).toContain(`Google no longer knows operation ${lost.name} (NOT_FOUND)`);
    expect(condition(w, "Synced")?.message).toContain("no longer knows");
    expect(condition(w, "Synced")?.message).not.toContain("check project, location and name");
    expect(w.kind.updates()).toBe(2);
    expect((w.source.status(KEY).pendingOperation as { name: string }).name).not.toBe(lost.name);
    expect(w.source.status(KEY).lastFailure).toMatchObject({ reason: "OperationDropped" });
  });

  it("gives up on an operation that never finishes and reads the resource again", async () => {
    const w = world({ operationTimeoutMs: 3_600_000 });
    w.kind.live.set(KEY, { timeout: "300s" });
    w.source.apply(KEY, spec({ timeout: "600s" }));
    await w.reconciler.reconcile(KEY);
    w.clock.now += 1_800_000;
    await w.reconciler.reconcile(KEY);
    expect(condition(w, "Ready")?.reason).toBe("Updating");
    expect(w.kind.updates()).toBe(1);
    w.kind.live.set(KEY, { timeout: "600s" }); // it did land, only the operation never said so
    w.clock.now += 1_900_000;
    await w.reconciler.reconcile(KEY);
    expect(reasons(w)).toEqual(["OperationDropped"]);
    expect(condition(w, "Ready")).toMatchObject({ status: "True", reason: "UpToDate" });
    expect(w.kind.updates()).toBe(1);
  });

  it("retries a transient failure without rewriting status each time", async () => {
    const w = world();
    w.kind.live.set(KEY, { timeout: "600s" });
    await converge(w, { timeout: "600s" });
    const before = w.source.statusWrites;
    for (let i = 0; i < 5; i++) {
      w.kind.failNext.observe.push(new WidgetError("Unavailable", true));
      w.clock.now += 1_000;
      expect(await w.reconciler.reconcile(KEY)).toEqual({ retry: true, failed: "Unavailable" });
    }
    expect(w.source.statusWrites).toBe(before + 1);
    expect(condition(w, "Synced")).toMatchObject({ status: "False", reason: "Unavailable" });
    expect(condition(w, "Reconciling")).toMatchObject({ status: "True", reason: "Unavailable" });
  });

  it("re-reads at once after a first conflict, and forgets it when the object is deleted", async () => {
    const w = world();
    w.kind.live.set(KEY, { timeout: "300s" });
    w.source.apply(KEY, spec({ timeout: "600s" }));
    w.kind.failNext.update.push(new WidgetError("Conflict", true));
    expect(await w.reconciler.reconcile(KEY)).toEqual({ requeueAfterMs: 0 });
    w.source.delete(KEY);
    expect(await w.reconciler.reconcile(KEY)).toEqual({});
    // A new object under the same name starts with a clean slate: its first conflict is a first one too.
    w.source.apply(KEY, spec({ timeout: "600s" }));
    w.kind.failNext.update.push(new WidgetError("Conflict", true));
    expect(await w.reconciler.reconcile(KEY)).toEqual({ requeueAfterMs: 0 });
  });

  it("shows a pause and a resume with one Event each, reading nothing in between", async () => {
    const w = world();
    w.kind.live.set(KEY, { timeout: "600s" });
    await converge(w, { timeout: "600s" });
    w.source.apply(KEY, spec({ timeout: "600s" }), { "driftguard.dev/paused": "true" });
    const calls = w.kind.calls.length;
    await w.reconciler.reconcile(KEY);
    await w.reconciler.reconcile(KEY);
    expect(w.kind.calls.length).toBe(calls);
    expect(condition(w, "Ready")).toMatchObject({ status: "Unknown", reason: "Paused" });
    w.source.apply(KEY, spec({ timeout: "600s" }));
    await w.reconciler.reconcile(KEY);
    expect(reasons(w)).toEqual(["Paused", "Resumed"]);
    expect(condition(w, "Ready")).toMatchObject({ status: "True", reason: "UpToDate" });
  });
});
