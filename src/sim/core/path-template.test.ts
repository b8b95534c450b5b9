import { describe, expect, it } from "vitest";
import { compilePathTemplate } from "./path-template.ts";

describe("compilePathTemplate", () => {
  it("captures dotted variables with their segment patterns", () => {
    const template = compilePathTemplate("/v2/{service.name=projects/*/locations/*/services/*}");
    expect(template.variables).toEqual(["service.name"]);
    expect(template.match("/v2/projects/p/locations/l/services/s")).toEqual({
      "service.name": "projects/p/locations/l/services/s",
    });
    expect(template.match("/v2/projects/p/locations/l/services")).toBeUndefined();
    expect(template.match("/v2/projects/p/locations/l/services/s:wait")).toBeUndefined();
  });

  it("matches a custom verb and ** segments, decoding percent-escapes", () => {
    expect(
      compilePathTemplate("/v2/{name=projects/*/locations/*/operations/*}:wait").match(
        "/v2/projects/p/locations/l/operations/o:wait",
      ),
    ).toEqual({
      name: "projects/p/locations/l/operations/o",
    });
    expect(compilePathTemplate("/v1/{name=operations/**}").match("/v1/operations/a/b%20c")).toEqual({
      name: "operations/a/b c",
    });
  });

  it("ranks templates with more literal text as more specific", () => {
    const plain = compilePathTemplate("/v2/{name=projects/*/locations/*/operations/*}");
    const verb = compilePathTemplate("/v2/{name=projects/*/locations/*/operations/*}:wait");
    expect(verb.specificity).toBeGreaterThan(plain.specificity);
  });
});
