import { describe, expect, it } from "vitest";
import { truncate } from "./bounded.ts";

describe("truncate", () => {
  it("keeps short text and cuts long text to the limit with an ellipsis", () => {
    expect(truncate("short", 10)).toBe("short");
    expect(truncate("0123456789abc", 10)).toBe("012345678…");
  });

  it("never splits a surrogate pair", () => {
    const cut = truncate(`${"a".repeat(7)}😀😀`, 9);
    expect(cut).toBe(`${"a".repeat(7)}…`);
  });
});
