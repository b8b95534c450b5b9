// kstatus conventions (sigs.k8s.io/cli-utils/pkg/kstatus, used by Flux health checks and kpt): besides
// Ready and Synced, an object says Reconciling=True while work towards the spec is under way and
// Stalled=True when it cannot get there without someone changing something. Both are "abnormal-true"
// conditions: absent when they do not hold, as Flux's own controllers leave them. Without them kstatus
// would call every object with a current observedGeneration "Current", a failing one included.

import { removeCondition, setCondition, type Condition } from "./conditions.ts";

export const RECONCILING = "Reconciling";
export const STALLED = "Stalled";

export type Progress =
  | { state: "idle" }
  | { state: "reconciling"; reason: string; message: string }
  | { state: "stalled"; reason: string; message: string };

export const IDLE: Progress = { state: "idle" };

export function applyProgress(conditions: Condition[], progress: Progress, generation: number, now: Date): Condition[] {
  const set = (list: Condition[], type: string, reason: string, message: string) =>
    setCondition(list, { type, status: "True", reason, message, observedGeneration: generation }, now);
  switch (progress.state) {
    case "idle":
      return removeCondition(removeCondition(conditions, RECONCILING), STALLED);
    case "reconciling":
      return set(removeCondition(conditions, STALLED), RECONCILING, progress.reason, progress.message);
    case "stalled":
      return set(removeCondition(conditions, RECONCILING), STALLED, progress.reason, progress.message);
  }
}
