// Where each managed object stands, for the demo's live table and for `--once`: converged (Ready),
// needs attention (driftguard found a problem in the spec a person must fix), still working, or failed
// (Google or the controller could not do its job).

import type { ManagedObject } from "../kinds/kind.ts";

export type Standing = "converged" | "attention" | "working" | "failed";

/** Reasons that mean "the spec asks for something driftguard must not do"; a person has to act. */
const ATTENTION = new Set([
  "InvalidSpec",
  "ConnectionBudgetExceeded",
  "ProjectNotAllowed",
  "ReplacementRequired",
  "PolicyViolation",
]);
/** Reasons that are progress, not failure. */
const PROGRESS = new Set(["Updating", "DependencyNotReady", "DriftCorrected", "DriftDetected", "ConnectorUpdating"]);

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

export function conditionOf(object: ManagedObject, type: string): Condition | undefined {
  return ((object.status?.conditions ?? []) as Condition[]).find((c) => c.type === type);
}

export function standing(object: ManagedObject): Standing {
  const status = object.status ?? {};
  if (status.observedGeneration !== object.metadata?.generation) return "working";
  const ready = conditionOf(object, "Ready");
  const synced = conditionOf(object, "Synced");
  if (status.pendingOperation) return "working";
  if (ready?.status === "True" && synced?.status === "True") return hot(object) ? "working" : "converged";
  const reason = synced?.status === "False" ? synced.reason : (ready?.reason ?? "");
  if (ATTENTION.has(reason)) return "attention";
  if (PROGRESS.has(reason) || reason === "") return "working";
  return "failed";
}

/** A connector still above its scale-up threshold is not done: the autoscaler has work left. */
function hot(object: ManagedObject): boolean {
  if (object.kind !== "VpcConnectorConfig") return false;
  const spec = object.spec as { autoscaling?: { enabled?: boolean; scaleUpThreshold?: number } } | undefined;
  const utilization = object.status?.utilization as { cpu?: number; throughput?: number } | undefined;
  if (!spec?.autoscaling?.enabled || !utilization) return false;
  const threshold = spec.autoscaling.scaleUpThreshold ?? 0.7;
  return Math.max(utilization.cpu ?? 0, utilization.throughput ?? 0) > threshold;
}

export interface Summary {
  converged: number;
  attention: number;
  working: number;
  failed: number;
}

export function summarise(objects: ManagedObject[]): Summary {
  const summary: Summary = { converged: 0, attention: 0, working: 0, failed: 0 };
  for (const o of objects) summary[standing(o)]++;
  return summary;
}

/** Settled: nothing left that driftguard itself is still doing. */
export function settled(summary: Summary): boolean {
  return summary.working === 0;
}
