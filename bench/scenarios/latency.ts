// Latency scenarios measured on the simulator's clock (it runs in this process, so it is the same clock):
// a spec change until driftguard's UpdateService for that service, and an out-of-band change until the
// UpdateService that restores it and until the live value is back.

import { setTimeout as sleep } from "node:timers/promises";
import type { BenchContext } from "../lib/context.ts";
import { summarise, type LatencySummary } from "../lib/stats.ts";
import type { Awaited } from "../lib/witness.ts";
import { DECLARED_TIMEOUT, fullServiceName } from "../lib/workload.ts";

export interface SpecChangeResult {
  /** Patches made one at a time, each waiting for its UpdateService. */
  sequential: LatencySummary;
  /** Patches sent all at once. */
  burst: LatencySummary;
}

const TIMEOUT_MS = 60_000;

/** `sequential` names patched one by one, then `burst` names patched together; each to a new requestTimeout. */
export async function specChangeLatency(
  ctx: BenchContext,
  namespace: string,
  sequential: readonly string[],
  burst: readonly string[],
): Promise<SpecChangeResult> {
  const one: Array<number | undefined> = [];
  for (const [i, name] of sequential.entries()) {
    const sinceMs = Date.now();
    await ctx.cluster.patchSpec(namespace, name, { requestTimeout: `${1000 + i}s` });
    const [latency] = await ctx.witness.latencies(
      "UpdateService",
      [{ resource: fullServiceName(name), sinceMs }],
      TIMEOUT_MS,
    );
    one.push(latency);
  }
  const awaited = await Promise.all(
    burst.map(async (name, i): Promise<Awaited> => {
      const sinceMs = Date.now();
      await ctx.cluster.patchSpec(namespace, name, { requestTimeout: `${2000 + i}s` });
      return { resource: fullServiceName(name), sinceMs };
    }),
  );
  const many = await ctx.witness.latencies("UpdateService", awaited, TIMEOUT_MS);
  return { sequential: summarise(one), burst: summarise(many) };
}

export interface DriftHealResult {
  /** From the out-of-band change to the UpdateService that restores the service. */
  toUpdate: LatencySummary;
  /** From the out-of-band change until the live service holds the declared value again (polled every 50 ms). */
  toLiveValue: LatencySummary;
}

/**
 * Knocks the request timeout of each named service back to 300s through the simulator's control API, the
 * changes spread evenly over `spreadMs` so they land at every phase of the resync cycle.
 */
export async function driftHealLatency(
  ctx: BenchContext,
  names: readonly string[],
  spreadMs: number,
  timeoutMs: number,
): Promise<DriftHealResult> {
  const awaited: Awaited[] = [];
  const restored = names.map((): number | undefined => undefined);
  const step = spreadMs / names.length;
  const pollLive = () => {
    awaited.forEach((a, i) => {
      if (restored[i] !== undefined) return;
      const template = ctx.sim.control.getService(a.resource).template as { timeout?: string } | undefined;
      if (template?.timeout === DECLARED_TIMEOUT) restored[i] = Date.now() - a.sinceMs;
    });
  };
  const started = Date.now();
  for (const name of names) {
    const resource = fullServiceName(name);
    await sleep(Math.max(0, started + awaited.length * step - Date.now()));
    awaited.push({ resource, sinceMs: Date.now() });
    ctx.sim.control.patchService(resource, { template: { timeout: "300s" } });
    pollLive();
  }
  const toUpdate = ctx.witness.latencies("UpdateService", awaited, timeoutMs);
  const deadline = Date.now() + timeoutMs;
  while (restored.some((v) => v === undefined) && Date.now() < deadline) {
    await sleep(50);
    pollLive();
  }
  return { toUpdate: summarise(await toUpdate), toLiveValue: summarise(restored) };
}
