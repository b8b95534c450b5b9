// Fleet scale: thousands of CloudRunServiceConfigs with database profiles over several projects, plus
// VpcConnectorConfigs, created before the controller starts. Measures start → all Ready, resident memory
// and heap, a quiet resync's reads, writes and CPU per check, optional heap snapshots, and a quota scenario:
// RESOURCE_EXHAUSTED in one project and the other projects' read rate before and during its pause.

import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connectorResource } from "../../src/kinds/connector/resource.ts";
import { cloudRunResource } from "../../src/kinds/cloudrun/kind.ts";
import type { BenchContext } from "../lib/context.ts";
import { fleet, fleetConnectorSpec, fleetSeed, fleetServiceName, fleetServiceSpec } from "../lib/fleet.ts";
import { Inspector, type MemoryUsage } from "../lib/inspector.ts";
import type { BenchProcess } from "../lib/processes.ts";
import { round } from "../lib/stats.ts";

export interface FleetScaleOptions {
  namespace: string;
  configs: number;
  projects: number;
  connectors: number;
  resync: string;
  intervalMs: number;
  limitMs: number;
  /** Extra `node` flags for the controller (e.g. --cpu-prof); heap snapshots need --heapsnapshot-signal=SIGUSR2. */
  nodeFlags: string[];
  /** Directory for heap snapshots; none taken when undefined. */
  snapshotDir?: string;
  /**
   * Look inside the controller through the inspector (it runs with --inspect): "memory" reports
   * process.memoryUsage() at Ready and after the quiet window; "profiles" also samples allocations from
   * start to Ready and takes a CPU profile of the quiet window, into `profileDir`. Profiling costs CPU of
   * its own (V8's profiler thread), so CPU figures are only comparable between runs without profiles.
   */
  inspect?: { profiles: boolean; profileDir: string };
  /** The driftguard checkout to run (default: this one), so an older version can be measured the same way. */
  root?: string;
}

export interface FleetScaleResult {
  configs: number;
  projects: number;
  connectors: number;
  resyncInterval: string;
  createSeconds: number;
  startToAllReadySeconds: number | null;
  timeline: Array<{ seconds: number; ready: number }>;
  peakRssMiB: number;
  rssMiBReady: number;
  /** process.memoryUsage() the moment all are Ready, before any forced collection (with inspect). */
  memoryMiBReady?: Record<keyof MemoryUsage, number>;
  quiet: {
    windowSeconds: number;
    getServicePerResourcePerInterval: number;
    updateServicePerInterval: number;
    googleCalls: Record<string, number>;
    kubeStatusWritesPerInterval: number;
    cpuSecondsPerInterval: number;
    /** Controller CPU per GetService in the window: the cost of one quiet check. */
    cpuMsPerCheck: number;
    rssMiB: number;
    /** process.memoryUsage() after a full collection, in MiB (with inspect). */
    memoryMiBAfterFullGc?: Record<keyof MemoryUsage, number>;
    cpuProfile?: string;
  };
  quota?: {
    pausedProject: string;
    otherProjectsReadsPerSecondBefore: number;
    otherProjectsReadsPerSecondDuring: number;
    /** Reads of the paused project in the window after the refusal (the refused one included). */
    pausedProjectReadsDuring: number;
  };
  heapSnapshot?: string;
}

