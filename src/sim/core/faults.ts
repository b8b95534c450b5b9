// Fault injection for Google-surface methods: fail with a gRPC code (always, with a probability, or for the
// next N calls) and/or add latency. Applied by the dispatcher to both transports alike. A failure carries
// the error details Google sends for it (see google-errors.ts).

import { RpcCode, type RpcCodeName, type SimError } from "./errors.ts";
import { FAULT_REASONS, googleError, type FaultReason } from "./google-errors.ts";

export interface FaultRule {
  /** Full method name ("google.cloud.run.v2.Services/GetService") or its last part ("GetService"). */
  method: string;
  /** Status to fail with; absent = latency only (unless `reason` implies one). */
  code?: RpcCodeName;
  /** ErrorInfo reason: RATE_LIMIT_EXCEEDED, IAM_PERMISSION_DENIED or SERVICE_DISABLED; implies the code. */
  reason?: FaultReason;
  /** Replaces Google's message text; the details stay. */
  message?: string;
  /** Adds RetryInfo (and Retry-After over REST) asking the client to wait this many seconds. */
  retryDelaySeconds?: number;
  /** Chance (0..1) that a call fails; default 1 unless `count` is given. */
  probability?: number;
  /** Fail exactly the next `count` calls, then the rule is gone. */
  count?: number;
  /** Added to every matching call while the rule is active. */
  latencyMs?: number;
}

export interface FaultDecision {
  delayMs: number;
  error?: SimError;
}

/** Checks a rule from the control API; returns the problems found (empty when valid). */
export function faultRuleProblems(input: unknown): string[] {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return ["a fault rule must be an object"];
  const rule = input as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof rule.method !== "string" || rule.method === "")
    problems.push("method: expected a method name such as GetService");
  if (rule.code !== undefined && (typeof rule.code !== "string" || !(rule.code in RpcCode) || rule.code === "OK")) {
    problems.push(
      `code: expected a gRPC status name other than OK (e.g. UNAVAILABLE), got ${JSON.stringify(rule.code)}`,
    );
  }
  const { probability, count, latencyMs, reason, retryDelaySeconds } = rule;
  if (reason !== undefined) {
    const implied =
      typeof reason === "string" && Object.hasOwn(FAULT_REASONS, reason)
        ? FAULT_REASONS[reason as FaultReason]
        : undefined;
    if (!implied) {
      problems.push(`reason: expected one of ${Object.keys(FAULT_REASONS).join(", ")}, got ${JSON.stringify(reason)}`);
    } else if (rule.code !== undefined && rule.code !== implied) {
      problems.push(`reason: ${reason as string} comes with code ${implied}, not ${JSON.stringify(rule.code)}`);
    }
  }
  if (
    retryDelaySeconds !== undefined &&
    (typeof retryDelaySeconds !== "number" || !Number.isFinite(retryDelaySeconds) || retryDelaySeconds < 0)
  ) {
    problems.push("retryDelaySeconds: expected a non-negative number of seconds");
  }
  if (probability !== undefined && (typeof probability !== "number" || !(probability >= 0 && probability <= 1))) {
    problems.push("probability: expected a number between 0 and 1");
  }
  if (count !== undefined && (typeof count !== "number" || !Number.isInteger(count) || count < 1)) {
    problems.push("count: expected a positive integer");
  }
  if (latencyMs !== undefined && (typeof latencyMs !== "number" || !(latencyMs >= 0))) {
    problems.push("latencyMs: expected a non-negative number of milliseconds");
  }
  const fails = rule.code !== undefined || reason !== undefined;
  if (!fails && latencyMs === undefined) problems.push("a rule needs a code, a latencyMs, or both");
  if (!fails && (count !== undefined || probability !== undefined || retryDelaySeconds !== undefined)) {
    problems.push("count, probability and retryDelaySeconds apply only to rules with a code");
  }
  return problems;
}

export class FaultInjector {
  #rules: FaultRule[] = [];
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  add(rule: FaultRule): void {
    const problems = faultRuleProblems(rule);
    if (problems.length) throw new Error(`invalid fault rule: ${problems.join("; ")}`);
    this.#rules.push({ ...rule });
  }

  list(): FaultRule[] {
    return this.#rules.map((rule) => ({ ...rule }));
  }

  clear(): void {
    this.#rules = [];
  }

  /** What happens to a call of `method` about `resource` (the resource its request names, if any). */
  decide(method: string, resource?: string): FaultDecision {
    let delayMs = 0;
    let error: SimError | undefined;
    const context = { method, ...(resource ? { resource } : {}) };
    for (const rule of this.#rules.filter((r) => r.method === method || method.endsWith(`/${r.method}`))) {
      delayMs += rule.latencyMs ?? 0;
      if (error || (rule.code === undefined && rule.reason === undefined)) continue;
      if (rule.count !== undefined) {
        rule.count -= 1;
        if (rule.count === 0) this.#rules = this.#rules.filter((r) => r !== rule);
        error = googleError(rule, context);
      } else if (this.#random() < (rule.probability ?? 1)) {
        error = googleError(rule, context);
      }
    }
    return error ? { delayMs, error } : { delayMs };
  }
}
