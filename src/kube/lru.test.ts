import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_TRACKED_SERIES } from "./events.ts";
import { LruMap } from "./lru.ts";

describe("LruMap", () => {
  it("drops the least recently used entry beyond capacity; a read counts as a use", () => {
    const lru = new LruMap<string, number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    expect(lru.get("a")).toBe(1);
    lru.set("c", 3);
    expect([lru.has("a"), lru.has("b"), lru.has("c")]).toEqual([true, false, true]);
    expect(lru.size).toBe(2);
  });

  it("at the Event recorder's default size, remembers a series for each of 20,000 objects", () => {
    const lru = new LruMap<string, number>(DEFAULT_MAX_TRACKED_SERIES);
    for (let i = 0; i < 20_000; i++) lru.set(`ns/service-${i}`, i);
    expect(lru.has("ns/service-0")).toBe(true);
    expect(lru.size).toBe(20_000);
    lru.set("ns/one-more", 0);
    expect(lru.has("ns/service-0")).toBe(false);
    expect(lru.has("ns/service-1")).toBe(true);
  });

  it("refuses a capacity that is not a positive integer", () => {
    expect(() => new LruMap(0)).toThrow(/positive integer, got 0/);
  });
});
