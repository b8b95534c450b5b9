// The generic reconciler: one pass for one object key. It owns the order of checks (paused, spec,
// tenancy, cluster-wide admission, in-flight operation, observe, apply), conditions, events, status
// writes and requeue timing. Kinds only read, compare and change their Google resource.

import type { Logger } from "pino";
import { parseDuration } from "../api/duration.ts";
import type { CommonSpec, KindContext, ManagedKind, ManagedObject, PendingOperation } from "../kinds/kind.ts";
import { splitKey, type DesiredStateSource } from "../sources/source.ts";
import { objectLogger, type ObjectLog } from "../observability/logger.ts";
import { noAttribution, type ActorKind, type AttributionLookup } from "./attribution.ts";
import type { LastDrift } from "./drift-report.ts";
import { heldBackFor, rejectionOf } from "./held-back.ts";
import { endedOperation, followOperation } from "./operations.ts";
import { jitteredDelay, PAUSED_ANNOTATION } from "./resync.ts";
import { PolicyGate, type PolicyOutcome } from "./policy-gate.ts";
import { tenancyViolation } from "./tenancy.ts";
import { applyVerdict, restoredOperation, storedOperation, type PassInput, type Verdict } from "./verdict.ts";

export interface ClassifiedError {
  reason: string;
  message: string;
  retryable: boolean;
  /** When Google (RetryInfo, a quota pause, the breaker's next probe) says a retry can succeed. */
  retryAfterMs?: number;
  /** Google's BadRequest field violations, for an INVALID_ARGUMENT. */
  fieldViolations?: Array<{ field: string; description: string }>;
}

export interface ReconcileResult {
  /** Re-queue with the key's exponential backoff (a retryable failure). */
  retry?: boolean;
  /** With `retry`: when the server (or a quota pause) said to come back, used instead of the backoff. */
  retryAfterMs?: number;
  /** Re-queue after this delay (resync, operation polling, dependency wait). */
  requeueAfterMs?: number;
  /** Whether the next run is periodic (low priority) rather than follow-up work. */
  resync?: boolean;
  /**
   * The pass failed (the reason): what controller-runtime counts as a reconcile that returned an error,
   * retried or not, so `controller_runtime_reconcile_errors_total` moves while Google fails.
   */
  failed?: string;
}

export interface ReconcilerOptions<Spec extends CommonSpec> {
  kind: ManagedKind<Spec>;
  source: DesiredStateSource;
  classify: (err: unknown) => ClassifiedError;
  log: Logger;
  now?: () => Date;
  /** Deny every project in namespaces without the allowed-projects annotation. */
  requireProjectAllowlist?: boolean;
  /** How often to look at an in-flight Google operation. */
  operationPollMs?: number;
  /** How long an in-flight operation is waited for before it is given up on and the resource re-read. */
  operationTimeoutMs?: number;
  /** How long a generation whose rollout failed (or that Google rejected) is left alone before it is pushed again. */
  failedRolloutBackoffMs?: number;
  /** A quiet resync refreshes status.lastSyncTime once it is this old. */
  syncTimeRefreshMs?: number;
  /** Applies jitter to resync intervals (±10% by default). */
  jitter?: (ms: number) => number;
  /** Who changed a Google resource out of band (Cloud Audit Logs); nobody is known by default. */
  attribution?: AttributionLookup;
  onDriftCorrected?: (fields: string[], actor: ActorKind) => void;
}

type Options<Spec extends CommonSpec> = Required<Omit<ReconcilerOptions<Spec>, "onDriftCorrected">> &
  Pick<ReconcilerOptions<Spec>, "onDriftCorrected">;

export class Reconciler<Spec extends CommonSpec> {
  #o: Options<Spec>;
  #pending = new Map<string, PendingOperation>();
  #conflicts = new Set<string>();
  #policies: PolicyGate;

