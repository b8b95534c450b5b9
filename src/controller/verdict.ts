// Pure translation of one reconcile pass into the object's status and events. The reconciler collects
// what happened (blocked, observed, updated, failed ...) as a Verdict; this module decides conditions,
// drift bookkeeping and events, so every rule here is a plain unit test away.

import type { FieldDiff, PendingOperation } from "../kinds/kind.ts";
import { setCondition, type Condition } from "./conditions.ts";

export type ConditionStatus = "True" | "False" | "Unknown";

export interface DriftEntry extends FieldDiff {
  detectedAt: string;
}

export interface EventIntent {
  type: "Normal" | "Warning";
  reason: string;
  note: string;
}

/** What one pass found or did. */
export type Verdict =
  | { kind: "paused" }
  | { kind: "blocked"; reason: string; message: string }
  | { kind: "error"; reason: string; message: string; notFound: boolean }
  | { kind: "updating"; message: string }
  | {
      kind: "observed";
      diffs: FieldDiff[];
      policy: "Enforce" | "Observe";
      applied: boolean;
      heldBack?: string;
      /** The diffs are the kind's own decision (an autoscaler raise): not drift, not a spec change. */
      cause?: "Autoscaling";
    }
  | { kind: "notReady"; diffs: FieldDiff[]; reason: string; message: string };

export interface PassInput {
  generation: number;
  previous: Record<string, unknown>;
  verdict: Verdict;
  /** Kind-specific status fields from the observation, merged as they are. */
  observed?: Record<string, unknown>;
  extraConditions?: Array<{ type: string; status: ConditionStatus; reason: string; message: string }>;
  /** An update operation that completed successfully in this pass. */
  completed?: { fields: FieldDiff[]; correctedDrift: boolean; cause?: "Autoscaling" };
  now: Date;
}

export interface PassResult {
  status: Record<string, unknown>;
  events: EventIntent[];
}

export function describeDiffs(diffs: FieldDiff[]): string {
  return diffs.map((d) => `${d.field}: desired ${d.desired}, live ${d.live || "(unset)"}`).join("; ");
}

/**
 * An in-flight operation as status stores it. An unset live value is left out, like in `drift`: the CRD
 * declares `live` an optional string and the API server refuses an empty one.
 */
export function storedOperation(operation: PendingOperation): Record<string, unknown> {
  return { ...operation, fields: operation.fields.map(({ live, ...rest }) => (live ? { ...rest, live } : rest)) };
}

export function applyVerdict(input: PassInput): PassResult {
  const { previous, verdict, generation, now } = input;
  const at = now.toISOString();
  const events: EventIntent[] = [];
  let conditions = (previous.conditions as Condition[] | undefined) ?? [];
  const set = (type: string, status: ConditionStatus, reason: string, message: string) => {
    conditions = setCondition(conditions, { type, status, reason, message, observedGeneration: generation }, now);
  };
  const status: Record<string, unknown> = { ...previous, ...input.observed, observedGeneration: generation };

  // An autoscaler's change is announced by the kind's own event (ScaledUp) when it is decided.
  if (input.completed && input.completed.cause === undefined) {
    const fields = describeDiffs(input.completed.fields);
    status.driftCorrections = numberOr(previous.driftCorrections, 0) + (input.completed.correctedDrift ? 1 : 0);
    events.push(
      input.completed.correctedDrift
        ? { type: "Normal", reason: "DriftCorrected", note: `Restored ${fields}` }
        : { type: "Normal", reason: "Updated", note: `Applied ${fields}` },
    );
  }

  switch (verdict.kind) {
    case "paused":
      set("Synced", "False", "Paused", 'driftguard.dev/paused is "true": no reads or writes until it is removed');
      break;
    case "blocked":
      // Once per transition, so `kubectl describe` and event watchers see why nothing is applied.
      if (!isConditionReason(previous, "Synced", verdict.reason)) {
        const type = verdict.reason === "DependencyNotReady" ? "Normal" : "Warning";
        events.push({ type, reason: verdict.reason, note: verdict.message });
      }
      set("Ready", "False", verdict.reason, verdict.message);
      set("Synced", "False", verdict.reason, verdict.message);
      break;
    case "error":
      // A failed call says nothing about the resource itself, except that it may not exist.
      if (verdict.notFound) set("Ready", "False", verdict.reason, verdict.message);
      set("Synced", "False", verdict.reason, verdict.message);
      break;
    case "updating":
      set("Ready", "False", "Updating", verdict.message);
      set("Synced", "True", "Updating", verdict.message);
      break;
    case "notReady":
      recordDrift(status, previous, verdict.diffs, at);
      set("Ready", "False", verdict.reason, verdict.message);
      set("Synced", "True", verdict.reason, verdict.message);
      if (!isConditionReason(previous, "Ready", verdict.reason)) {
        events.push({ type: "Warning", reason: verdict.reason, note: verdict.message });
      }
      break;
    case "observed":
      observed(verdict, status, previous, set, events, at);
      break;
  }
  for (const c of input.extraConditions ?? []) set(c.type, c.status, c.reason, c.message);
  status.conditions = conditions;
  return { status, events };
}

