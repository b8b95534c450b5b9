// Offline validation of any manifest object: dispatch on apiVersion/kind, run the kind's schema (including its
// cross-field rules) and report each problem with the field path, e.g. "spec.database.timeouts.pool".

import type { z } from "zod";
import { API_VERSION, GROUP } from "./common.ts";
import { DatabaseSpec } from "./database.ts";
import { KINDS, findKind } from "./kinds.ts";
import { ownConnectionBudgetIssues } from "./rules-cloudrun.ts";

export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `spec.env["1BAD"]` or `spec.autoscaling.machineTypeLadder[1]`. */
  path: string;
  message: string;
}

export type ManifestValidation =
  | { outcome: "ignored"; reason: string; apiVersion?: string; kind?: string; name?: string }
  | { outcome: "checked"; kind: string; name?: string; namespace?: string; issues: ValidationIssue[] };

// A missing field reads better as "required" than as "expected string, received undefined"; a boolean where a
// string belongs is nearly always an unquoted yes/no/on/off, which YAML 1.1 (and so kubectl) reads as a boolean.
const parseParams = {
  error: (issue: { code?: string; input?: unknown; expected?: string }) => {
    if (issue.code !== "invalid_type") return undefined;
    if (issue.input === undefined) return "required field is missing";
    if (issue.expected === "string" && typeof issue.input === "boolean") {
      return (
        `expected a string, got the boolean ${issue.input} ` +
        "(YAML reads unquoted yes/no/on/off/y/n as booleans: quote the value)"
      );
    }
    return undefined;
  },
};

/** Validates one manifest object; objects outside driftguard.dev are ignored, not rejected. */
export function validateManifest(manifest: unknown): ManifestValidation {
  if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest)) {
    return { outcome: "ignored", reason: "not a Kubernetes object" };
  }
  const object = manifest as Record<string, unknown>;
  const apiVersion = typeof object.apiVersion === "string" ? object.apiVersion : undefined;
  const kind = typeof object.kind === "string" ? object.kind : undefined;
  const metadata = (typeof object.metadata === "object" && object.metadata) || {};
  const name = stringField(metadata, "name");
  const namespace = stringField(metadata, "namespace");
  if (apiVersion?.split("/")[0] !== GROUP) {
    return { outcome: "ignored", reason: `not a ${GROUP} resource`, apiVersion, kind, name };
  }
  const definition = kind === undefined ? undefined : findKind(kind);
  if (definition === undefined) {
    const known = KINDS.map((k) => k.kind).join(", ");
    const issue = {
      path: "kind",
      message: `unknown kind ${JSON.stringify(kind)} in ${GROUP}: expected one of ${known}`,
    };
    return { outcome: "checked", kind: kind ?? "(no kind)", name, namespace, issues: [issue] };
  }
  if (apiVersion !== API_VERSION) {
    const issue = { path: "apiVersion", message: `unsupported version ${apiVersion}: expected ${API_VERSION}` };
    return { outcome: "checked", kind: definition.kind, name, namespace, issues: [issue] };
  }
  const result = definition.resource.safeParse(manifest, parseParams);
  const issues = [
    ...(result.success ? [] : issuesFromZod(result.error)),
    ...ruleIssuesOutsideSchema(definition.kind, manifest),
  ];
  return { outcome: "checked", kind: definition.kind, name, namespace, issues };
}

/** Parses with the same messages `validateManifest` gives, for callers that hold a schema (e.g. the controller). */
export function parseWithIssues<T extends z.ZodType>(
  schema: T,
  value: unknown,
): { success: true; data: z.output<T> } | { success: false; issues: ValidationIssue[] } {
  const result = schema.safeParse(value, parseParams);
  return result.success
    ? { success: true, data: result.data }
    : { success: false, issues: issuesFromZod(result.error) };
}

export function issuesFromZod(error: z.ZodError): ValidationIssue[] {
  return error.issues.flatMap((issue): ValidationIssue[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: "unknown field" }));
    }
    if (issue.code === "invalid_key") {
      const reason = issue.issues[0]?.message ?? issue.message;
      return [{ path: formatPath(issue.path), message: `invalid key: ${reason}` }];
    }
    return [{ path: formatPath(issue.path), message: issue.message }];
  });
}

/** ["spec", "env", "1BAD"] -> `spec.env["1BAD"]`; ["a", 0] -> "a[0]". */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, index) => {
      if (typeof segment === "number") return `[${segment}]`;
      const text = String(segment);
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(text)) return index === 0 ? text : `.${text}`;
      return `[${JSON.stringify(text)}]`;
    })
    .join("");
}

/** Rules the controller reports under their own reason rather than InvalidSpec, checked here all the same. */
function ruleIssuesOutsideSchema(kind: string, manifest: unknown): ValidationIssue[] {
  if (kind !== "CloudRunServiceConfig") return [];
  const spec = (manifest as { spec?: { database?: unknown; scaling?: { maxInstances?: unknown } } }).spec;
  const database = DatabaseSpec.safeParse(spec?.database);
  const maxInstances = spec?.scaling?.maxInstances;
  if (!database.success || typeof maxInstances !== "number") return [];
  return ownConnectionBudgetIssues({ database: database.data, scaling: { maxInstances } }).map((issue) => ({
    path: formatPath(["spec", ...issue.path]),
    message: issue.message,
  }));
}

function stringField(object: object, key: string): string | undefined {
  const value = (object as Record<string, unknown>)[key];
  return typeof value === "string" ? value : undefined;
}
