import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WorkQueue, type QueueMetrics } from "./workqueue.ts";

/** Takes every ready key without waiting (marks each as in flight). */
async function drainReady(queue: WorkQueue): Promise<string[]> {
  const keys: string[] = [];
  while (queue.len() > 0) {
    const key = await queue.get();
    if (key === undefined) break;
    keys.push(key);
  }
  return keys;
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("WorkQueue de-duplication and in-flight keys", () => {
  it("queues a key once however often it is added, in FIFO order", async () => {
    const queue = new WorkQueue();
    queue.add("ns/a");
    queue.add("ns/b");
    queue.add("ns/a");
    expect(queue.len()).toBe(2);
    expect(await drainReady(queue)).toEqual(["ns/a", "ns/b"]);
  });

  it("marks a key added while in flight dirty and re-queues it on done()", async () => {
    const queue = new WorkQueue();
    queue.add("ns/a");
    expect(await queue.get()).toBe("ns/a");
    queue.add("ns/a");
    queue.add("ns/a");
    expect(queue.len()).toBe(0);
    queue.done("ns/a");
    expect(queue.len()).toBe(1);
    expect(await queue.get()).toBe("ns/a");
    queue.done("ns/a");
    expect(queue.len()).toBe(0);
  });

  it("never hands one key to two workers at once", async () => {
    const queue = new WorkQueue();
    const first = queue.get();
    const second = queue.get();
    queue.add("ns/a");
    expect(await first).toBe("ns/a");
    queue.add("ns/a");
    queue.add("ns/b");
    expect(await second).toBe("ns/b");
    queue.done("ns/a");
    expect(await queue.get()).toBe("ns/a");
  });

  it("ignores done() for a key that is not in flight", () => {
    const queue = new WorkQueue();
    queue.add("ns/a");
    queue.done("ns/a");
    expect(queue.len()).toBe(1);
  });

  it("resolves a waiting get() as soon as a key is added", async () => {
    const queue = new WorkQueue();
    const pending = queue.get();
    queue.add("ns/a");
    await expect(pending).resolves.toBe("ns/a");
  });
});

describe("WorkQueue priorities", () => {
  it("hands out event keys before resync keys", async () => {
    const queue = new WorkQueue();
    queue.addResync("ns/r1");
    queue.addResync("ns/r2");
    queue.add("ns/e1");
    queue.add("ns/e2");
    expect(await drainReady(queue)).toEqual(["ns/e1", "ns/e2", "ns/r1", "ns/r2"]);
  });

  it("promotes a queued resync key when a real change arrives", async () => {
    const queue = new WorkQueue();
    queue.addResync("ns/a");
    queue.add("ns/b");
    queue.add("ns/a");
    expect(queue.len()).toBe(2);
    expect(await drainReady(queue)).toEqual(["ns/b", "ns/a"]);
  });

  it("does not demote a queued event key on resync", async () => {
    const queue = new WorkQueue();
    queue.add("ns/a");
    queue.addResync("ns/b");
    queue.addResync("ns/a");
    expect(await drainReady(queue)).toEqual(["ns/a", "ns/b"]);
  });

  it("re-queues a dirty key with the higher of the priorities it was added with", async () => {
    const queue = new WorkQueue();
    queue.add("ns/a");
    await queue.get();
    queue.addResync("ns/a");
    queue.add("ns/a");
    queue.addResync("ns/z");
    queue.done("ns/a");
    expect(await drainReady(queue)).toEqual(["ns/a", "ns/z"]);
  });
});

describe("WorkQueue delayed adds", () => {
  it("queues a key only after its delay", async () => {
    const queue = new WorkQueue();
    queue.addAfter("ns/a", 5000);
    await vi.advanceTimersByTimeAsync(4999);
    expect(queue.len()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(await drainReady(queue)).toEqual(["ns/a"]);
  });

  it("keeps the earlier of two delays for the same key", async () => {
    const queue = new WorkQueue();
    queue.addAfter("ns/a", 1000);
    queue.addAfter("ns/a", 9000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await drainReady(queue)).toEqual(["ns/a"]);
    queue.done("ns/a");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(queue.len()).toBe(0);
  });

  it("moves a pending delay earlier when a shorter one arrives", async () => {
    const queue = new WorkQueue();
    queue.addAfter("ns/a", 9000);
    queue.addAfter("ns/a", 2000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(queue.len()).toBe(1);
    await drainReady(queue);
    queue.done("ns/a");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(queue.len()).toBe(0);
  });

  it("adds at once for a zero or negative delay", () => {
    const queue = new WorkQueue();
    queue.addAfter("ns/a", 0);
    queue.addAfter("ns/b", -5);
    expect(queue.len()).toBe(2);
  });

  it("delivers a delayed resync in the resync lane", async () => {
    const queue = new WorkQueue();
    queue.addAfter("ns/r", 1000, "resync");
    queue.addAfter("ns/e", 2000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(await drainReady(queue)).toEqual(["ns/e", "ns/r"]);
  });

  it("waits on one timer however many keys are delayed", () => {
    const queue = new WorkQueue();
    for (let i = 0; i < 500; i++) queue.addAfter(`ns/k${i}`, 1000 + i, i % 2 ? "resync" : "event");
    expect(vi.getTimerCount()).toBe(1);
  });

  it("starts resyncs due within one grid step together, never later than a tenth of their delay", async () => {
    const queue = new WorkQueue({ resyncGranularityMs: 1000 });
    // The clock starts at 1,000,000 (a grid line): delays of 59.2 s and 59.9 s both fall due at 60 s.
    queue.addAfter("ns/a", 59_200, "resync");
    queue.addAfter("ns/b", 59_900, "resync");
    queue.addAfter("ns/event", 59_200);
    // A short resync keeps its timing within a tenth of its delay (here: a 10 ms grid).
    queue.addAfter("ns/short", 105, "resync");
    await vi.advanceTimersByTimeAsync(110);
    expect(await drainReady(queue)).toEqual(["ns/short"]);
    await vi.advanceTimersByTimeAsync(59_090);
    expect(await drainReady(queue)).toEqual(["ns/event"]);
    await vi.advanceTimersByTimeAsync(799);
    expect(queue.len()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(await drainReady(queue)).toEqual(["ns/a", "ns/b"]);
  });

  it("marks a key dirty when its delay fires while it is in flight", async () => {
    const queue = new WorkQueue();
    queue.add("ns/a");
    await queue.get();
    queue.addAfter("ns/a", 100);
    await vi.advanceTimersByTimeAsync(100);
    expect(queue.len()).toBe(0);
    queue.done("ns/a");
    expect(queue.len()).toBe(1);
  });
});

describe("WorkQueue rate-limited retries", () => {
  it("backs off exponentially per key from the base delay up to the cap", async () => {
    const queue = new WorkQueue({ baseDelayMs: 1000, maxDelayMs: 5000 });
    const delays: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const start = Date.now();
      queue.addRateLimited("ns/a");
      while (queue.len() === 0) await vi.advanceTimersByTimeAsync(100);
      delays.push(Date.now() - start);
      await queue.get();
      queue.done("ns/a");
    }
    expect(delays).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(queue.numRequeues("ns/a")).toBe(5);
  });

  it("starts again from the base delay after forget()", async () => {
    const queue = new WorkQueue({ baseDelayMs: 1000 });
    queue.addRateLimited("ns/a");
    queue.addRateLimited("ns/a");
    queue.addRateLimited("ns/b");
    queue.forget("ns/a");
    expect(queue.numRequeues("ns/a")).toBe(0);
    expect(queue.numRequeues("ns/b")).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await drainReady(queue)).toEqual(["ns/a", "ns/b"]);
    queue.done("ns/a");
    queue.addRateLimited("ns/a");
    await vi.advanceTimersByTimeAsync(999);
    expect(queue.len()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(queue.len()).toBe(1);
  });

  it("keeps failure counts per key", async () => {
    const queue = new WorkQueue({ baseDelayMs: 1000 });
    queue.addRateLimited("ns/a");
    queue.addRateLimited("ns/a");
    queue.addRateLimited("ns/b");
    await vi.advanceTimersByTimeAsync(1000);
    expect(await drainReady(queue)).toEqual(["ns/a", "ns/b"]);
  });

  it("spreads retries over the overall token bucket once the burst is used", async () => {
    const queue = new WorkQueue({ baseDelayMs: 1, qps: 10, burst: 2 });
    for (const key of ["a", "b", "c", "d"]) queue.addRateLimited(key);
    await vi.advanceTimersByTimeAsync(1);
    expect(queue.len()).toBe(2);
    await vi.advanceTimersByTimeAsync(99);
    expect(queue.len()).toBe(3);
    await vi.advanceTimersByTimeAsync(100);
    expect(queue.len()).toBe(4);
  });

  it("waits a server-given delay as given, without growing the key's backoff", async () => {
    const queue = new WorkQueue({ baseDelayMs: 1000 });
    queue.addRateLimited("ns/a", 30_000);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(queue.len()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(await drainReady(queue)).toEqual(["ns/a"]);
    expect(queue.numRequeues("ns/a")).toBe(0);
  });

  it("queues keys waiting out a backoff at once on resetBackoff, and leaves other delays alone", async () => {
    const queue = new WorkQueue({ baseDelayMs: 1000, maxDelayMs: 60_000 });
    for (let i = 0; i < 6; i++) queue.addRateLimited("ns/failing");
    await vi.advanceTimersByTimeAsync(1000);
    expect(await drainReady(queue)).toEqual(["ns/failing"]);
    queue.done("ns/failing");
    queue.addRateLimited("ns/failing"); // now 64s, capped at 60s
    queue.addAfter("ns/resync", 10_000, "resync");
    queue.addRateLimited("ns/quota", 20_000);
    expect(queue.resetBackoff()).toBe(1);
    expect(await drainReady(queue)).toEqual(["ns/failing"]);
    expect(queue.numRequeues("ns/failing")).toBe(0);
    queue.done("ns/failing");
    queue.addRateLimited("ns/failing");
    await vi.advanceTimersByTimeAsync(1000);
    expect(await drainReady(queue)).toEqual(["ns/failing"]);
    await vi.advanceTimersByTimeAsync(9000);
    expect(await drainReady(queue)).toEqual(["ns/resync"]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await drainReady(queue)).toEqual(["ns/quota"]);
  });

  it("caps the per-key backoff at one minute by default", async () => {
    const queue = new WorkQueue();
    let last = 0;
    for (let attempt = 0; attempt < 8; attempt++) {
      const start = Date.now();
      queue.addRateLimited("ns/a");
      while (queue.len() === 0) await vi.advanceTimersByTimeAsync(500);
      last = Date.now() - start;
      await queue.get();
      queue.done("ns/a");
    }
    expect(last).toBe(60_000);
  });

  it("rejects invalid options with the field named", () => {
    expect(() => new WorkQueue({ baseDelayMs: 0 })).toThrow(/baseDelayMs/);
    expect(() => new WorkQueue({ maxDelayMs: Number.NaN })).toThrow(/maxDelayMs/);
    expect(() => new WorkQueue({ baseDelayMs: 10, maxDelayMs: 5 })).toThrow(/maxDelayMs \(5\) must be >= baseDelayMs/);
    expect(() => new WorkQueue({ qps: 0 })).toThrow(/qps/);
    expect(() => new WorkQueue({ burst: 0.5 })).toThrow(/burst/);
  });
});

describe("WorkQueue shutdown", () => {
  it("resolves waiting and later get() calls with undefined and ignores adds", async () => {
    const queue = new WorkQueue();
    const pending = queue.get();
    queue.shutDown();
    await expect(pending).resolves.toBeUndefined();
    queue.add("ns/a");
    queue.addResync("ns/b");
    queue.addRateLimited("ns/c");
    queue.addAfter("ns/d", 10);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(queue.len()).toBe(0);
    await expect(queue.get()).resolves.toBeUndefined();
    expect(queue.shuttingDown).toBe(true);
  });

  it("drops queued and delayed keys", async () => {
    const queue = new WorkQueue();
    queue.add("ns/a");
    queue.addAfter("ns/b", 100);
    queue.shutDown();
    expect(queue.len()).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(queue.len()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("with drain, resolves only after every in-flight key is done", async () => {
    const queue = new WorkQueue();
    queue.add("ns/a");
    queue.add("ns/b");
    await queue.get();
    await queue.get();
    let drained = false;
    const drain = queue.shutDownWithDrain().then(() => (drained = true));
    queue.done("ns/a");
    await Promise.resolve();
    expect(drained).toBe(false);
    queue.done("ns/b");
    await drain;
    expect(drained).toBe(true);
    expect(queue.len()).toBe(0);
  });

  it("with drain and nothing in flight, resolves at once", async () => {
    const queue = new WorkQueue();
    await expect(queue.shutDownWithDrain()).resolves.toBeUndefined();
  });
});

describe("WorkQueue metrics", () => {
  it("reports depth, adds, retries, queue and work durations", async () => {
    const calls = {
      depth: [] as number[],
      added: 0,
      retried: 0,
      queueDuration: [] as number[],
      workDuration: [] as number[],
    };
    const metrics: QueueMetrics = {
      depth: (n) => calls.depth.push(n),
      added: () => calls.added++,
      retried: () => calls.retried++,
      queueDuration: (ms) => calls.queueDuration.push(ms),
      workDuration: (ms) => calls.workDuration.push(ms),
    };
    const queue = new WorkQueue({ metrics, baseDelayMs: 1000 });
    queue.add("ns/a");
    queue.add("ns/a");
    queue.add("ns/b");
    await vi.advanceTimersByTimeAsync(250);
    await queue.get();
    await vi.advanceTimersByTimeAsync(40);
    queue.done("ns/a");
    queue.addRateLimited("ns/a");
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls.added).toBe(3);
    expect(calls.retried).toBe(1);
    expect(calls.depth).toEqual([1, 2, 1, 2]);
    expect(calls.queueDuration).toEqual([250]);
    expect(calls.workDuration).toEqual([40]);
  });
});
