// When to look at an object again: a jittered resync interval (so objects created together do not
// all hit the Google APIs at the same second) and a filter that drops update events which only
// carry our own status writes.

import { PAUSED_ANNOTATION, RECONCILE_REQUESTED_AT_ANNOTATION } from "../api/common.ts";

export { PAUSED_ANNOTATION, RECONCILE_REQUESTED_AT_ANNOTATION };

/** The metadata fields the update filter reads; any Kubernetes object satisfies it. */
export interface ObjectWithMetadata {
  metadata?: {
    generation?: number;
    annotations?: Record<string, string> | undefined;
    deletionTimestamp?: string | Date | undefined;
  };
}

/**
 * `intervalMs` spread uniformly by ±`jitter` (default 10%).
 * `random` returns a number in [0, 1), as Math.random does.
 */
export function jitteredDelay(intervalMs: number, jitter = 0.1, random: () => number = Math.random): number {
  if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
    throw new Error(`resync interval must be a positive number of milliseconds, got ${intervalMs}`);
  }
  if (!(jitter >= 0 && jitter < 1)) {
    throw new Error(`resync jitter must be a fraction in [0, 1), got ${jitter}`);
  }
  return Math.round(intervalMs * (1 + jitter * (2 * random() - 1)));
}

/**
 * True when an update asks for a reconcile: the spec changed (generation), someone requested one via
 * the annotation, the pause annotation changed, or deletion started. Status-only and label-only
 * updates return false, which stops our own status writes from re-queuing the object.
 */
export function isMeaningfulUpdate(oldObject: ObjectWithMetadata, newObject: ObjectWithMetadata): boolean {
  const before = oldObject.metadata ?? {};
  const after = newObject.metadata ?? {};
  if (before.generation !== after.generation) return true;
  if (annotation(before, RECONCILE_REQUESTED_AT_ANNOTATION) !== annotation(after, RECONCILE_REQUESTED_AT_ANNOTATION)) {
    return true;
  }
  if (annotation(before, PAUSED_ANNOTATION) !== annotation(after, PAUSED_ANNOTATION)) return true;
  return before.deletionTimestamp == null && after.deletionTimestamp != null;
}

function annotation(metadata: NonNullable<ObjectWithMetadata["metadata"]>, name: string): string | undefined {
  return metadata.annotations?.[name];
}

/**
 * True when a status update changes the object's Ready condition. Such an update does not re-queue the
 * object itself, but objects that depend on it (a service waiting for its connector) must look again;
 * anything else in status (utilization samples, timestamps) changes too often to fan out.
 */
export function isReadinessChange(oldObject: { status?: unknown }, newObject: { status?: unknown }): boolean {
  return readyStatus(oldObject) !== readyStatus(newObject);
}

function readyStatus(object: { status?: unknown }): string | undefined {
  const conditions = (object.status as { conditions?: unknown } | undefined)?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  const ready = (conditions as Array<{ type?: unknown; status?: unknown }>).find((c) => c.type === "Ready");
  return typeof ready?.status === "string" ? ready.status : undefined;
}
