// Judges one declared spec against the policies that select its namespace. Pure: the controller,
// `driftguard validate`, `plan` and `parity` all call this with what they have read.

import { formatSeconds, parseDuration } from "../api/common.ts";
import type { CompiledPolicy, CompiledRule, Severity } from "./compile.ts";
import { startupWindowSeconds, type PolicyKind } from "./fields.ts";
import { selects } from "./selector.ts";
import { comparable } from "./values.ts";

export interface PolicyFinding {
  policy: string;
  rule: string;
  severity: Severity;
  /** Names the policy, the rule, the field, the declared value and what the rule demands. */
  message: string;
}

export interface Judgement {
  denials: PolicyFinding[];
  warnings: PolicyFinding[];
}

export function judgeSpec(
  policies: readonly CompiledPolicy[],
  kind: PolicyKind,
  namespaceLabels: Record<string, string> | undefined,
  spec: Record<string, unknown>,
): Judgement {
  const findings: PolicyFinding[] = [];
  for (const policy of policies) {
    if (!selects(policy.selector, namespaceLabels)) continue;
    for (const rule of policy.rules) {
      if (rule.kind !== kind) continue;
      const problem = breach(rule, rule.definition.read(spec));
      if (problem) findings.push(finding(policy.name, rule.name, rule.severity, problem, rule.message));
    }
    if (policy.startupBudget && kind === "CloudRunServiceConfig") {
      for (const problem of budgetBreaches(policy.startupBudget.totalMs, policy.startupBudget.breakdown, spec)) {
        findings.push(finding(policy.name, "startupBudget", policy.startupBudget.severity, problem));
      }
    }
  }
  return {
    denials: findings.filter((f) => f.severity === "Deny"),
    warnings: findings.filter((f) => f.severity === "Warn"),
  };
}

/** One line for a condition or an Event: the first findings in full, then how many more. */
export function summariseFindings(findings: readonly PolicyFinding[], limit = 5): string {
  const shown = findings.slice(0, limit).map((f) => f.message);
  const more = findings.length - shown.length;
  return more > 0 ? `${shown.join("; ")}; and ${more} more` : shown.join("; ");
}

function breach(rule: CompiledRule, declared: unknown): string | undefined {
  const field = `spec.${rule.field}`;
  if (declared === undefined) return rule.required ? `${field} is not declared; the rule requires it` : undefined;
  const value = comparable(rule.definition.type, declared);
  // The kind's own schema has already accepted the spec, so this only guards against a catalog mistake.
  if (!value.ok) return `${field}: ${value.error}`;
  const shown = typeof declared === "string" ? declared : JSON.stringify(declared);
  if (rule.min && value.value < rule.min.value) return `${field} is ${shown}, must be at least ${rule.min.text}`;
  if (rule.max && value.value > rule.max.value) return `${field} is ${shown}, must be at most ${rule.max.text}`;
  if (rule.equals && value.value !== rule.equals.value) return `${field} is ${shown}, must be ${rule.equals.text}`;
  if (rule.oneOf && !rule.oneOf.some((o) => o.value === value.value)) {
    return `${field} is ${shown}, must be one of ${rule.oneOf.map((o) => o.text).join(", ")}`;
  }
  return undefined;
}

function budgetBreaches(totalMs: number, breakdown: string, spec: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const window = startupWindowSeconds(spec);
  if (window !== undefined && window * 1000 < totalMs) {
    problems.push(`spec.startupProbe allows ${window}s to start, less than the startup budget ${breakdown}`);
  }
  const database = spec.database as { timeouts?: { initialization?: string } } | undefined;
  const initialization = database?.timeouts?.initialization;
  if (initialization !== undefined && parseDuration(initialization) < totalMs) {
    const seconds = formatSeconds(parseDuration(initialization));
    const shown = seconds === initialization ? initialization : `${initialization} (${seconds})`;
    problems.push(`spec.database.timeouts.initialization is ${shown}, less than the startup budget ${breakdown}`);
  }
  return problems;
}

function finding(policy: string, rule: string, severity: Severity, problem: string, why?: string): PolicyFinding {
  const reason = why ? ` (${why})` : "";
  return { policy, rule, severity, message: `policy ${policy} rule ${rule}: ${problem}${reason}` };
}
