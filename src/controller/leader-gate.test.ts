// The leader check sits right before a Google call leaves: a call that waited for a rate-limit token
// while leadership was lost is refused, not sent.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LeaderGatedGuard, NotLeaderError } from "./leader-gate.ts";

beforeEach(() => vi.useFakeTimers({ now: 0 }));
afterEach(() => vi.useRealTimers());

describe("LeaderGatedGuard", () => {
  it("refuses a call that waited for a rate-limit token while leadership was lost", async () => {
    let leading = true;
    const sent: number[] = [];
    const guard = new LeaderGatedGuard({ api: "run", qps: 1, burst: 1 }, () => leading);
    const call = (n: number) =>
      guard.call("updateService", () => Promise.resolve(void sent.push(n)), "projects/p/x").catch((e: unknown) => e);
    const results = [call(1), call(2), call(3)];
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([1]);
    // Calls 2 and 3 wait for tokens (at 1s and 2s); leadership ends in between.
    leading = false;
    await vi.advanceTimersByTimeAsync(3000);
    expect(sent).toEqual([1]);
    expect(await results[1]).toBeInstanceOf(NotLeaderError);
    expect(await results[2]).toBeInstanceOf(NotLeaderError);
  });

  it("refuses at once when not leading", async () => {
    const fn = vi.fn(() => Promise.resolve());
    const guard = new LeaderGatedGuard({ api: "run" }, () => false);
    await expect(guard.call("getService", fn)).rejects.toThrow(
      /run getService refused: this replica is not the leader/,
    );
    expect(fn).not.toHaveBeenCalled();
  });
});
