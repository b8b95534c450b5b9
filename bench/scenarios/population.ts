// The main population (500 configs by default), managed first by driftguard and then by the naive baseline
// against the same configs and services: initial sync, spec-change latency, drift-heal latency and a quiet
// window for driftguard; a quiet window and drift-heal latency for the naive loop.

import { setTimeout as sleep } from "node:timers/promises";
import type { BenchContext } from "../lib/context.ts";
import { waitUntil } from "../lib/processes.ts";
import { round } from "../lib/stats.ts";
import { serviceSeed } from "../lib/workload.ts";
import { driftHealLatency, specChangeLatency, type DriftHealResult, type SpecChangeResult } from "./latency.ts";
import { quietWindow, type QuietResult } from "./quiet.ts";

export interface PopulationPlan {
  namespace: string;
  names: string[];
  resync: string;
  intervalMs: number;
  /** Disjoint slices of `names` for each scenario. */
  sequential: string[];
  burst: string[];
  driftguardDrift: string[];
  naiveDrift: string[];
}

export interface PopulationResult {
  configs: number;
  resyncInterval: string;
  createSeconds: number;
  initialSyncSeconds: number;
  driftguard: { specChange: SpecChangeResult; driftHeal: DriftHealResult; quiet: QuietResult };
  naive: { quiet: QuietResult; driftHeal: DriftHealResult };
}

const READY_TIMEOUT_MS = 5 * 60_000;

export async function population(ctx: BenchContext, plan: PopulationPlan): Promise<PopulationResult> {
  const { namespace, names, intervalMs } = plan;
  ctx.sim.control.seed(serviceSeed(names));
  await ctx.cluster.createNamespace(namespace);
  const creating = Date.now();
  await ctx.cluster.createConfigs(namespace, names, plan.resync);
  const createSeconds = round((Date.now() - creating) / 1000, 1);
  ctx.progress(`created ${names.length} configs in ${createSeconds}s`);

  const started = Date.now();
  const controller = ctx.processes.driftguard("driftguard", ctx.cluster.kubeconfigPath, ctx.gcp, [
    ...["--leader-elect", "false", "--health-port", "0", "--namespace", namespace],
  ]);
  let driftguard: PopulationResult["driftguard"];
  let initialSyncSeconds: number;
  try {
    await ctx.cluster.waitAllReady(namespace, names.length, READY_TIMEOUT_MS);
    initialSyncSeconds = round((Date.now() - started) / 1000, 1);
    ctx.progress(`driftguard: all Ready ${initialSyncSeconds}s after start`);
    const specChange = await specChangeLatency(ctx, namespace, plan.sequential, plan.burst);
    ctx.progress(`driftguard: spec change ${JSON.stringify(specChange)}`);
    await ctx.cluster.waitAllReady(namespace, names.length, READY_TIMEOUT_MS);
    const driftHeal = await driftHealLatency(ctx, plan.driftguardDrift, intervalMs, 3 * intervalMs);
    ctx.progress(`driftguard: drift heal ${JSON.stringify(driftHeal)}`);
    await ctx.cluster.waitAllReady(namespace, names.length, READY_TIMEOUT_MS);
    await sleep(intervalMs);
    const quiet = await quietWindow(ctx, controller, namespace, names, intervalMs, 2);
    ctx.progress(`driftguard: quiet ${JSON.stringify(quiet)}`);
    driftguard = { specChange, driftHeal, quiet };
  } finally {
    await controller.stop();
  }

  ctx.witness.clear();
  const naive = ctx.processes.naive("naive", ctx.cluster.kubeconfigPath, ctx.gcp, namespace, plan.resync);
  try {
    // Its first pass rewrites every service; measure from the second pass on.
    await waitUntil(
      "the naive loop's first pass",
      () => (ctx.witness.calls("UpdateService").length >= names.length ? true : undefined),
      READY_TIMEOUT_MS,
      250,
    );
    const quiet = await quietWindow(ctx, naive, namespace, names, intervalMs, 2);
    ctx.progress(`naive: quiet ${JSON.stringify(quiet)}`);
    const driftHeal = await driftHealLatency(ctx, plan.naiveDrift, intervalMs, 3 * intervalMs);
    ctx.progress(`naive: drift heal ${JSON.stringify(driftHeal)}`);
    return {
      configs: names.length,
      resyncInterval: plan.resync,
      createSeconds,
      initialSyncSeconds,
      driftguard,
      naive: { quiet, driftHeal },
    };
  } finally {
    await naive.stop();
  }
}
