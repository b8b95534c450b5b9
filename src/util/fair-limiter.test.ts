import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FairRateLimiter } from "./fair-limiter.ts";

beforeEach(() => vi.useFakeTimers({ now: 0 }));
afterEach(() => vi.useRealTimers());

/** Starts `count` acquisitions for `flow` and records when each was granted. */
function queue(limiter: FairRateLimiter, flow: string, count: number): number[] {
  const granted: number[] = [];
  for (let i = 0; i < count; i++) void limiter.acquire(flow).then(() => granted.push(Date.now()));
  return granted;
}

describe("FairRateLimiter", () => {
  it("holds each flow to its own rate", async () => {
    const limiter = new FairRateLimiter({ qps: 2, burst: 1, globalQps: 100, globalBurst: 100 });
    const granted = queue(limiter, "a", 3);
    await vi.advanceTimersByTimeAsync(1000);
    expect(granted).toEqual([0, 500, 1000]);
  });

  it("releases waiting calls a few per wake-up, keeping the rate", async () => {
    const limiter = new FairRateLimiter({ qps: 1000, burst: 1000, globalQps: 100, globalBurst: 200 });
    const burst = queue(limiter, "a", 200);
    await vi.advanceTimersByTimeAsync(0);
    expect(burst).toHaveLength(200);
    const granted = queue(limiter, "a", 100);
    await vi.advanceTimersByTimeAsync(10);
    // A token is due every 10 ms; they are handed out together every 50 ms instead.
    expect(granted).toEqual([]);
    await vi.advanceTimersByTimeAsync(40);
    expect(granted).toEqual([50, 50, 50, 50, 50]);
    await vi.advanceTimersByTimeAsync(950);
    expect(granted).toHaveLength(100);
    expect(new Set(granted).size).toBe(20);
  });

  it("holds all flows together to the global rate", async () => {
    const limiter = new FairRateLimiter({ qps: 100, burst: 100, globalQps: 10, globalBurst: 1 });
    const a = queue(limiter, "a", 2);
    const b = queue(limiter, "b", 2);
    await vi.advanceTimersByTimeAsync(1000);
    expect([...a, ...b].sort((x, y) => x - y)).toEqual([0, 100, 200, 300]);
  });

  it("serves a quiet flow next to a busy one instead of behind all its waiters", async () => {
    const limiter = new FairRateLimiter({ qps: 100, burst: 1, globalQps: 10, globalBurst: 1 });
    const busy = queue(limiter, "busy", 50);
    await vi.advanceTimersByTimeAsync(250);
    const quiet = queue(limiter, "quiet", 1);
    await vi.advanceTimersByTimeAsync(200);
    // One round of the two flows: one busy call at 300ms, then the quiet one, not after the 47 busy
    // calls still waiting (5s).
    expect(quiet).toEqual([400]);
    expect(limiter.waiting("busy")).toBeGreaterThan(40);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(busy).toHaveLength(50);
    expect(limiter.waiting()).toBe(0);
  });

  it("does not let a flow that is out of its own tokens block the others", async () => {
    const limiter = new FairRateLimiter({ qps: 1, burst: 1, globalQps: 100, globalBurst: 100 });
    const slow = queue(limiter, "slow", 3);
    const other = queue(limiter, "other", 3);
    await vi.advanceTimersByTimeAsync(0);
    expect(slow).toEqual([0]);
    expect(other).toEqual([0]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(slow).toEqual([0, 1000, 2000]);
    expect(other).toEqual([0, 1000, 2000]);
  });
});
