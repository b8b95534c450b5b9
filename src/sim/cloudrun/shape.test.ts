import { describe, expect, it } from "vitest";
import { applyUpdateMask, mergePatch, templateKey } from "./shape.ts";
import { contains } from "./failures.ts";
import { loadSimProtos } from "../core/protos.ts";
import { SETTABLE_FIELDS } from "./shape.ts";

describe("Service shape helpers", () => {
  it("applies update masks path by path, removing masked fields the request leaves out", () => {
    const base = {
      labels: { a: "1" },
      description: "old",
      template: { timeout: "300s", containers: [{ image: "x" }] },
    };
    const incoming = { description: "new", template: { timeout: "60s" } };
    expect(applyUpdateMask(base, incoming, "template.timeout,labels")).toEqual({
      description: "old",
      template: { timeout: "60s", containers: [{ image: "x" }] },
    });
    expect(() => applyUpdateMask(base, incoming, "uid")).toThrow(/Invalid update mask path 'uid'/);
  });

  it("merges out-of-band patches: objects by key, lists by position, null removes", () => {
    const base = {
      template: { timeout: "300s", containers: [{ image: "a", env: [{ name: "X" }] }] },
      labels: { a: "1" },
    };
    expect(mergePatch(base, { template: { containers: [{ image: "b" }] }, labels: null })).toEqual({
      template: { timeout: "300s", containers: [{ image: "b", env: [{ name: "X" }] }] },
    });
  });

  it("compares templates ignoring key order and the revision name", () => {
    expect(templateKey({ a: 1, b: [{ c: 2, d: 3 }], revision: "r1" })).toBe(templateKey({ b: [{ d: 3, c: 2 }], a: 1 }));
    expect(templateKey({ a: 1 })).not.toBe(templateKey({ a: 2 }));
  });

  it("matches failure rules as a partial template", () => {
    const template = { containers: [{ image: "bad:1", env: [] }], timeout: "300s" };
    expect(contains(template, { containers: [{ image: "bad:1" }] })).toBe(true);
    expect(contains(template, { containers: [{ image: "good" }] })).toBe(false);
    expect(contains(template, {})).toBe(true);
  });

  it("lists only fields the Service proto has", () => {
    const fields = loadSimProtos().lookupType("google.cloud.run.v2.Service").fields;
    expect(SETTABLE_FIELDS.filter((name) => !(name in fields))).toEqual([]);
  });
});
