import { describe, expect, it } from "vitest";
import { sameJson } from "./status.ts";

/** JSON text with object keys sorted, so key order does not matter. */
function sortedJson(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1)))
      : v,
  );
}

describe("sameJson", () => {
  it.each<[string, unknown, unknown, boolean]>([
    ["identical scalars", 3, 3, true],
    ["different scalars", 3, "3", false],
    ["key order does not matter", { a: 1, b: { c: [1, 2], d: "x" } }, { b: { d: "x", c: [1, 2] }, a: 1 }, true],
    ["array order matters", { c: [1, 2] }, { c: [2, 1] }, false],
    ["a missing key", { a: 1, b: 2 }, { a: 1 }, false],
    ["an extra key", { a: 1 }, { a: 1, b: null }, false],
    ["undefined members count as absent", { a: 1, b: undefined }, { a: 1 }, true],
    ["null is a value", { a: null }, {}, false],
    ["both undefined", undefined, undefined, true],
    ["undefined vs empty object", undefined, {}, false],
    ["a Date equals its JSON form", { at: new Date("2025-01-01T00:00:00Z") }, { at: "2025-01-01T00:00:00.000Z" }, true],
    [
      "nested condition lists",
      { conditions: [{ type: "Ready", status: "True" }] },
      { conditions: [{ status: "True", type: "Ready" }] },
      true,
    ],
    [
      "a changed nested value",
      { conditions: [{ type: "Ready", status: "True" }] },
      { conditions: [{ type: "Ready", status: "False" }] },
      false,
    ],
    ["array vs object", [], {}, false],
    ["numbers keep their value", { n: 1.0 }, { n: 1 }, true],
    ["a non-finite number is JSON's null", { n: Number.NaN }, { n: null }, true],
    ["an undefined array item is JSON's null", [1, undefined], [1, null], true],
    [
      "a nested Date and a different time",
      { a: [{ at: new Date(0) }] },
      { a: [{ at: "1970-01-01T00:00:01.000Z" }] },
      false,
    ],
    ["a function member is dropped like undefined", { a: 1, f: () => 1 }, { a: 1 }, true],
  ])("%s", (_name, a, b, expected) => {
    expect(sameJson(a, b)).toBe(expected);
    expect(sameJson(b, a)).toBe(expected);
    // The rule is JSON's own: both sides written as JSON compare equal exactly when these do.
    expect(sameJson(a, b)).toBe(sortedJson(a) === sortedJson(b));
  });
});
