import { describe, expect, it } from "vitest";
import { nextDelay, withRetry, type RetryPolicy } from "./retry.ts";

const POLICY: RetryPolicy = { attempts: 3, baseDelayMs: 1_000, maxTotalMs: 20_000 };
const transient = () => ({ retryable: true });

function failing(times: number, error: Error = new Error("unavailable")) {
  let calls = 0;
  return {
    call: () => (++calls <= times ? Promise.reject(error) : Promise.resolve(`ok after ${calls}`)),
    calls: () => calls,
  };
}

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: (ms: number) => (waits.push(ms), Promise.resolve()) };
}

describe("nextDelay", () => {
  it("doubles from the base delay until the attempts are used up", () => {
    expect([1, 2, 3].map((failed) => nextDelay(POLICY, failed, 0))).toEqual([1_000, 2_000, undefined]);
  });

  it("waits at least as long as the server asked", () => {
    expect(nextDelay(POLICY, 1, 0, 5_000)).toBe(5_000);
  });

  it("stops when the next wait would pass the total bound", () => {
    expect(nextDelay(POLICY, 1, 0, 25_000)).toBeUndefined();
    expect(nextDelay({ ...POLICY, attempts: 10 }, 5, 15_000)).toBeUndefined(); // 16 s more
  });
});

describe("withRetry", () => {
  it("retries transient failures and returns the first success", async () => {
    const { call, calls } = failing(2);
    const { waits, sleep } = recordingSleep();
    expect(await withRetry(call, transient, POLICY, sleep)).toEqual({ ok: true, value: "ok after 3", attempts: 3 });
    expect(calls()).toBe(3);
    expect(waits).toEqual([1_000, 2_000]);
  });

  it("gives up after the last attempt with the last error", async () => {
    const error = new Error("still down");
    const { call, calls } = failing(10, error);
    const { waits, sleep } = recordingSleep();
    expect(await withRetry(call, transient, POLICY, sleep)).toEqual({ ok: false, error, attempts: 3, waitedMs: 3_000 });
    expect(calls()).toBe(3);
    expect(waits).toEqual([1_000, 2_000]);
  });

  it("does not retry what retrying cannot fix", async () => {
    const { call, calls } = failing(1);
    const { waits, sleep } = recordingSleep();
    const result = await withRetry(call, () => ({ retryable: false }), POLICY, sleep);
    expect(result).toMatchObject({ ok: false, attempts: 1, waitedMs: 0 });
    expect(calls()).toBe(1);
    expect(waits).toEqual([]);
  });
});
