import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DueKeys } from "./due-keys.ts";

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

function recorder() {
  const batches: string[][] = [];
  return { batches, due: new DueKeys((keys) => batches.push(keys)) };
}

describe("DueKeys", () => {
  it("holds any number of keys on one timer and releases them earliest first", async () => {
    const { batches, due } = recorder();
    for (let i = 0; i < 1000; i++) due.schedule(`k${i}`, 10_000 - i);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(9_001);
    expect(batches).toEqual([["k999"]]);
    await vi.advanceTimersByTimeAsync(999);
    expect(batches.flat()).toHaveLength(1000);
    expect(batches.flat().slice(0, 3)).toEqual(["k999", "k998", "k997"]);
    expect(due.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("releases the keys due at the same time in one call", async () => {
    const { batches, due } = recorder();
    for (const key of ["a", "b", "c"]) due.schedule(key, 5_000);
    due.schedule("d", 6_000);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(batches).toEqual([["a", "b", "c"]]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(batches).toEqual([["a", "b", "c"], ["d"]]);
  });

  it("moves a rescheduled key to its new time, earlier or later", async () => {
    const { batches, due } = recorder();
    due.schedule("early", 5_000);
    due.schedule("late", 1_000);
    due.schedule("early", 500);
    due.schedule("late", 8_000);
    expect(due.dueAt("late")).toBe(8_000);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(batches).toEqual([["early"]]);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(batches).toEqual([["early"], ["late"]]);
  });

  it("never releases a cancelled key, and stops its timer once nothing waits", async () => {
    const { batches, due } = recorder();
    due.schedule("a", 1_000);
    due.schedule("b", 2_000);
    due.cancel("a");
    await vi.advanceTimersByTimeAsync(1_500);
    expect(batches).toEqual([]);
    due.cancel("b");
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(batches).toEqual([]);
  });

  it("keeps its heap bounded however often one key is moved", async () => {
    const { batches, due } = recorder();
    for (let i = 0; i < 100_000; i++) due.schedule("a", 1_000_000 - i);
    due.schedule("b", 2_000_000);
    await vi.advanceTimersByTimeAsync(2_000_000);
    expect(batches.flat()).toEqual(["a", "b"]);
  });
});
