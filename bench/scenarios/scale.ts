// Scale: thousands of configs created before the controller starts; time from the controller's start until
// every service was written once and until every config is Ready (or how far it got when the time limit ran
// out), its resident memory, and the CPU, Google calls and Kubernetes writes of the resync interval that follows.

import { setTimeout as sleep } from "node:timers/promises";
import type { BenchContext } from "../lib/context.ts";
import { round } from "../lib/stats.ts";
import { fullServiceName, serviceNames, serviceSeed } from "../lib/workload.ts";
import { quietWindow, type QuietResult } from "./quiet.ts";

export interface ScaleResult {
  configs: number;
  resyncInterval: string;
  createSeconds: number;
  /** From spawning the controller until every service got its first UpdateService; null if not within the limit. */
  startToAllWrittenSeconds: number | null;
  /** From spawning the controller until every config is Ready; null if that did not happen within the limit. */
  startToAllReadySeconds: number | null;
  limitSeconds: number;
  /** Every 30 s after the start, then at the end of the wait: Ready configs, and services written at least once. */
  timeline: Array<{ seconds: number; ready: number; written: number }>;
  peakRssMiB: number;
  rssMiBAfterWait: number;
  /** One resync interval right after the wait: quiet if every config was Ready, else still catching up. */
  nextInterval: QuietResult;
}

export async function scale(
  ctx: BenchContext,
  namespace: string,
  count: number,
  resync: string,
  intervalMs: number,
  limitMs: number,
): Promise<ScaleResult> {
  const names = serviceNames("big", count);
  ctx.sim.control.seed(serviceSeed(names));
  await ctx.cluster.createNamespace(namespace);
  const creating = Date.now();
  await ctx.cluster.createConfigs(namespace, names, resync);
  const createSeconds = round((Date.now() - creating) / 1000, 1);
  ctx.progress(`created ${count} configs in ${createSeconds}s`);

  ctx.witness.clear();
  const started = Date.now();
  const controller = ctx.processes.driftguard("scale", ctx.cluster.kubeconfigPath, ctx.gcp, [
    ...["--leader-elect", "false", "--health-port", "0", "--namespace", namespace],
  ]);
  let peakRssMiB = 0;
  const sampleRss = () => {
    try {
      peakRssMiB = Math.max(peakRssMiB, controller.rssMiB());
    } catch {
      // The process is gone; the wait below then ends without every config Ready.
    }
  };
  const sampler = setInterval(sampleRss, 500);
  try {
    const resources = names.map(fullServiceName);
    const written = () => ctx.witness.perResource("UpdateService", resources).filter((n) => n > 0).length;
    const seconds = () => round((Date.now() - started) / 1000, 1);
    const timeline: ScaleResult["timeline"] = [];
    let allWritten: number | null = null;
    let ready = 0;
    let nextMark = 30;
    while (Date.now() - started < limitMs && controller.running) {
      if (allWritten === null && written() >= count) allWritten = seconds();
      ready = ctx.cluster.readyCount(namespace);
      if (ready >= count) break;
      if (seconds() >= nextMark) {
        timeline.push({ seconds: nextMark, ready, written: written() });
        ctx.progress(`scale: ${JSON.stringify(timeline.at(-1))}`);
        nextMark += 30;
      }
      await sleep(1000);
    }
    const allReady = ready >= count;
    timeline.push({ seconds: seconds(), ready, written: written() });
    ctx.progress(`scale: ${JSON.stringify(timeline.at(-1))}`);
    sampleRss();
    const rssMiBAfterWait = round(controller.rssMiB(), 1);
    // The first writes' operations and the requeues they cause settle within one interval.
    if (allReady) await sleep(intervalMs);
    const nextInterval = await quietWindow(ctx, controller, namespace, names, intervalMs, 1);
    return {
      configs: count,
      resyncInterval: resync,
      createSeconds,
      startToAllWrittenSeconds: allWritten,
      startToAllReadySeconds: allReady ? (timeline.at(-1)?.seconds ?? null) : null,
      limitSeconds: round(limitMs / 1000),
      timeline,
      peakRssMiB: round(Math.max(peakRssMiB, nextInterval.rssMiB), 1),
      rssMiBAfterWait,
      nextInterval,
    };
  } finally {
    clearInterval(sampler);
    await controller.stop();
  }
}
