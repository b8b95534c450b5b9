// The output-only status of a service at each stage of a rollout: reconciling while the operation
// runs, then ready (traffic moved to the new revision) or failed (traffic left where it was).

import type { JsonObject } from "../core/module.ts";
import type { RevisionFailure } from "./failures.ts";

export function reconciling(service: JsonObject, now: string): void {
  service.reconciling = true;
  service.terminalCondition = { type: "Ready", state: "CONDITION_RECONCILING", lastTransitionTime: now };
  service.conditions = [
    { type: "RoutesReady", state: "CONDITION_RECONCILING", lastTransitionTime: now },
    { type: "ConfigurationsReady", state: "CONDITION_RECONCILING", lastTransitionTime: now },
  ];
}

export function ready(service: JsonObject, now: string): void {
  service.reconciling = false;
  service.observedGeneration = service.generation;
  service.latestReadyRevision = service.latestCreatedRevision;
  service.terminalCondition = { type: "Ready", state: "CONDITION_SUCCEEDED", lastTransitionTime: now };
  service.conditions = [
    { type: "RoutesReady", state: "CONDITION_SUCCEEDED", lastTransitionTime: now },
    { type: "ConfigurationsReady", state: "CONDITION_SUCCEEDED", lastTransitionTime: now },
  ];
  service.trafficStatuses = trafficStatuses(service);
}

/** The revision could not become ready: the service keeps serving what it served before. */
export function failed(service: JsonObject, revision: string, failure: RevisionFailure, now: string): string {
  const message = `Revision '${revision}' is not ready and cannot serve traffic. ${failure.message}`;
  service.reconciling = false;
  service.observedGeneration = service.generation;
  service.terminalCondition = {
    type: "Ready",
    state: "CONDITION_FAILED",
    reason: failure.reason,
    message,
    lastTransitionTime: now,
  };
  service.conditions = [
    {
      type: "RoutesReady",
      state: service.latestReadyRevision ? "CONDITION_SUCCEEDED" : "CONDITION_FAILED",
      lastTransitionTime: now,
    },
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

/** Marks the rollout of the latest created revision done: ready, or failed (returning the message) if set up to fail. */
export function settle(
  service: JsonObject,
  failedRevisions: Record<string, RevisionFailure>,
  now: string,
): string | undefined {
  const revision = typeof service.latestCreatedRevision === "string" ? service.latestCreatedRevision : "";
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
