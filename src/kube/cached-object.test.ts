import { describe, expect, it } from "vitest";
import { shareUnchangedSpec } from "./cached-object.ts";

const object = (uid: string, generation: number | undefined, size: number) => ({
  metadata: { name: "w", namespace: "ns", uid, ...(generation === undefined ? {} : { generation }) },
  spec: { size },
});

describe("shareUnchangedSpec", () => {
  it("hands the previous spec object to a new version with the same uid and generation", () => {
    const before = object("u1", 3, 1);
    const after = object("u1", 3, 1);
    expect(shareUnchangedSpec(before, after).spec).toBe(before.spec);
  });

  it.each([
    ["a new generation (the spec changed)", object("u1", 4, 2)],
    ["a new uid (deleted and created again)", object("u2", 3, 1)],
    ["no generation at all", object("u1", undefined, 1)],
  ])("keeps the new spec for %s", (_what, after) => {
    const before = object("u1", 3, 1);
    const own = after.spec;
    expect(shareUnchangedSpec(before, after).spec).toBe(own);
  });

  it("keeps the new object when there was none before", () => {
    const after = object("u1", 1, 1);
    const own = after.spec;
    expect(shareUnchangedSpec(undefined, after).spec).toBe(own);
  });
});
