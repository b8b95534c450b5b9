// When an Enforce object's differences are deliberately not written: the rollout of this generation
// failed (a revision that does not start), or Google refused the update as invalid. Sending the same
// generation again would fail the same way, so it waits for a spec change or a long backoff.

import type { ClassifiedError } from "./reconciler.ts";
import type { HeldBack } from "./verdict.ts";

interface LastFailure {
  generation?: number;
  reason?: string;
  message?: string;
}

/** Why this generation is held back now, or undefined when it may be sent. */
export function heldBackFor(
  previous: Record<string, unknown>,
  generation: number,
  now: Date,
  backoffMs: number,
): HeldBack | undefined {
  if (previous.failedGeneration !== generation || typeof previous.failedAt !== "string") return undefined;
  const retryAt = new Date(Date.parse(previous.failedAt) + backoffMs);
  if (now.getTime() >= retryAt.getTime()) return undefined;
  const failure = previous.lastFailure as LastFailure | undefined;
  if (failure?.generation === generation && failure.reason === "UpdateRejected" && failure.message) {
    return { reason: "UpdateRejected", message: rejectedMessage(failure.message, retryAt) };
  }
  const message = `The rollout of generation ${generation} failed; it is retried when the spec changes or after ${retryAt.toISOString()}`;
  return { reason: "RetryBackoff", message };
}

/** For an INVALID_ARGUMENT answer to an update: the status that holds the generation back, and why. */
export function rejectionOf(
  classified: ClassifiedError,
  generation: number,
  now: Date,
  backoffMs: number,
): { status: Record<string, unknown>; heldBack: HeldBack } | undefined {
  if (classified.reason !== "InvalidArgument") return undefined;
  const violations = classified.fieldViolations ?? [];
  const detail =
    violations.length > 0 ? violations.map((v) => `${v.field}: ${v.description}`).join("; ") : classified.message;
  const message = `Google rejected the update of generation ${generation}: ${detail}`;
  const at = now.toISOString();
  return {
    status: {
      failedGeneration: generation,
      failedAt: at,
      lastFailure: { generation, reason: "UpdateRejected", message, at },
    },
    heldBack: { reason: "UpdateRejected", message: rejectedMessage(message, new Date(now.getTime() + backoffMs)) },
  };
}

/** The same text on every pass for one rejection, so holding it back rewrites nothing. */
function rejectedMessage(message: string, retryAt: Date): string {
  return `${message.replace(/\.+$/, "")}. Not sent again until the spec changes or after ${retryAt.toISOString()}`;
}