export async function fleetScale(ctx: BenchContext, o: FleetScaleOptions): Promise<FleetScaleResult> {
  const f = fleet(o.configs, o.projects, o.connectors);
  ctx.sim.control.seed(fleetSeed(f));
  await ctx.cluster.createNamespace(o.namespace);
  const creating = Date.now();
  const peers = Math.ceil(o.configs / o.projects);
  await ctx.cluster.createObjects(o.namespace, [
    ...f.connectors.map((c) => ({ resource: connectorResource, name: c.name, spec: fleetConnectorSpec(c, o.resync) })),
    ...f.services.map((m) => ({
      resource: cloudRunResource,
      name: m.name,
      spec: fleetServiceSpec(m, o.resync, peers),
    })),
  ]);
  const createSeconds = round((Date.now() - creating) / 1000, 1);
  ctx.progress(`created ${o.configs} configs and ${o.connectors} connectors in ${createSeconds}s`);

  ctx.witness.clear();
  const started = Date.now();
  const controller = ctx.processes.driftguard(
    "fleet",
    ctx.cluster.kubeconfigPath,
    ctx.gcp,
    ["--leader-elect", "false", "--health-port", "0", "--namespace", o.namespace],
    {
      nodeFlags: [...o.nodeFlags, ...(o.inspect ? ["--inspect=127.0.0.1:0"] : [])],
      ...(o.root ? { root: o.root } : {}),
    },
  );
  const inspector = o.inspect ? await Inspector.attach(controller.logPath) : undefined;
  const profiles = o.inspect?.profiles ? o.inspect.profileDir : undefined;
  if (profiles) await inspector?.startAllocationSampling();
  let peakRssMiB = 0;
  const sampler = setInterval(() => {
    if (controller.running) peakRssMiB = Math.max(peakRssMiB, controller.rssMiB());
  }, 500);
  try {
    const seconds = () => round((Date.now() - started) / 1000, 1);
    const timeline: FleetScaleResult["timeline"] = [];
    let ready = 0;
    let nextMark = 30;
    while (Date.now() - started < o.limitMs && controller.running) {
      ready = ctx.cluster.readyCount(o.namespace);
      if (ready >= o.configs) break;
      if (seconds() >= nextMark) {
        timeline.push({ seconds: nextMark, ready });
        ctx.progress(`fleet: ${JSON.stringify(timeline.at(-1))}`);
        nextMark += 30;
      }
      await sleep(1000);
    }
    const allReady = ready >= o.configs;
    timeline.push({ seconds: seconds(), ready });
    ctx.progress(`fleet: ${JSON.stringify(timeline.at(-1))}`);
    const rssMiBReady = round(controller.rssMiB(), 1);
    const memoryReady = inspector ? mebibytes(await inspector.memoryUsage()) : undefined;
    if (inspector && profiles) {
      const file = join(profiles, `startup-${o.configs}.heapprofile`);
      await writeFile(file, JSON.stringify(await inspector.stopAllocationSampling()));
      ctx.progress(`allocations from start to all Ready: ${file} (node bench/alloc-summary.ts ${file})`);
    }
    // The first writes' operations and the requeues they cause settle within one interval.
    await sleep(o.intervalMs);
    const quiet = await quietChecks(ctx, controller, f.services.map(fleetServiceName), o, inspector);
    const heapSnapshot = o.snapshotDir ? await snapshot(controller, o.snapshotDir, `fleet-${o.configs}`) : undefined;
    const quota = o.projects > 1 ? await quotaScenario(ctx) : undefined;
    return {
      configs: o.configs,
      projects: o.projects,
      connectors: o.connectors,
      resyncInterval: o.resync,
      createSeconds,
      startToAllReadySeconds: allReady ? (timeline.at(-1)?.seconds ?? null) : null,
      timeline,
      peakRssMiB: round(Math.max(peakRssMiB, quiet.rssMiB), 1),
      rssMiBReady,
      ...(memoryReady ? { memoryMiBReady: memoryReady } : {}),
      quiet,
      ...(quota ? { quota } : {}),
      ...(heapSnapshot ? { heapSnapshot } : {}),
    };
  } finally {
    clearInterval(sampler);
    inspector?.close();
    await controller.stop();
  }
}

