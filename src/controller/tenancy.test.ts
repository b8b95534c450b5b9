import { describe, expect, it } from "vitest";
import { ALLOWED_PROJECTS_ANNOTATION, projectNotAllowed } from "./tenancy.ts";

const annotated = (value: string) => ({ [ALLOWED_PROJECTS_ANNOTATION]: value });

describe("projectNotAllowed", () => {
  it.each([
    ["no annotation, no allow-list required", undefined, false, undefined],
    ["listed project", annotated("netra-staging"), false, undefined],
    ["listed among several, with spaces", annotated(" other-proj , netra-staging "), true, undefined],
  ])("allows: %s", (_, annotations, required, expected) => {
    expect(projectNotAllowed("staging", "netra-staging", annotations, required)).toBe(expected);
  });

  it("denies a project the annotation does not list, naming both", () => {
    expect(projectNotAllowed("staging", "netra-prod", annotated("netra-staging,netra-dev"), false)).toBe(
      "Project netra-prod is not in namespace staging's driftguard.dev/allowed-projects (netra-staging, netra-dev)",
    );
  });

  it("denies everything for an empty annotation", () => {
    expect(projectNotAllowed("staging", "netra-prod", annotated(" , "), false)).toContain("(empty)");
  });

  it("denies an unannotated namespace when an allow-list is required, saying what to add", () => {
    expect(projectNotAllowed("team-a", "netra-prod", {}, true)).toBe(
      'Namespace team-a has no driftguard.dev/allowed-projects annotation; add "netra-prod" to it to manage resources there',
    );
  });
});