  constructor(options: ReconcilerOptions<Spec>) {
    this.#o = {
      now: () => new Date(),
      requireProjectAllowlist: false,
      operationPollMs: 1_000,
      operationTimeoutMs: 60 * 60_000,
      failedRolloutBackoffMs: 30 * 60_000,
      syncTimeRefreshMs: 5 * 60_000,
      jitter: (ms) => jitteredDelay(ms),
      attribution: noAttribution,
      ...options,
    };
    this.#policies = new PolicyGate(options.source);
  }

  get kind(): ManagedKind<Spec> {
    return this.#o.kind;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const { kind, source } = this.#o;
    const { namespace, name } = splitKey(key);
    const object = source.get(kind.resource, namespace, name);
    if (!object || object.metadata?.deletionTimestamp) {
      // Deleting the custom resource never deletes or changes the Google resource.
      this.#pending.delete(key);
      this.#conflicts.delete(key);
      return {};
    }
    if (object.metadata?.annotations?.[PAUSED_ANNOTATION] === "true") {
      await this.#finish(object, { verdict: { kind: "paused" } });
      return {};
    }
    const parsed = kind.parseSpec(object.spec);
    if (!parsed.ok) {
      await this.#finish(object, { verdict: blocked("InvalidSpec", parsed.issues.join("; ")) });
      return {};
    }
    const spec = parsed.spec;
    const notAllowed = tenancyViolation(
      kind,
      spec,
      namespace,
      source,
      source.namespaceAnnotations(namespace),
      this.#o.requireProjectAllowlist,
    );
    if (notAllowed) {
      await this.#finish(object, { verdict: blocked("ProjectNotAllowed", notAllowed) });
      return {};
    }
    const policy = this.#policies.judge(kind.resource.kind, namespace, spec, object.status ?? {});
    if (policy.denied) {
      // A denied spec is never applied, and live state is never "healed" toward it.
      await this.#finish(object, {
        verdict: blocked("PolicyViolation", policy.denied),
        extraConditions: policy.conditions,
      });
      return {};
    }
    const ctx: KindContext<Spec> = { key, object, spec, lookup: source, now: this.#o.now() };
    const admission = kind.admit(ctx);
    if (admission) {
      await this.#finish(object, { verdict: blocked(admission.reason, admission.message) });
      return admission.retryAfterMs ? { requeueAfterMs: admission.retryAfterMs } : {};
    }
    try {
      const result = await this.#sync(ctx, policy);
      this.#conflicts.delete(key);
      return result;
    } catch (err) {
      const classified = this.#o.classify(err);
      const log = this.#log(key);
      if (classified.reason === "Conflict" && !this.#conflicts.has(key)) {
        // Someone wrote between our read and our write (a CI deploy, a person): re-read and re-diff now,
        // at once and without touching status; back-to-back conflicts back off like any failure.
        this.#conflicts.add(key);
        log.info({ reason: classified.reason }, "live object changed while applying; re-reading");
        return { requeueAfterMs: 0 };
      }
      this.#conflicts.delete(key);
      log.warn({ err, reason: classified.reason }, "reconcile failed");
      const { reason, message, retryable } = classified;
      await this.#finish(object, {
        verdict: { kind: "error", reason, message, retryable, notFound: reason === "NotFound" },
      });
      if (retryable) {
        const after = classified.retryAfterMs ? { retryAfterMs: classified.retryAfterMs } : {};
        return { retry: true, failed: classified.reason, ...after };
      }
      return { requeueAfterMs: this.#resyncMs(spec), resync: true, failed: classified.reason };
    }
  }

  async #sync(ctx: KindContext<Spec>, policy: PolicyOutcome): Promise<ReconcileResult> {
    const { kind } = this.#o;
    const { object, spec, key } = ctx;
    const generation = object.metadata?.generation ?? 0;
    const previous = object.status ?? {};
    const statusPatch: Record<string, unknown> = {};
    const at = ctx.now.toISOString();
    let completed: PassInput["completed"];
    let notice: string | undefined;

    const pending = this.#pending.get(key) ?? restoredOperation(previous.pendingOperation);
    if (pending) {
      const { classify, operationTimeoutMs: timeoutMs } = this.#o;
      const outcome = await followOperation(kind, pending, { now: ctx.now, timeoutMs, classify });
      if (outcome.kind === "running") {
        this.#pending.set(key, pending);
        await this.#finish(object, {
          verdict: { kind: "updating", message: `Waiting for operation ${pending.name}` },
          observed: { pendingOperation: storedOperation(pending) },
        });
        return { requeueAfterMs: this.#o.operationPollMs };
      }
      this.#pending.delete(key);
      const log = this.#log(key);
      log.info({ operation: pending.name, outcome: outcome.kind, fields: pending.fields }, "operation ended");
      const ended = endedOperation(pending, outcome, at, this.#o.classify);
      if (outcome.kind === "dropped") log.warn({ operation: pending.name }, outcome.message);
      if (ended.event) await this.#o.source.recordEvent(object, "Warning", ended.event.reason, ended.event.note);
      if (ended.correctedDrift) {
        const actor = (previous.lastDrift as LastDrift | undefined)?.actor?.kind ?? "unknown";
        this.#o.onDriftCorrected?.(ended.correctedDrift, actor);
      }
      Object.assign(statusPatch, ended.status);
      completed = ended.completed;
      notice = ended.notice;
    }

    const observation = await kind.observe(ctx);
    const observed = { ...statusPatch, ...observation.status };
    const attribution = observation.diffs.length > 0 ? this.#o.attribution.lastChange(key) : undefined;
    const common = {
      observed,
      extraConditions: [...(observation.conditions ?? []), ...policy.conditions],
      completed,
      ...(notice ? { notice } : {}),
      ...(attribution ? { attribution } : {}),
    };
    for (const e of [...(observation.events ?? []), ...policy.events]) {
      await this.#o.source.recordEvent(object, e.type, e.reason, e.note);
    }
    const resync = Math.min(this.#resyncMs(spec), observation.requeueAfterMs ?? Infinity);

    let heldBack = heldBackFor(previous, generation, ctx.now, this.#o.failedRolloutBackoffMs);
    // A kind that holds some fields back still applies the rest (see Observation.blocked).
    const appliesFirst = observation.diffs.length > 0 && spec.managementPolicy === "Enforce" && !heldBack;
    if (observation.blocked && !appliesFirst) {
      await this.#finish(object, {
        ...common,
        verdict: blocked(observation.blocked.reason, observation.blocked.message),
      });
      return { requeueAfterMs: resync, resync: true };
    }
    if (observation.notReady && observation.diffs.length === 0) {
      const { reason, message, terminal } = observation.notReady;
      if (terminal && previous.failedGeneration !== generation) {
        Object.assign(observed, { failedGeneration: generation, failedAt: at });
      }
      await this.#finish(object, {
        ...common,
        verdict: { kind: "notReady", diffs: [], reason, message, ...(terminal ? { terminal } : {}) },
      });
      return { requeueAfterMs: resync, resync: true };
    }

    let applied = false;
    if (observation.diffs.length > 0 && spec.managementPolicy === "Enforce" && !heldBack) {
      let operation: string | undefined;
      try {
        operation = await kind.update(ctx, observation);
      } catch (err) {
        const rejection = rejectionOf(this.#o.classify(err), generation, ctx.now, this.#o.failedRolloutBackoffMs);
        if (!rejection) throw err;
        // Google refused the values themselves: sending them again cannot help until the spec changes.
        this.#log(key).warn({ err, fields: observation.diffs }, "update rejected as invalid");
        Object.assign(observed, rejection.status);
        heldBack = rejection.heldBack;
      }
      if (operation !== undefined) {
        const next: PendingOperation = {
          name: operation,
          generation,
          startedAt: at,
          fields: observation.diffs,
          correctedDrift: observation.diffCause === undefined && previous.syncedGeneration === generation,
          ...(observation.diffCause ? { cause: observation.diffCause } : {}),
        };
        this.#pending.set(key, next);
        observed.pendingOperation = storedOperation(next);
        applied = true;
        this.#log(key).info({ fields: observation.diffs, operation, cause: next.cause }, "applying");
      }
    }
    const verdict: Verdict = {
      kind: "observed",
      diffs: observation.diffs,
      policy: spec.managementPolicy,
      applied,
      ...(observation.diffCause ? { cause: observation.diffCause } : {}),
      ...(heldBack && observation.diffs.length > 0 ? { heldBack } : {}),
    };
    await this.#finish(object, { ...common, verdict });
    if (applied) return { requeueAfterMs: this.#o.operationPollMs };
    return { requeueAfterMs: resync, resync: true };
  }

  #log(key: string): ObjectLog {
    return objectLogger(this.#o.log, { key, kind: this.#o.kind.resource.kind });
  }

  #resyncMs(spec: Spec): number {
    return this.#o.jitter(parseDuration(spec.resyncInterval));
  }

  async #finish(object: ManagedObject, pass: Omit<PassInput, "generation" | "previous" | "now">): Promise<void> {
    const { status, events } = applyVerdict({
      ...pass,
      generation: object.metadata?.generation ?? 0,
      previous: object.status ?? {},
      syncTimeRefreshMs: this.#o.syncTimeRefreshMs,
      now: this.#o.now(),
    });
    for (const [field, value] of Object.entries(status)) if (value === undefined) delete status[field];
    await this.#o.source.writeStatus(this.#o.kind.resource, object, status);
    for (const e of events) await this.#o.source.recordEvent(object, e.type, e.reason, e.note);
  }
}

function blocked(reason: string, message: string): Verdict {
  return { kind: "blocked", reason, message };
}
