// Cross-field rules: one definition each, enforced in two places from that definition. The zod schemas run
// `check` (so `driftguard validate`, `plan` and the controller report the same issue, with the numbers), and the
// CRD generator writes `cel` into the CRD as x-kubernetes-validations, so clusters that evaluate CEL (Kubernetes
// 1.25 and later) refuse the object at `kubectl apply` time. Older API servers drop the field; the controller
// still refuses the spec. Rules CEL cannot express say why in `controllerOnly`.

import type { z } from "zod";

/** A rule violation; `path` is relative to the spec. */
export interface RuleIssue {
  path: (string | number)[];
  message: string;
}

/** One x-kubernetes-validations entry. `self` is the schema node at the rule's `at`. */
export interface CelRule {
  rule: string;
  /** Shown where messageExpression is not supported (Kubernetes 1.25 and 1.26). */
  message: string;
  /** Names the field and the numbers involved (Kubernetes 1.27 and later). */
  messageExpression: string;
}

export interface SpecRule<Spec> {
  /** Short name, for tests and the README. */
  name: string;
  /** Schema node the CEL rule is attached to, relative to spec. */
  at: readonly string[];
  check(spec: Spec): RuleIssue[];
  cel?: CelRule;
  /** Why the rule is not in the CRD. */
  controllerOnly?: string;
  /**
   * Not run by the zod schema: the controller reports a breach under its own reason (not InvalidSpec) and
   * still heals what it can; `driftguard validate` and the CRD check the rule all the same.
   */
  outsideSchema?: string;
}

/** What the CRD generator needs from a rule. */
export type CrdRule = Pick<SpecRule<never>, "name" | "at" | "cel">;

export function addRuleIssues(ctx: z.RefinementCtx, issues: RuleIssue[]): void {
  for (const { path, message } of issues) ctx.addIssue({ code: "custom", path, message });
}

/** The rules the zod schema runs (every rule but those reported under their own reason). */
export function runRules<Spec>(rules: readonly SpecRule<Spec>[], spec: Spec): RuleIssue[] {
  return rules.filter((rule) => rule.outsideSchema === undefined).flatMap((rule) => rule.check(spec));
}

/**
 * CEL that is true when every field on the dotted path below `self` is set: has(self.a) && has(self.a.b).
 * A path such as "database.timeouts.pool" is guarded one segment at a time, as CEL requires.
 */
export function celHas(path: string): string {
  const segments = path.split(".");
  return segments.map((_, index) => `has(self.${segments.slice(0, index + 1).join(".")})`).join(" && ");
}

/** CEL string of an int or a double field: string(self.x). */
export const celString = (expression: string) => `string(${expression})`;

/** Connections the service may open at its maximum scale: (pool.size + pool.maxOverflow) × scaling.maxInstances. */
export function connectionDemand(spec: {
  database?: { pool?: { size?: number; maxOverflow?: number } };
  scaling?: { maxInstances?: number };
}): number | undefined {
  const size = spec.database?.pool?.size;
  const maxInstances = spec.scaling?.maxInstances;
  if (size === undefined || maxInstances === undefined) return undefined;
  return (size + (spec.database?.pool?.maxOverflow ?? 0)) * maxInstances;
}

/** Connections the service may plan to use: floor(maxConnections × safetyMargin). */
export function connectionBudget(database: { maxConnections?: number; safetyMargin: number }): number | undefined {
  if (database.maxConnections === undefined) return undefined;
  // The epsilon keeps 100 × 0.29 = 28.999999999999996 at 29 (the CEL rule adds the same epsilon).
  return Math.floor(database.maxConnections * database.safetyMargin + 1e-9);
}
