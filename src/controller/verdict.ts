// Pure translation of one reconcile pass into the object's status and events. The reconciler collects
// what happened (blocked, observed, updated, failed ...) as a Verdict; this module decides conditions,
// drift bookkeeping and events, so every rule here is a plain unit test away.

import type { FieldDiff, PendingOperation } from "../kinds/kind.ts";
import { sameJson } from "../kube/status.ts";
import type { DriftAttribution } from "./attribution.ts";
import { findCondition, setCondition, type Condition } from "./conditions.ts";
import { describeApplied, summarise } from "./drift-report.ts";
import { applyProgress, IDLE, type Progress } from "./kstatus.ts";
import { isConditionReason, observedVerdict, recordDrift } from "./verdict-observed.ts";

export type ConditionStatus = "True" | "False" | "Unknown";

export interface DriftEntry extends FieldDiff {
  detectedAt: string;
}

export interface EventIntent {
  type: "Normal" | "Warning";
  reason: string;
  note: string;
}

/** Why an Enforce object with differences is left alone for now. */
export interface HeldBack {
  /** RetryBackoff: a rollout of this generation failed. UpdateRejected: Google refused the update as invalid. */
  reason: "RetryBackoff" | "UpdateRejected";
  message: string;
}

/** What one pass found or did. */
export type Verdict =
  | { kind: "paused" }
  | { kind: "blocked"; reason: string; message: string }
  | { kind: "error"; reason: string; message: string; notFound: boolean; retryable: boolean }
  | { kind: "updating"; message: string }
  | {
      kind: "observed";
      diffs: FieldDiff[];
      policy: "Enforce" | "Observe";
      applied: boolean;
      heldBack?: HeldBack;
      /** The diffs are the kind's own decision (an autoscaler raise): not drift, not a spec change. */
      cause?: "Autoscaling";
    }
  | { kind: "notReady"; diffs: FieldDiff[]; reason: string; message: string; terminal?: boolean };

export interface PassInput {
  generation: number;
  previous: Record<string, unknown>;
  verdict: Verdict;
  /** Kind-specific status fields from the observation, merged as they are. */
  observed?: Record<string, unknown>;
  extraConditions?: Array<{ type: string; status: ConditionStatus; reason: string; message: string }>;
  /** An update operation that completed successfully in this pass. */
  completed?: { fields: FieldDiff[]; correctedDrift: boolean; cause?: "Autoscaling" };
  /** Who last changed the Google resource out of band, when an audit feed knows. */
  attribution?: DriftAttribution;
  /** Something this pass did that the operator should read next to the condition (a dropped operation). */
  notice?: string;
  /** A quiet read refreshes lastSyncTime once it is this old (default 5 minutes). */
  syncTimeRefreshMs?: number;
  now: Date;
}

export interface PassResult {
  status: Record<string, unknown>;
  events: EventIntent[];
}

export const DEFAULT_SYNC_TIME_REFRESH_MS = 5 * 60_000;
/** Reasons that only wait for something that resolves by itself; everything else blocked is Stalled. */
const WAITING_REASONS = new Set(["DependencyNotReady"]);
const PAUSED_MESSAGE = 'driftguard.dev/paused is "true": no reads or writes until it is removed';

export type SetCondition = (type: string, status: ConditionStatus, reason: string, message: string) => void;

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

/** An operation read back from status (a restart, a new leader): unset live values are "" again. */
export function restoredOperation(stored: unknown): PendingOperation | undefined {
  if (typeof stored !== "object" || stored === null) return undefined;
  const operation = stored as PendingOperation;
  return { ...operation, fields: (operation.fields ?? []).map((f) => ({ ...f, live: f.live ?? "" })) };
}

