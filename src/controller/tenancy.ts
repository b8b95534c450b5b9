// The tenancy guard: a namespace may only target the GCP projects its annotation lists. Pure, so the
// controller and `driftguard plan` apply exactly the same rule.

export const ALLOWED_PROJECTS_ANNOTATION = "driftguard.dev/allowed-projects";

/**
 * Why `project` may not be managed from `namespace`, or undefined when it may. Without the annotation
 * every project is allowed unless `requireAllowlist` is set (production deployments set it).
 */
export function projectNotAllowed(
  namespace: string,
  project: string,
  annotations: Record<string, string> | undefined,
  requireAllowlist: boolean,
): string | undefined {
  const annotation = annotations?.[ALLOWED_PROJECTS_ANNOTATION];
  if (annotation === undefined) {
    return requireAllowlist
      ? `Namespace ${namespace} has no ${ALLOWED_PROJECTS_ANNOTATION} annotation; add "${project}" to it to manage resources there`
      : undefined;
  }
  const allowed = annotation
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  if (allowed.includes(project)) return undefined;
  return `Project ${project} is not in namespace ${namespace}'s ${ALLOWED_PROJECTS_ANNOTATION} (${allowed.join(", ") || "empty"})`;
}
