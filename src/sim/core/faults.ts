// Fault injection for Google-surface methods: fail with a gRPC code (always, with a probability, or for the
// next N calls) and/or add latency. Applied by the dispatcher to both transports alike.

import { RpcCode, SimError, type RpcCodeName } from "./errors.ts";

export interface FaultRule {
  /** Full method name ("google.cloud.run.v2.Services/GetService") or its last part ("GetService"). */
  method: string;
  /** Status to fail with; absent = latency only. */
  code?: RpcCodeName;
  message?: string;
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
  const { probability, count, latencyMs } = rule;
  if (probability !== undefined && (typeof probability !== "number" || !(probability >= 0 && probability <= 1))) {
    problems.push("probability: expected a number between 0 and 1");
  }
  if (count !== undefined && (typeof count !== "number" || !Number.isInteger(count) || count < 1)) {
    problems.push("count: expected a positive integer");
  }
  if (latencyMs !== undefined && (typeof latencyMs !== "number" || !(latencyMs >= 0))) {
    problems.push("latencyMs: expected a non-negative number of milliseconds");
  }
  if (rule.code === undefined && latencyMs === undefined) problems.push("a rule needs a code, a latencyMs, or both");
  if (rule.code === undefined && (count !== undefined || probability !== undefined)) {
    problems.push("count and probability apply only to rules with a code");
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

  decide(method: string): FaultDecision {
    let delayMs = 0;
    let error: SimError | undefined;
    for (const rule of this.#rules.filter((r) => r.method === method || method.endsWith(`/${r.method}`))) {
      delayMs += rule.latencyMs ?? 0;
      if (error || rule.code === undefined) continue;
      if (rule.count !== undefined) {
        rule.count -= 1;
        if (rule.count === 0) this.#rules = this.#rules.filter((r) => r !== rule);
        error = injected(rule.code, rule.message);
      } else if (this.#random() < (rule.probability ?? 1)) {
        error = injected(rule.code, rule.message);
      }
    }
    return error ? { delayMs, error } : { delayMs };
  }
}

function injected(code: RpcCodeName, message: string | undefined): SimError {
  return new SimError(code, message ?? `injected fault: ${code}`);
}