export function applyVerdict(input: PassInput): PassResult {
  const { previous, verdict, generation, now } = input;
  const at = now.toISOString();
  const events: EventIntent[] = [];
  let conditions = (previous.conditions as Condition[] | undefined) ?? [];
  const set: SetCondition = (type, status, reason, message) => {
    conditions = setCondition(conditions, { type, status, reason, message, observedGeneration: generation }, now);
  };
  const status: Record<string, unknown> = { ...previous, ...input.observed, observedGeneration: generation };
  let progress: Progress = IDLE;

  // One Event each way, so a pause is visible in `kubectl describe` and event watchers.
  const wasPaused = isConditionReason(previous, "Synced", "Paused");
  if (verdict.kind === "paused" && !wasPaused) events.push({ type: "Normal", reason: "Paused", note: PAUSED_MESSAGE });
  if (verdict.kind !== "paused" && wasPaused) {
    events.push({
      type: "Normal",
      reason: "Resumed",
      note: "driftguard.dev/paused removed: reading and enforcing again",
    });
  }

  // An autoscaler's change is announced by the kind's own event (ScaledUp) when it is decided.
  if (input.completed && input.completed.cause === undefined) {
    const fields = describeApplied(input.completed.fields);
    status.driftCorrections = numberOr(previous.driftCorrections, 0) + (input.completed.correctedDrift ? 1 : 0);
    events.push(
      input.completed.correctedDrift
        ? { type: "Normal", reason: "DriftCorrected", note: summarise("Restored", fields) }
        : { type: "Normal", reason: "Updated", note: summarise("Applied", fields) },
    );
  }

  switch (verdict.kind) {
    case "paused":
      // Nothing is read while paused, so whether the resource matches the spec is unknown.
      set("Ready", "Unknown", "Paused", PAUSED_MESSAGE);
      set("Synced", "False", "Paused", PAUSED_MESSAGE);
      break;
    case "blocked":
      // Once per transition, so `kubectl describe` and event watchers see why nothing is applied.
      if (!isConditionReason(previous, "Synced", verdict.reason)) {
        const type = WAITING_REASONS.has(verdict.reason) ? "Normal" : "Warning";
        events.push({ type, reason: verdict.reason, note: verdict.message });
      }
      set("Ready", "False", verdict.reason, verdict.message);
      set("Synced", "False", verdict.reason, verdict.message);
      progress = {
        state: WAITING_REASONS.has(verdict.reason) ? "reconciling" : "stalled",
        reason: verdict.reason,
        message: verdict.message,
      };
      break;
    case "error": {
      // A failed call says nothing about the resource itself, except that it may not exist. The same
      // failure again (a retry, an outage going on) keeps the message it was first reported with, so an
      // unchanged situation causes no status write.
      const synced = findCondition(conditions, "Synced");
      const same = synced?.status === "False" && synced.reason === verdict.reason;
      const message = same ? synced.message : verdict.message;
      if (verdict.notFound) set("Ready", "False", verdict.reason, message);
      set("Synced", "False", verdict.reason, message);
      progress = { state: verdict.retryable ? "reconciling" : "stalled", reason: verdict.reason, message };
      break;
    }
    case "updating":
      set("Ready", "False", "Updating", verdict.message);
      set("Synced", "True", "Updating", verdict.message);
      progress = { state: "reconciling", reason: "Updating", message: verdict.message };
      break;
    case "notReady":
      recordDrift(status, previous, verdict.diffs, at);
      set("Ready", "False", verdict.reason, verdict.message);
      set("Synced", "True", verdict.reason, verdict.message);
      if (!isConditionReason(previous, "Ready", verdict.reason)) {
        events.push({ type: "Warning", reason: verdict.reason, note: verdict.message });
      }
      progress = {
        state: verdict.terminal ? "stalled" : "reconciling",
        reason: verdict.reason,
        message: verdict.message,
      };
      break;
    case "observed":
      progress = observedVerdict(verdict, { status, previous, set, events, at, attribution: input.attribution });
      break;
  }
  if (input.notice) {
    const synced = findCondition(conditions, "Synced");
    if (synced) set("Synced", synced.status, synced.reason, `${synced.message}. ${input.notice}`);
  }
  for (const c of input.extraConditions ?? []) set(c.type, c.status, c.reason, c.message);
  status.conditions = applyProgress(conditions, progress, generation, now);
  if (verdict.kind === "observed" || verdict.kind === "notReady") refreshSyncTime(status, previous, input);
  return { status, events };
}

/**
 * lastSyncTime says when the live resource was last read and compared. A pass that writes status anyway
 * sets it; a quiet read (nothing else changed) refreshes it only once it is older than the refresh
 * interval, so quiet resyncs stay free of status writes most of the time and the column never lies by more.
 */
function refreshSyncTime(status: Record<string, unknown>, previous: Record<string, unknown>, input: PassInput): void {
  const last = typeof previous.lastSyncTime === "string" ? Date.parse(previous.lastSyncTime) : Number.NaN;
  const refreshMs = input.syncTimeRefreshMs ?? DEFAULT_SYNC_TIME_REFRESH_MS;
  const old = !(input.now.getTime() - last < refreshMs);
  const { lastSyncTime: _new, ...rest } = status;
  const { lastSyncTime: _old, ...before } = previous;
  if (old || !sameJson(rest, before)) status.lastSyncTime = input.now.toISOString();
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" ? value : fallback;
}
