// What a failed reconcile pass reports. Google's failures (raised by the call guard, or a failed
// long-running operation's google.rpc.Status) carry Google's classification and remediation hint;
// anything else — a Kubernetes write that failed, a bug — is the controller's own and is retried.

import { classifyGoogleError, GoogleCallError } from "../gcp/errors.ts";
import type { ClassifiedError } from "./reconciler.ts";

export function classifyReconcileError(err: unknown): ClassifiedError {
  if (err instanceof GoogleCallError || isRpcStatus(err)) {
    const c = classifyGoogleError(err);
    return {
      reason: c.reason,
      message: `${c.message}. ${c.hint}`,
      retryable: c.retryable,
      ...(c.retryAfterMs === undefined ? {} : { retryAfterMs: c.retryAfterMs }),
      ...(c.fieldViolations ? { fieldViolations: c.fieldViolations } : {}),
    };
  }
  return { reason: "ControllerError", message: messageChain(err), retryable: true };
}

/** A google.rpc.Status as a failed operation carries it: a gRPC code number and a message. */
function isRpcStatus(err: unknown): err is { code: number; message: string } {
  if (typeof err !== "object" || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  return typeof code === "number" && Number.isInteger(code) && code >= 1 && code <= 16 && typeof message === "string";
}

/** An error and its causes as one line, without repeating what a wrapper already says. */
export function messageChain(err: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (!messages.some((m) => m.includes(e.message))) messages.push(e.message);
  }
  return messages.length > 0 ? messages.join(": ") : String(err);
}
