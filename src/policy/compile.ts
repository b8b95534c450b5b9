// Turns a ServiceConfigPolicy object into rules ready to judge specs, or into the problems that keep it
// from being in force: schema errors, unknown fields, values of the wrong type, contradictions. A policy
// with problems judges nothing (it neither blocks nor allows) until it is fixed.

import { formatSeconds, parseDuration } from "../api/common.ts";
import { ServiceConfigPolicy, type PolicyRule } from "../api/policy.ts";
import { parseWithIssues } from "../api/validate.ts";
import { POLICY_FIELDS, type PolicyField, type PolicyKind } from "./fields.ts";
import { selectorProblems, type LabelSelector } from "./selector.ts";
import { comparable, typeName } from "./values.ts";

export type Severity = "Deny" | "Warn";

export interface Bound {
  /** As the policy wrote it, for messages. */
  text: string;
  value: number | string | boolean;
}

export interface CompiledRule {
  name: string;
  kind: PolicyKind;
  field: string;
  definition: PolicyField;
  min?: Bound;
  max?: Bound;
  equals?: Bound;
  oneOf?: Bound[];
  required: boolean;
  severity: Severity;
  message?: string;
}

export interface CompiledBudget {
  totalMs: number;
  /** "vpcScaling 30s + cloudSql 25s + safetyMargin 15s = 70s" */
  breakdown: string;
  severity: Severity;
}

export interface CompiledPolicy {
  name: string;
  selector: LabelSelector;
  rules: CompiledRule[];
  startupBudget?: CompiledBudget;
}

export type PolicyCompilation = { ok: true; policy: CompiledPolicy } | { ok: false; name: string; problems: string[] };

export function compilePolicy(object: unknown): PolicyCompilation {
  const name = policyName(object);
  const parsed = parseWithIssues(ServiceConfigPolicy, object);
  if (!parsed.success) return { ok: false, name, problems: parsed.issues.map((i) => `${i.path}: ${i.message}`) };
  const { spec } = parsed.data;
  const problems = selectorProblems(spec.namespaceSelector);
  const rules: CompiledRule[] = [];
  const seen = new Set<string>();
  spec.rules.forEach((rule, i) => {
    const where = `spec.rules[${i}] (${rule.name})`;
    if (seen.has(rule.name)) problems.push(`${where}: another rule has the same name`);
    seen.add(rule.name);
    const compiled = compileRule(rule, where, problems);
    if (compiled) rules.push(compiled);
  });
  let startupBudget: CompiledBudget | undefined;
  if (spec.startupBudget) {
    const entries = Object.entries(spec.startupBudget.allowances);
    if (entries.length === 0) problems.push("spec.startupBudget.allowances: name at least one allowance");
    const totalMs = entries.reduce((sum, [, text]) => sum + parseDuration(text), 0);
    const breakdown = `${entries.map(([k, v]) => `${k} ${v}`).join(" + ")} = ${formatSeconds(totalMs)}`;
    startupBudget = { totalMs, breakdown, severity: spec.startupBudget.severity };
  }
  if (problems.length > 0) return { ok: false, name, problems };
  return {
    ok: true,
    policy: { name, selector: spec.namespaceSelector, rules, ...(startupBudget ? { startupBudget } : {}) },
  };
}

function compileRule(rule: PolicyRule, where: string, problems: string[]): CompiledRule | undefined {
  const definition = POLICY_FIELDS[rule.kind][rule.field];
  if (!definition) {
    const known = Object.keys(POLICY_FIELDS[rule.kind]).join(", ");
    problems.push(`${where}.field: ${rule.kind} has no field "${rule.field}" a policy can judge; known: ${known}`);
    return undefined;
  }
  const before = problems.length;
  const bound = (key: "min" | "max" | "equals", raw: string | number | undefined): Bound | undefined => {
    if (raw === undefined) return undefined;
    const c = comparable(definition.type, raw);
    if (!c.ok) {
      problems.push(`${where}.${key}: ${rule.field} is ${typeName(definition.type)}: ${c.error}`);
      return undefined;
    }
    if ((key === "min" || key === "max") && !c.ordered) {
      problems.push(
        `${where}.${key}: ${rule.field} is ${typeName(definition.type)} and has no order; use equals or oneOf`,
      );
      return undefined;
    }
    return { text: String(raw), value: c.value };
  };
  const min = bound("min", rule.min);
  const max = bound("max", rule.max);
  const equals = bound("equals", rule.equals);
  const oneOf = rule.oneOf?.map((raw, i) => {
    const c = comparable(definition.type, raw);
    if (!c.ok) problems.push(`${where}.oneOf[${i}]: ${rule.field} is ${typeName(definition.type)}: ${c.error}`);
    return { text: raw, value: c.ok ? c.value : raw };
  });
  if (min === undefined && max === undefined && equals === undefined && oneOf === undefined && !rule.required) {
    if (problems.length === before) problems.push(`${where}: states nothing; give min, max, equals, oneOf or required`);
  }
  const outside = (b: Bound) => (min && b.value < min.value) || (max && b.value > max.value);
  if (min && max && min.value > max.value) problems.push(`${where}: min ${min.text} is above max ${max.text}`);
  if (equals && outside(equals)) problems.push(`${where}: equals ${equals.text} lies outside min/max`);
  if (equals && oneOf && !oneOf.some((o) => o.value === equals.value)) {
    problems.push(`${where}: equals ${equals.text} is not among oneOf`);
  }
  if (oneOf && oneOf.length > 0 && oneOf.every(outside))
    problems.push(`${where}: every oneOf value lies outside min/max`);
  if (problems.length > before) return undefined;
  return {
    name: rule.name,
    kind: rule.kind,
    field: rule.field,
    definition,
    ...(min ? { min } : {}),
    ...(max ? { max } : {}),
    ...(equals ? { equals } : {}),
    ...(oneOf ? { oneOf } : {}),
    required: rule.required,
    severity: rule.severity,
    ...(rule.message ? { message: rule.message } : {}),
  };
}

function policyName(object: unknown): string {
  const metadata = (object as { metadata?: { name?: unknown } } | null)?.metadata;
  return typeof metadata?.name === "string" ? metadata.name : "(unnamed)";
}
