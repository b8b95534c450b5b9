// A quiet window: nothing changes anywhere, and we count what the controller still does over whole resync
// intervals — Google reads and writes per resource (from the simulator's log), Kubernetes writes to the
// configs (from a watch), and the controller process's CPU time.

import { setTimeout as sleep } from "node:timers/promises";
import type { BenchContext } from "../lib/context.ts";
import type { BenchProcess } from "../lib/processes.ts";
import { round } from "../lib/stats.ts";
import { fullServiceName } from "../lib/workload.ts";

export interface QuietResult {
  windowSeconds: number;
  intervals: number;
  /** GetService calls per resource per resync interval: mean, and the fewest/most one resource got in the window. */
  readsPerResourcePerInterval: number;
  readsPerResourceInWindow: { min: number; max: number };
  /** UpdateService calls per resync interval, all resources together. */
  writesPerInterval: number;
  /** Every successful Google call in the window, by method. */
  googleCalls: Record<string, number>;
  /** Writes to the configs (status or metadata, generation unchanged) per resync interval. */
  kubeStatusWritesPerInterval: number;
  cpuSecondsPerInterval: number;
  rssMiB: number;
}

export async function quietWindow(
  ctx: BenchContext,
  controller: BenchProcess,
  namespace: string,
  names: readonly string[],
  intervalMs: number,
  intervals: number,
): Promise<QuietResult> {
  ctx.witness.clear();
  const writes = ctx.cluster.countWrites(namespace);
  const cpuBefore = controller.cpuSeconds();
  const started = Date.now();
  await sleep(intervalMs * intervals);
  const cpu = controller.cpuSeconds() - cpuBefore;
  const windowMs = Date.now() - started;
  const measured = windowMs / intervalMs;
  const reads = ctx.witness.perResource("GetService", names.map(fullServiceName));
  const googleCalls = ctx.witness.countByMethod();
  return {
    windowSeconds: round(windowMs / 1000, 1),
    intervals: round(measured, 2),
    readsPerResourcePerInterval: round(reads.reduce((a, b) => a + b, 0) / names.length / measured, 3),
    readsPerResourceInWindow: { min: Math.min(...reads), max: Math.max(...reads) },
    writesPerInterval: round((googleCalls.UpdateService ?? 0) / measured, 2),
    googleCalls,
    kubeStatusWritesPerInterval: round(writes.status / measured, 2),
    cpuSecondsPerInterval: round(cpu / measured, 3),
    rssMiB: round(controller.rssMiB(), 1),
  };
}
