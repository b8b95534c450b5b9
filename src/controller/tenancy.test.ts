import { describe, expect, it } from "vitest";
import { ALLOWED_PROJECTS_ANNOTATION, referencesNotAllowed, unlistedNamespaces } from "./tenancy.ts";

const annotated = (value: string) => ({ [ALLOWED_PROJECTS_ANNOTATION]: value });
const service = (project: string) => [{ field: "spec.service.project", project }];

describe("referencesNotAllowed", () => {
  it.each([
    ["no annotation, no allow-list required", undefined, false],
    ["listed project", annotated("netra-staging"), false],
    ["listed among several, with spaces", annotated(" other-proj , netra-staging "), true],
  ])("allows: %s", (_, annotations, required) => {
    expect(referencesNotAllowed("staging", service("netra-staging"), annotations, required)).toBeUndefined();
  });

  it("denies a project the annotation does not list, naming the field and the allowed ones", () => {
    expect(referencesNotAllowed("staging", service("netra-prod"), annotated("netra-staging,netra-dev"), false)).toBe(
      "Project netra-prod (spec.service.project) is not in namespace staging's driftguard.dev/allowed-projects " +
        "(netra-staging, netra-dev)",
    );
  });

  it("checks every reference, not only the first, and names each one outside the list", () => {
    const references = [
      { field: "spec.service.project", project: "proj-allowed" },
      { field: "spec.vpcAccess.connector", project: "proj-other" },
      { field: "spec.database.cloudSqlInstance", project: "proj-other" },
      { field: "spec.vpcAccess.connectorRef", project: "proj-third" },
    ];
    expect(referencesNotAllowed("tenant", references, annotated("proj-allowed"), false)).toBe(
      "Projects proj-other (spec.vpcAccess.connector, spec.database.cloudSqlInstance); proj-third " +
        "(spec.vpcAccess.connectorRef) are not in namespace tenant's driftguard.dev/allowed-projects (proj-allowed)",
    );
    expect(referencesNotAllowed("tenant", references.slice(0, 1), annotated("proj-allowed"), false)).toBeUndefined();
  });

  it("denies everything for an empty annotation", () => {
    expect(referencesNotAllowed("staging", service("netra-prod"), annotated(" , "), false)).toContain("(empty)");
  });

  it("denies an unannotated namespace when an allow-list is required, saying what to add", () => {
    const references = [...service("netra-prod"), { field: "spec.database.cloudSqlInstance", project: "netra-db" }];
    expect(referencesNotAllowed("team-a", references, {}, true)).toBe(
      "Namespace team-a has no driftguard.dev/allowed-projects annotation and this controller requires one; " +
        'add "netra-prod", "netra-db" to it to manage resources there',
    );
  });

  it("names the default for unannotated namespaces", () => {
    expect(unlistedNamespaces(true)).toBe("none");
    expect(unlistedNamespaces(false)).toBe("any");
  });
});
