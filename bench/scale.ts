// Scale benchmark: one driftguard process against a real kube-apiserver + etcd and the simulator, with a
// fleet of CloudRunServiceConfigs (database profiles, many projects) and VpcConnectorConfigs. Prints the
// figures and writes bench/results/scale-<configs>.json. Figures, not assertions.
// Run: node bench/scale.ts
// Knobs: BENCH_SCALE_CONFIGS (5000), BENCH_SCALE_PROJECTS (20), BENCH_SCALE_CONNECTORS (50),
// BENCH_SCALE_RESYNC (60s), BENCH_SCALE_LIMIT (15m), BENCH_SCALE_QPS (500 per project),
// BENCH_HEAP_SNAPSHOT (1: write a heap snapshot of the controller once the fleet is quiet),
// BENCH_CPU_PROF (1: the controller writes a V8 CPU profile on exit), BENCH_INSPECT (memory: the heap and
// external memory at Ready and after the quiet window, through the inspector; profiles: also allocations
// from start to Ready and a CPU profile of the quiet window; both profilers cost CPU), BENCH_ROOT (run another checkout),
// BENCH_NODE_FLAGS (more node flags for the controller), BENCH_OUT (where the JSON goes).

import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDuration } from "../src/api/duration.ts";
import { startSimulator, type Simulator } from "../src/sim/simulator.ts";
import { BenchCluster } from "./lib/cluster.ts";
import { ProcessSet } from "./lib/processes.ts";
import { round } from "./lib/stats.ts";
import { SimWitness } from "./lib/witness.ts";
import { fleetScale } from "./scenarios/fleet-scale.ts";

const env = (name: string, fallback: string) => process.env[name] || fallback;
const configs = Number(env("BENCH_SCALE_CONFIGS", "5000"));
const projects = Number(env("BENCH_SCALE_PROJECTS", "20"));
const connectors = Number(env("BENCH_SCALE_CONNECTORS", "50"));
const resync = env("BENCH_SCALE_RESYNC", "60s");
for (const [name, value] of Object.entries({ configs, projects, connectors })) {
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`BENCH_SCALE_${name.toUpperCase()} must be a whole number`);
}
const started = performance.now();
const progress = (line: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(0)}s] ${line}`);
const logDir = await mkdtemp(join(tmpdir(), "driftguard-scale-"));
const processes = new ProcessSet(logDir);
let cluster: BenchCluster | undefined;
let sim: Simulator | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping every process`);
    void Promise.all([processes.stopAll(), sim?.stop(), cluster?.stop()]).finally(() => process.exit(130));
  });
}
try {
  progress(`starting kube-apiserver + etcd and the simulator; logs and snapshots in ${logDir}`);
  cluster = await BenchCluster.start();
  sim = await startSimulator({ operationLatencyMs: 100 });
  const nodeFlags = [
    ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(" ").filter(Boolean) : []),
    ...(process.env.BENCH_HEAP_SNAPSHOT === "1" ? ["--heapsnapshot-signal=SIGUSR2"] : []),
    ...(process.env.BENCH_CPU_PROF === "1" ? ["--cpu-prof", `--cpu-prof-dir=${logDir}`] : []),
  ];
  const result = await fleetScale(
    {
      cluster,
      sim,
      witness: new SimWitness(sim),
      processes,
      gcp: { grpcPort: sim.grpcPort, restPort: sim.restPort },
      progress,
    },
    {
      namespace: "bench-fleet",
      configs,
      projects,
      connectors,
      resync,
      intervalMs: parseDuration(resync),
      limitMs: parseDuration(env("BENCH_SCALE_LIMIT", "15m")),
      nodeFlags,
      ...(process.env.BENCH_HEAP_SNAPSHOT === "1" ? { snapshotDir: logDir } : {}),
      ...(inspect(process.env.BENCH_INSPECT, logDir) ?? {}),
      ...(process.env.BENCH_ROOT ? { root: process.env.BENCH_ROOT } : {}),
    },
  );
  const report = {
    startedAt: new Date().toISOString(),
    machine: { nproc: availableParallelism(), loadAverageEnd: loadavg().map((l) => round(l, 2)) },
    version: process.env.BENCH_ROOT ? `checkout at ${process.env.BENCH_ROOT}` : "this checkout",
    ...result,
  };
  console.log(JSON.stringify(report, null, 2));
  const file = fileURLToPath(new URL(`results/scale-${configs}.json`, import.meta.url));
  await mkdir(join(file, ".."), { recursive: true });
  await writeFile(process.env.BENCH_OUT ?? file, `${JSON.stringify(report, null, 2)}\n`);
  progress(`wrote ${process.env.BENCH_OUT ?? file}; logs in ${logDir}`);
} catch (err) {
  console.error(`benchmark failed (logs kept in ${logDir}):`, err);
  process.exitCode = 1;
} finally {
  await processes.stopAll();
  await sim?.stop();
  await cluster?.stop();
}

function inspect(
  mode: string | undefined,
  dir: string,
): { inspect: { profiles: boolean; profileDir: string } } | undefined {
  if (mode === undefined || mode === "") return undefined;
  if (mode !== "memory" && mode !== "profiles")
    throw new Error(`BENCH_INSPECT must be memory or profiles, got ${mode}`);
  return { inspect: { profiles: mode === "profiles", profileDir: dir } };
}
