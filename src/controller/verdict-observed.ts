// The verdict for a pass that read the live resource: in sync, drifted, being updated, held back, or
// carrying an autoscaler's decision. Split from verdict.ts, which owns the other outcomes.

import type { DriftAttribution } from "./attribution.ts";
import {
  describeApplied,
  describeDifferences,
  driftNote,
  freshAttribution,
  lastDrift,
  summarise,
  type LastDrift,
} from "./drift-report.ts";
import { IDLE, type Progress } from "./kstatus.ts";
import type { FieldDiff } from "../kinds/kind.ts";
import type { Condition } from "./conditions.ts";
import type { DriftEntry, EventIntent, SetCondition, Verdict } from "./verdict.ts";

/** Condition messages list changes up to this many bytes (Kubernetes allows 32,768). */
const CONDITION_SUMMARY_BYTES = 2_048;

export interface ObservedPass {
  status: Record<string, unknown>;
  previous: Record<string, unknown>;
  set: SetCondition;
  events: EventIntent[];
  at: string;
  attribution: DriftAttribution | undefined;
}

export function observedVerdict(verdict: Extract<Verdict, { kind: "observed" }>, pass: ObservedPass): Progress {
  const { status, previous, set, events, at } = pass;
  const applying = summarise("Applying", describeApplied(verdict.diffs), CONDITION_SUMMARY_BYTES);
  if (verdict.cause === "Autoscaling" && verdict.diffs.length > 0) {
    recordDrift(status, previous, [], at);
    const recommended = summarise("Recommended", describeApplied(verdict.diffs), CONDITION_SUMMARY_BYTES);
    set("Ready", "False", "Scaling", verdict.applied ? applying : recommended);
    set(
      "Synced",
      "True",
      "Scaling",
      verdict.applied ? "Applying the autoscaler's decision" : "Observe policy: nothing written",
    );
    return verdict.applied ? { state: "reconciling", reason: "Scaling", message: applying } : IDLE;
  }
  const newlyDrifted = recordDrift(status, previous, verdict.diffs, at);
  if (verdict.diffs.length === 0) {
    set("Ready", "True", "UpToDate", "Live settings match the spec");
    set("Synced", "True", "UpToDate", "Live settings match the spec");
    status.syncedGeneration = status.observedGeneration;
    return IDLE;
  }
  const summary = summarise("Differs in", describeDifferences(verdict.diffs), CONDITION_SUMMARY_BYTES);
  // A spec change is expected to differ; drift is a difference after the generation was in sync, or any
  // difference seen in Observe mode, where nothing else would ever tell.
  const wasSynced = previous.syncedGeneration === status.observedGeneration;
  if (newlyDrifted.length > 0 && (wasSynced || verdict.policy === "Observe")) {
    // Kept after healing empties `drift`, so when, what and who last drifted stays visible.
    const actor = freshAttribution(pass.attribution, previous.lastDrift as LastDrift | undefined);
    events.push({ type: "Warning", reason: "DriftDetected", note: driftNote(newlyDrifted, actor) });
    status.lastDrift = lastDrift(newlyDrifted, at, actor);
  }
  if (verdict.heldBack?.reason === "UpdateRejected") {
    if (!isConditionReason(previous, "Synced", "UpdateRejected")) {
      events.push({ type: "Warning", reason: "UpdateRejected", note: verdict.heldBack.message });
    }
    set("Ready", "False", "UpdateRejected", verdict.heldBack.message);
    set("Synced", "False", "UpdateRejected", verdict.heldBack.message);
    return { state: "stalled", reason: "UpdateRejected", message: verdict.heldBack.message };
  }
  if (verdict.heldBack) {
    set("Ready", "False", "DriftDetected", summary);
    set("Synced", "False", "RetryBackoff", verdict.heldBack.message);
    return { state: "stalled", reason: "RetryBackoff", message: verdict.heldBack.message };
  }
  if (verdict.policy === "Observe" || !verdict.applied) {
    set("Ready", "False", "DriftDetected", summary);
    set("Synced", "False", "DriftDetected", `Observe policy: ${verdict.diffs.length} field(s) differ, nothing written`);
    return IDLE;
  }
  const reason = wasSynced ? "DriftCorrected" : "Updating";
  set("Ready", "False", "Updating", applying);
  set("Synced", "True", reason, `Applying ${verdict.diffs.length} field(s)`);
  return { state: "reconciling", reason: "Updating", message: applying };
}

/** Keeps `detectedAt` for fields that were already drifted; returns the fields that are new. */
export function recordDrift(
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

export function isConditionReason(status: Record<string, unknown>, type: string, reason: string): boolean {
  return ((status.conditions as Condition[] | undefined) ?? []).some((c) => c.type === type && c.reason === reason);
}
