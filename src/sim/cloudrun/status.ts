// The output-only status of a service at each stage of a rollout, as Google's recorded answers show it
// (test/fixtures/google-recordings/cloudrun-v2-runservicebasic): while an operation runs the service is
// `reconciling` and its terminal condition CONDITION_PENDING, with every other condition, the observed
// generation and the latest revisions left as they were; the rollout then makes it ready (traffic on the
// new revision) or failed (traffic left where it was).

import type { JsonObject } from "../core/module.ts";
import type { RevisionFailure } from "./failures.ts";

type Condition = JsonObject & { type?: string; state?: string; lastTransitionTime?: string };

/**
 * A write or delete was accepted. A new service's terminal condition is a bare CONDITION_PENDING (create,
 * interaction 1); an existing one keeps its type and transition time (update, interaction 6; delete, 11).
 */
export function pending(service: JsonObject): void {
  service.reconciling = true;
  const previous = service.terminalCondition as Condition | undefined;
  service.terminalCondition = previous
    ? {
        type: previous.type ?? "Ready",
        state: "CONDITION_PENDING",
        ...(previous.lastTransitionTime ? { lastTransitionTime: previous.lastTransitionTime } : {}),
      }
    : { state: "CONDITION_PENDING" };
}

/** A condition's transition time moves only when its state changes (ConfigurationsReady, interaction 7). */
function condition(previous: Condition[] | undefined, type: string, state: string, now: string): Condition {
  const before = previous?.find((c) => c.type === type);
  const since = before?.state === state && before.lastTransitionTime ? before.lastTransitionTime : now;
  return { type, state, lastTransitionTime: since };
}

function previousConditions(service: JsonObject): Condition[] | undefined {
  return Array.isArray(service.conditions) ? (service.conditions as Condition[]) : undefined;
}

/** The rollout finished: `observedGeneration` catches up and Ready is decided now. */
function finish(service: JsonObject): void {
  delete service.reconciling;
  service.observedGeneration = service.generation;
}

export function ready(service: JsonObject, now: string): void {
  const before = previousConditions(service);
  finish(service);
  service.latestReadyRevision = service.latestCreatedRevision;
  service.terminalCondition = { type: "Ready", state: "CONDITION_SUCCEEDED", lastTransitionTime: now };
  // Routes moved to the new revision now (RoutesReady's time changes on every rollout, interaction 7).
  service.conditions = [
    { type: "RoutesReady", state: "CONDITION_SUCCEEDED", lastTransitionTime: now },
    condition(before, "ConfigurationsReady", "CONDITION_SUCCEEDED", now),
  ];
  service.trafficStatuses = trafficStatuses(service);
}

/** A delete finished: only the terminal condition moves (interaction 12). */
export function deleted(service: JsonObject, now: string): void {
  finish(service);
  service.terminalCondition = { type: "Ready", state: "CONDITION_SUCCEEDED", lastTransitionTime: now };
}

/** The revision could not become ready: the service keeps serving what it served before. */
export function failed(service: JsonObject, revision: string, failure: RevisionFailure, now: string): string {
  const message = `Revision '${revision}' is not ready and cannot serve traffic. ${failure.message}`;
  const before = previousConditions(service);
  finish(service);
  service.terminalCondition = {
    type: "Ready",
    state: "CONDITION_FAILED",
    reason: failure.reason,
    message,
    lastTransitionTime: now,
  };
  service.conditions = [
    condition(before, "RoutesReady", service.latestReadyRevision ? "CONDITION_SUCCEEDED" : "CONDITION_FAILED", now),
    {
      type: "ConfigurationsReady",
      state: "CONDITION_FAILED",
      reason: failure.reason,
      message,
      lastTransitionTime: now,
    },
  ];
  return message;
}

/** The short id of a revision from its full resource name (…/services/s/revisions/s-00001-abc). */
export function revisionId(name: unknown): string {
  return typeof name === "string" ? name.slice(name.lastIndexOf("/") + 1) : "";
}

/** Marks the rollout of the latest created revision done: ready, or failed (returning the message) if set up to fail. */
export function settle(
  service: JsonObject,
  failedRevisions: Record<string, RevisionFailure>,
  now: string,
): string | undefined {
  const revision = revisionId(service.latestCreatedRevision);
  const failure = failedRevisions[revision];
  if (!failure) {
    ready(service, now);
    return undefined;
  }
  return failed(service, revision, failure, now);
}

function trafficStatuses(service: JsonObject): JsonObject[] {
  const traffic = Array.isArray(service.traffic) ? (service.traffic as JsonObject[]) : [];
  return traffic.map((target) => ({
    type: target.type,
    ...(target.revision ? { revision: target.revision } : {}),
    percent: target.percent ?? 0,
    ...(target.tag ? { tag: target.tag } : {}),
  }));
}
