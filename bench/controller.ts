// Controller benchmark: driftguard as its own process (`driftguard run`) against a real kube-apiserver +
// etcd (Envtest) and the Google API simulator, whose request log witnesses every Google call. Measures
// spec-change and drift-heal latency, a quiet resync's cost, leader failover and a 5,000-config scale run,
// with a naive re-apply-everything loop as the baseline. Prints a table and writes
// bench/results/controller.json. Figures, not assertions: the machine may be shared (see the load average).
// Run: node bench/controller.ts
// Knobs: BENCH_CONFIGS (500), BENCH_RESYNC (10s), BENCH_SCALE_CONFIGS (5000; 0 skips), BENCH_SCALE_RESYNC (30s),
// BENCH_SCALE_LIMIT (7m: how long the scale run may wait for every config to be Ready), BENCH_FAILOVER_ROUNDS (3; 0 skips).

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDuration } from "../src/api/duration.ts";
import { startSimulator, type Simulator } from "../src/sim/simulator.ts";
import { BenchCluster } from "./lib/cluster.ts";
import type { BenchContext } from "./lib/context.ts";
import { ProcessSet } from "./lib/processes.ts";
import { formatReport, ratios, type BenchReport } from "./lib/report.ts";
import { round } from "./lib/stats.ts";
import { SimWitness } from "./lib/witness.ts";
import { serviceNames } from "./lib/workload.ts";
import { leaderFailover } from "./scenarios/failover.ts";
import { population } from "./scenarios/population.ts";
import { scale } from "./scenarios/scale.ts";

const RESULTS = fileURLToPath(new URL("results/controller.json", import.meta.url));

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return value;
}

const configs = numberFromEnv("BENCH_CONFIGS", 500);
const resync = process.env.BENCH_RESYNC ?? "10s";
const scaleConfigs = numberFromEnv("BENCH_SCALE_CONFIGS", 5000);
const scaleResync = process.env.BENCH_SCALE_RESYNC ?? "30s";
const scaleLimit = process.env.BENCH_SCALE_LIMIT ?? "7m";
const failoverRounds = numberFromEnv("BENCH_FAILOVER_ROUNDS", 3);
if (configs < 400)
  throw new Error(`BENCH_CONFIGS must be at least 400 (the scenarios use disjoint slices), got ${configs}`);

const loads = () => loadavg().map((l) => round(l, 2));
const report: BenchReport = {
  startedAt: new Date().toISOString(),
  machine: {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    kernel: release(),
    loadAverageStart: loads(),
  },
};
const progress = (line: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(0)}s] ${line}`);
const started = performance.now();

const logDir = await mkdtemp(join(tmpdir(), "driftguard-bench-"));
const processes = new ProcessSet(logDir);
let cluster: BenchCluster | undefined;
let sim: Simulator | undefined;
let failed = false;
const cleanUp = async () => {
  await processes.stopAll();
  await sim?.stop();
  await cluster?.stop();
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping every process`);
    void cleanUp().finally(() => process.exit(130));
  });
}

try {
  progress(`starting kube-apiserver + etcd and the simulator; controller logs in ${logDir}`);
  cluster = await BenchCluster.start();
  sim = await startSimulator({ operationLatencyMs: 100 });
  const ctx: BenchContext = {
    cluster,
    sim,
    witness: new SimWitness(sim),
    processes,
    gcp: { grpcPort: sim.grpcPort, restPort: sim.restPort },
    progress,
  };

  const names = serviceNames("svc", configs);
  report.population = await population(ctx, {
    namespace: "bench-population",
    names,
    resync,
    intervalMs: parseDuration(resync),
    sequential: names.slice(0, 50),
    burst: names.slice(50, 150),
    driftguardDrift: names.slice(150, 250),
    naiveDrift: names.slice(250, 350),
  });
  report.naiveOverDriftguard = ratios(report.population);

  report.failover =
    failoverRounds === 0
      ? { notMeasured: "BENCH_FAILOVER_ROUNDS=0" }
      : await leaderFailover(ctx, "bench-population", names, names.slice(-failoverRounds));

  if (scaleConfigs > 0) {
    report.scale = await scale(
      ctx,
      "bench-scale",
      scaleConfigs,
      scaleResync,
      parseDuration(scaleResync),
      parseDuration(scaleLimit),
    );
  }
} catch (err) {
  failed = true;
  console.error(`benchmark failed (controller logs kept in ${logDir}):`, err);
} finally {
  await cleanUp();
}

report.machine.loadAverageEnd = loads();
report.durationSeconds = round((performance.now() - started) / 1000, 1);
console.log(formatReport(report));
await mkdir(join(RESULTS, ".."), { recursive: true });
await writeFile(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote ${RESULTS}`);
if (failed) process.exitCode = 1;
else await rm(logDir, { recursive: true, force: true });
