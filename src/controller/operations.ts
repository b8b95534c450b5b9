// Following a long-running Google operation that an earlier pass started. An operation Google no longer
// knows (NOT_FOUND: expired, or the resource was re-created) or one that never finishes must not pin the
// object forever: it is dropped, the live resource is read again, and any difference left is applied anew.

import type { CommonSpec, ManagedKind, PendingOperation } from "../kinds/kind.ts";
import type { ClassifiedError } from "./reconciler.ts";

export type OperationOutcome =
  | { kind: "running" }
  | { kind: "succeeded" }
  | { kind: "failed"; error: unknown }
  | { kind: "dropped"; message: string };

export interface FollowOptions {
  now: Date;
  /** An operation older than this is given up on. */
  timeoutMs: number;
  classify: (err: unknown) => ClassifiedError;
}

export async function followOperation<Spec extends CommonSpec>(
  kind: ManagedKind<Spec>,
  pending: PendingOperation,
  options: FollowOptions,
): Promise<OperationOutcome> {
  const startedAt = Date.parse(pending.startedAt);
  if (options.now.getTime() - startedAt > options.timeoutMs) {
    const minutes = Math.round(options.timeoutMs / 60_000);
    return {
      kind: "dropped",
      message: `Operation ${pending.name}, started at ${pending.startedAt}, had not finished after ${minutes} minutes; stopped waiting for it and read the live resource again`,
    };
  }
  let state;
  try {
    state = await kind.checkOperation(pending.name);
  } catch (err) {
    if (options.classify(err).reason !== "NotFound") throw err;
    return {
      kind: "dropped",
      message: `Google no longer knows operation ${pending.name} (NOT_FOUND); stopped waiting for it and read the live resource again`,
    };
  }
  if (!state.done) return { kind: "running" };
  return state.error === undefined ? { kind: "succeeded" } : { kind: "failed", error: state.error };
}

/** What a pass does with an operation that ended: the status it writes, the Event, the drift it corrected. */
export interface EndedOperation {
  /** pendingOperation cleared, and lastFailure when the operation failed or was dropped. */
  status: Record<string, unknown>;
  completed?: { fields: PendingOperation["fields"]; correctedDrift: boolean; cause?: PendingOperation["cause"] };
  notice?: string;
  event?: { reason: "UpdateFailed" | "OperationDropped"; note: string };
  /** The fields whose out-of-band change the operation undid. */
  correctedDrift?: string[];
}

export function endedOperation(
  pending: PendingOperation,
  outcome: Exclude<OperationOutcome, { kind: "running" }>,
  at: string,
  classify: (err: unknown) => ClassifiedError,
): EndedOperation {
  const status: Record<string, unknown> = { pendingOperation: undefined };
  if (outcome.kind === "succeeded") {
    return {
      status,
      completed: {
        fields: pending.fields,
        correctedDrift: pending.correctedDrift,
        ...(pending.cause ? { cause: pending.cause } : {}),
      },
      ...(pending.correctedDrift ? { correctedDrift: pending.fields.map((f) => f.field) } : {}),
    };
  }
  const [reason, message] =
    outcome.kind === "failed"
      ? (["UpdateFailed", classify(outcome.error).message] as const)
      : (["OperationDropped", outcome.message] as const);
  status.lastFailure = { generation: pending.generation, reason, message, at };
  return {
    status,
    event: { reason, note: message },
    ...(outcome.kind === "dropped" ? { notice: message } : {}),
  };
}
