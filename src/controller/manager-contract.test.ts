// The manager's contract with reconcilers, against the in-memory kind: every object is reconciled once the
// source loads, follow-up work comes back when the reconciler asks, failures are retried with backoff and
// counted as errors (as controller-runtime counts a reconcile that returns one), a change to an object reconciles it again, and stop drains in-flight work.

import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import {
  classifyWidgetError,
  MemorySource,
  WidgetError,
  WidgetKind,
  type WidgetSpec,
} from "../../test/support/memory-kind.ts";
import { silentLogger } from "../observability/logger.ts";
import type { Condition } from "./conditions.ts";
import { Manager } from "./manager.ts";
import { Reconciler } from "./reconciler.ts";

type Result = "success" | "error" | "requeue" | "requeue_after";

function setup(keys: string[]) {
  const kind = new WidgetKind();
  const source = new MemorySource();
  for (const key of keys) {
    kind.live.set(key, { timeout: "300s" });
    source.apply(key, { project: "p", settings: { timeout: "600s" }, resyncInterval: "60s" });
  }
  const reconciler = new Reconciler<WidgetSpec>({
    kind,
    source,
    classify: classifyWidgetError,
    log: silentLogger,
    operationPollMs: 20,
    jitter: (ms) => ms,
  });
  const results: Result[] = [];
  const manager = new Manager({
    source,
    reconcilers: [reconciler],
    workers: 2,
    log: silentLogger,
    queue: () => ({ baseDelayMs: 10, maxDelayMs: 50 }),
    metrics: { reconciled: (_controller, result) => void results.push(result) },
  });
  return { kind, source, manager, results };
}

async function until(predicate: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await sleep(5);
  }
}

const ready = (source: MemorySource, key: string) =>
  ((source.status(key).conditions ?? []) as Condition[]).some((c) => c.type === "Ready" && c.status === "True");

describe("Manager", () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it("reconciles every loaded object, follows its operation when asked to, and settles at the resync", async () => {
    const keys = ["a/one", "a/two", "b/three"];
    const { kind, source, manager, results } = setup(keys);
    stop = () => manager.stop(1_000);
    await manager.start();
    await until(() => kind.operations.size === 3);
    kind.finishOperations();
    await until(() => keys.every((key) => ready(source, key)));
    expect(kind.updates()).toBe(3);
    expect(results).toContain("requeue_after");
    expect(manager.queueLengths()).toEqual({ widget: 0 });
  });

  it("retries a failing object with backoff, counting each failure as an error", async () => {
    const { kind, source, manager, results } = setup(["a/flaky"]);
    stop = () => manager.stop(1_000);
    kind.failNext.observe.push(new WidgetError("Unavailable", true), new WidgetError("Unavailable", true));
    await manager.start();
    await until(() => kind.operations.size === 1);
    expect(results.filter((r) => r === "error")).toHaveLength(2);
    kind.finishOperations();
    await until(() => ready(source, "a/flaky"));
  });

  it("reconciles an object again when it changes, and forgets it when it is deleted", async () => {
    const { kind, source, manager } = setup(["a/changing"]);
    stop = () => manager.stop(1_000);
    await manager.start();
    await until(() => kind.operations.size === 1);
    kind.finishOperations();
    await until(() => ready(source, "a/changing"));
    source.apply("a/changing", { project: "p", settings: { timeout: "900s" }, resyncInterval: "60s" });
    await until(() => kind.updates() === 2);
    const calls = kind.calls.length;
    source.delete("a/changing");
    await sleep(100);
    expect(kind.calls.slice(calls).filter((c) => c.startsWith("observe"))).toEqual([]);
  });

  it("lets an in-flight reconcile finish on stop, and takes no new work after", async () => {
    const { kind, manager } = setup(["a/slow"]);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = false;
    const original = kind.observe.bind(kind);
    kind.observe = async (ctx) => {
      entered = true;
      await gate;
      return original(ctx);
    };
    await manager.start();
    await until(() => entered);
    const stopped = manager.stop(2_000);
    release();
    await stopped;
    await sleep(100);
    expect(kind.calls).toEqual(["observe a/slow", "update a/slow"]);
  });
});