function observed(
  verdict: Extract<Verdict, { kind: "observed" }>,
  status: Record<string, unknown>,
  previous: Record<string, unknown>,
  set: (type: string, status: ConditionStatus, reason: string, message: string) => void,
  events: EventIntent[],
  at: string,
): void {
  if (verdict.cause === "Autoscaling" && verdict.diffs.length > 0) {
    const summary = describeDiffs(verdict.diffs);
    recordDrift(status, previous, [], at);
    set("Ready", "False", "Scaling", verdict.applied ? `Applying ${summary}` : `Recommended: ${summary}`);
    set(
      "Synced",
      "True",
      "Scaling",
      verdict.applied ? "Applying the autoscaler's decision" : "Observe policy: nothing written",
    );
    return;
  }
  const newlyDrifted = recordDrift(status, previous, verdict.diffs, at);
  if (verdict.diffs.length === 0) {
    set("Ready", "True", "UpToDate", "Live settings match the spec");
    set("Synced", "True", "UpToDate", "Live settings match the spec");
    if (!isConditionReason(previous, "Synced", "UpToDate") || status.lastSyncTime === undefined) {
      status.lastSyncTime = at;
    }
    status.syncedGeneration = status.observedGeneration;
    return;
  }
  const summary = describeDiffs(verdict.diffs);
  // A spec change is expected to differ; drift is a difference after the generation was in sync, or any
  // difference seen in Observe mode, where nothing else would ever tell.
  const wasSynced = previous.syncedGeneration === status.observedGeneration;
  if (newlyDrifted.length > 0 && (wasSynced || verdict.policy === "Observe")) {
    events.push({ type: "Warning", reason: "DriftDetected", note: describeDiffs(newlyDrifted) });
  }
  if (verdict.heldBack) {
    set("Ready", "False", "DriftDetected", summary);
    set("Synced", "False", "RetryBackoff", verdict.heldBack);
  } else if (verdict.policy === "Observe" || !verdict.applied) {
    set("Ready", "False", "DriftDetected", summary);
    set("Synced", "False", "DriftDetected", `Observe policy: ${verdict.diffs.length} field(s) differ, nothing written`);
  } else {
    const reason = wasSynced ? "DriftCorrected" : "Updating";
    set("Ready", "False", "Updating", `Applying ${summary}`);
    set("Synced", "True", reason, `Applying ${verdict.diffs.length} field(s)`);
  }
}

/** Keeps `detectedAt` for fields that were already drifted; returns the fields that are new. */
function recordDrift(
  status: Record<string, unknown>,
  previous: Record<string, unknown>,
  diffs: FieldDiff[],
  at: string,
): FieldDiff[] {
  const before = new Map(((previous.drift as DriftEntry[] | undefined) ?? []).map((d) => [d.field, d]));
  const fresh: FieldDiff[] = [];
  status.drift = diffs.map((d) => {
    const earlier = before.get(d.field);
    if (earlier && earlier.desired === d.desired && (earlier.live ?? "") === d.live) return earlier;
    fresh.push(d);
    // An unset live value is left out rather than written as "".
    const { live, ...rest } = d;
    return { ...rest, ...(live ? { live } : {}), detectedAt: earlier?.detectedAt ?? at };
  });
  status.driftCount = diffs.length;
  return fresh;
}

function isConditionReason(status: Record<string, unknown>, type: string, reason: string): boolean {
  return ((status.conditions as Condition[] | undefined) ?? []).some((c) => c.type === type && c.reason === reason);
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" ? value : fallback;
}
