// The tenancy guard: a namespace may only target the GCP projects its annotation lists, and that holds for
// every project a spec reaches — the service's own, its connector's, its Cloud SQL instances' — not only the
// first. Pure, so the controller and `driftguard plan` apply exactly the same rule.

import type { CommonSpec, ManagedKind, ObjectLookup, ProjectReference } from "../kinds/kind.ts";

export const ALLOWED_PROJECTS_ANNOTATION = "driftguard.dev/allowed-projects";

/**
 * What a namespace without the annotation may target. "any" keeps `driftguard run --source dir:` and local
 * use working without Namespace objects; every Deployment in deploy/ runs with --require-project-allowlist
 * ("none"), the way Config Connector ties a namespace to its project.
 */
export type UnlistedNamespaces = "any" | "none";

export function unlistedNamespaces(requireAllowlist: boolean): UnlistedNamespaces {
  return requireAllowlist ? "none" : "any";
}

/** The projects a namespace's annotation lists, or undefined when it has none. */
export function allowedProjects(annotations: Record<string, string> | undefined): string[] | undefined {
  const annotation = annotations?.[ALLOWED_PROJECTS_ANNOTATION];
  if (annotation === undefined) return undefined;
  return annotation
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

/**
 * Why a spec reaching `references` may not be managed from `namespace`, naming every field that points
 * outside the allowed projects; undefined when all of them are allowed.
 */
export function referencesNotAllowed(
  namespace: string,
  references: readonly ProjectReference[],
  annotations: Record<string, string> | undefined,
  requireAllowlist: boolean,
): string | undefined {
  const allowed = allowedProjects(annotations);
  const projects = [...new Set(references.map((r) => r.project))];
  if (allowed === undefined) {
    if (!requireAllowlist || projects.length === 0) return undefined;
    return (
      `Namespace ${namespace} has no ${ALLOWED_PROJECTS_ANNOTATION} annotation and this controller requires one; ` +
      `add ${projects.map((p) => `"${p}"`).join(", ")} to it to manage resources there`
    );
  }
  const denied = new Map<string, string[]>();
  for (const { field, project } of references) {
    if (!allowed.includes(project)) denied.set(project, [...(denied.get(project) ?? []), field]);
  }
  if (denied.size === 0) return undefined;
  const named = [...denied].map(([project, fields]) => `${project} (${[...new Set(fields)].join(", ")})`);
  return (
    `${denied.size === 1 ? "Project" : "Projects"} ${named.join("; ")} ${denied.size === 1 ? "is" : "are"} not in ` +
    `namespace ${namespace}'s ${ALLOWED_PROJECTS_ANNOTATION} (${allowed.join(", ") || "empty"})`
  );
}

/** The guard as the reconciler and `driftguard plan` apply it to one object of `kind`. */
export function tenancyViolation<Spec extends CommonSpec>(
  kind: Pick<ManagedKind<Spec>, "referencedProjects">,
  spec: Spec,
  namespace: string,
  lookup: ObjectLookup,
  annotations: Record<string, string> | undefined,
  requireAllowlist: boolean,
): string | undefined {
  return referencesNotAllowed(
    namespace,
    kind.referencedProjects(spec, lookup, namespace),
    annotations,
    requireAllowlist,
  );
}
