// Evaluates a CRD's x-kubernetes-validations the way a Kubernetes API server (1.25 and later) does, with
// @bufbuild/cel: defaults from the schema applied first (the API server defaults before it validates), values
// typed by the schema (integer → int, number → double, objects and maps → maps), each rule run with `self` bound
// to its node wherever that node is present, and messageExpression evaluated for each failure.

import { run } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import type { JsonSchema } from "../../src/api/crd.ts";

export interface CelFailure {
  /** Dotted path of the node the rule sits on, e.g. "spec.database.timeouts". */
  at: string;
  rule: string;
  /** messageExpression's result. */
  message: string;
}

interface Validation {
  rule: string;
  message: string;
  messageExpression: string;
}

/** Structural defaulting: a missing property with a default gets it, then its own properties are defaulted. */
export function applyDefaults(schema: JsonSchema, value: unknown): unknown {
  if (Array.isArray(value)) return schema.items ? value.map((item) => applyDefaults(schema.items!, item)) : value;
  if (value === null || typeof value !== "object") return value;
  const object: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    if (object[name] === undefined && child.default !== undefined) object[name] = structuredClone(child.default);
    if (object[name] !== undefined) object[name] = applyDefaults(child, object[name]);
  }
  if (typeof schema.additionalProperties === "object") {
    const itemSchema = schema.additionalProperties;
    for (const [key, child] of Object.entries(object)) object[key] = applyDefaults(itemSchema, child);
  }
  return object;
}

/** A JSON value as the CEL value the API server hands to a rule for this schema node. */
export function toCel(schema: JsonSchema, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (schema["x-kubernetes-int-or-string"] === true) return typeof value === "number" ? BigInt(value) : value;
  switch (schema.type) {
    case "integer":
      return BigInt(value as number);
    case "number":
      return Number(value);
    case "array":
      return (value as unknown[]).map((item) => toCel(schema.items ?? {}, item));
    case "object": {
      const entries = Object.entries(value as Record<string, unknown>).map(([key, child]): [string, unknown] => {
        const childSchema =
          schema.properties?.[key] ??
          (typeof schema.additionalProperties === "object" ? schema.additionalProperties : {});
        return [key, toCel(childSchema, child)];
      });
      return new Map(entries);
    }
    case "string":
    case "boolean":
    case undefined:
      return value;
    default:
      throw new Error(`no CEL mapping for schema type ${schema.type}`);
  }
}

/** Every rule that fails for `value` (already defaulted) under `schema`; an evaluation error counts as a failure. */
export function celFailures(schema: JsonSchema, value: unknown, at: string): CelFailure[] {
  if (value === null || value === undefined) return [];
  const failures: CelFailure[] = [];
  const validations = (schema["x-kubernetes-validations"] as Validation[] | undefined) ?? [];
  const self = toCel(schema, value);
  for (const { rule, messageExpression } of validations) {
    const result = evaluate(rule, self);
    if (result === true) continue;
    const message = typeof result === "boolean" ? evaluate(messageExpression, self) : result;
    failures.push({ at, rule, message: String(message) });
  }
  if (schema.type === "object" && typeof value === "object") {
    for (const [name, child] of Object.entries(schema.properties ?? {})) {
      failures.push(...celFailures(child, (value as Record<string, unknown>)[name], `${at}.${name}`));
    }
  }
  if (schema.type === "array" && schema.items && Array.isArray(value)) {
    value.forEach((item, index) => failures.push(...celFailures(schema.items!, item, `${at}[${index}]`)));
  }
  return failures;
}

/** The CEL rules in a schema, in document order. */
export function celRules(schema: JsonSchema): string[] {
  const own = ((schema["x-kubernetes-validations"] as Validation[] | undefined) ?? []).map((v) => v.rule);
  const children = [
    ...Object.values(schema.properties ?? {}),
    ...(schema.items ? [schema.items] : []),
    ...(typeof schema.additionalProperties === "object" ? [schema.additionalProperties] : []),
  ];
  return [...own, ...children.flatMap(celRules)];
}

function evaluate(expression: string, self: unknown): unknown {
  try {
    return run(expression, { self } as never, { funcs: strings });
  } catch (error) {
    return `evaluation error in ${expression}: ${(error as Error).message}`;
  }
}