async function quietChecks(
  ctx: BenchContext,
  controller: BenchProcess,
  resources: readonly string[],
  o: FleetScaleOptions,
  inspector: Inspector | undefined,
): Promise<FleetScaleResult["quiet"]> {
  ctx.witness.clear();
  const writes = ctx.cluster.countWrites(o.namespace);
  const profiles = o.inspect?.profiles ? o.inspect.profileDir : undefined;
  if (profiles) await inspector?.startProfile();
  const cpuBefore = controller.cpuSeconds();
  const started = Date.now();
  await sleep(o.intervalMs);
  const cpu = controller.cpuSeconds() - cpuBefore;
  let cpuProfile: string | undefined;
  if (inspector && profiles) {
    cpuProfile = join(profiles, `quiet-${o.configs}.cpuprofile`);
    await writeFile(cpuProfile, JSON.stringify(await inspector.stopProfile()));
  }
  // Resident memory as the process holds it, before the full collection the breakdown below forces.
  const rssMiB = round(controller.rssMiB(), 1);
  const memory = inspector ? await inspector.memoryUsage(true) : undefined;
  const windowMs = Date.now() - started;
  const intervals = windowMs / o.intervalMs;
  const calls = ctx.witness.countByMethod();
  const reads = ctx.witness.perResource("GetService", resources).reduce((a, b) => a + b, 0);
  return {
    windowSeconds: round(windowMs / 1000, 1),
    getServicePerResourcePerInterval: round(reads / resources.length / intervals, 3),
    updateServicePerInterval: round((calls.UpdateService ?? 0) / intervals, 2),
    googleCalls: calls,
    kubeStatusWritesPerInterval: round(writes.status / intervals, 2),
    cpuSecondsPerInterval: round(cpu / intervals, 3),
    cpuMsPerCheck: round(reads > 0 ? (cpu * 1000) / reads : Number.NaN, 3),
    rssMiB,
    ...(memory ? { memoryMiBAfterFullGc: mebibytes(memory) } : {}),
    ...(cpuProfile ? { cpuProfile } : {}),
  };
}

function mebibytes(usage: MemoryUsage): Record<keyof MemoryUsage, number> {
  const entries = Object.entries(usage).map(([key, bytes]) => [key, round(bytes / 2 ** 20, 1)]);
  return Object.fromEntries(entries) as Record<keyof MemoryUsage, number>;
}

/** SIGUSR2 (with --heapsnapshot-signal) writes Heap.*.heapsnapshot into the controller's working directory. */
async function snapshot(controller: BenchProcess, dir: string, name: string): Promise<string | undefined> {
  const before = new Set(await controller.heapSnapshots());
  process.kill(controller.pid, "SIGUSR2");
  for (let i = 0; i < 240; i++) {
    await sleep(1000);
    const written = (await controller.heapSnapshots()).find((f) => !before.has(f));
    // The file appears at once and grows; it is complete once its size stops changing.
    if (written && (await controller.settled(written))) {
      const target = join(dir, `${name}.heapsnapshot`);
      await rename(written, target);
      return target;
    }
  }
  return undefined;
}

/**
 * One RESOURCE_EXHAUSTED on GetService whose RetryInfo asks for a pause as long as the window; the project it
 * hit pauses, and the other projects' read rate should hold. Both windows are 30 s (a 10 s window of a
 * fleet that became Ready all at once measures the bunching of its resyncs, not the pause).
 */
async function quotaScenario(ctx: BenchContext): Promise<NonNullable<FleetScaleResult["quota"]>> {
  const windowMs = 30_000;
  ctx.witness.clear();
  await sleep(windowMs);
  const before = ctx.witness.calls("GetService");
  ctx.witness.clear();
  ctx.sim.control.addFault({
    method: "GetService",
    code: "RESOURCE_EXHAUSTED",
    message: "Quota exceeded",
    retryDelaySeconds: windowMs / 1000,
    count: 1,
  });
  await sleep(windowMs);
  const during = ctx.witness.calls("GetService");
  const hit = ctx.sim.control.requests({ method: "GetService" }).find((e) => e.code === "RESOURCE_EXHAUSTED");
  const pausedProject = /^projects\/([^/]+)\//.exec(hit?.resource ?? "")?.[1] ?? "none";
  const inPaused = (e: { resource: string }) => e.resource.startsWith(`projects/${pausedProject}/`);
  const perSecond = (n: number) => round(n / (windowMs / 1000), 2);
  return {
    pausedProject,
    otherProjectsReadsPerSecondBefore: perSecond(before.filter((e) => !inPaused(e)).length),
    otherProjectsReadsPerSecondDuring: perSecond(during.filter((e) => !inPaused(e)).length),
    pausedProjectReadsDuring: during.filter(inPaused).length,
  };
}
