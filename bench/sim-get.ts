// Simulator benchmark: GetService calls per second over gRPC from the real @google-cloud/run client, and
// the simulator's resident memory with 10,000 services and 200 connectors held. Each run starts a fresh
// simulator in a child process with no V8 flags (exactly as `driftguard sim` runs it), so the client and
// the server each have a core and the memory figure is the simulator's alone. The figures reported are
// medians over the runs, with the machine's load average at the time: the machine may be shared.
// Prints the figures and writes bench/results/sim.json.
// Run: node bench/sim-get.ts   (BENCH_RUNS, BENCH_DURATION_MS to change the defaults)

import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { v2 } from "@google-cloud/run";
import { startSimulator, type Simulator } from "../src/sim/simulator.ts";

const SERVICES = 10_000;
const CONNECTORS = 200;
const CONCURRENCY = 32;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const WARMUP_MS = 1_000;
/** Idle time after seeding before memory is read, so the figure is the settled state, not mid-seed. */
const SETTLE_MS = 500;
const PARENT = "projects/bench/locations/us-central1";
const MiB = 1024 * 1024;

/** What the simulator process reports: after seeding, then after the Get run. */
interface ServerReport {
  grpcPort: number;
  seedMs: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** Microseconds of CPU the simulator process has used so far. */
  cpuUs: number;
  /** GetService calls in the simulator's request log (read only when stopping, outside the timed window). */
  requestLogEntries?: number;
}

type Command = "cpu" | "stop";

/** A token source that never looks for Google credentials (and so never probes a metadata server). */
const authClient = {
  universeDomain: "googleapis.com",
  getRequestHeaders: () => Promise.resolve(new Headers({ authorization: "Bearer bench" })),
};

function seedDocument(): Record<string, unknown> {
  const services = Array.from({ length: SERVICES }, (_, i) => ({
    name: `${PARENT}/services/svc-${i}`,
    labels: { team: `team-${i % 20}` },
    template: {
      containers: [
        {
          image: `us-docker.pkg.dev/bench/app/svc-${i}:1`,
          resources: { limits: { cpu: "1000m", memory: "512Mi" } },
          env: [{ name: "MODE", value: "bench" }],
        },
      ],
    },
  }));
  const connectors = Array.from({ length: CONNECTORS }, (_, i) => ({
    name: `${PARENT}/connectors/conn-${i}`,
    network: "default",
    machineType: "e2-micro",
    minInstances: 2,
    maxInstances: 3,
  }));
  return { services, connectors };
}

function report(sim: Simulator, seedMs: number): ServerReport {
  const { rss, heapUsed } = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    grpcPort: sim.grpcPort,
    seedMs,
    rssMiB: Math.round(rss / MiB),
    heapUsedMiB: Math.round(heapUsed / MiB),
    cpuUs: cpu.user + cpu.system,
  };
}

/** Child process: the simulator, seeded with a parsed document, or from a YAML file the way `driftguard sim --seed` does. */
async function serve(seedFile: string | undefined): Promise<void> {
  const seedText = seedFile === undefined ? undefined : await readFile(seedFile, "utf8");
  const started = performance.now();
  const sim = await startSimulator({ operationLatencyMs: 0, ...(seedText === undefined ? {} : { seed: seedText }) });
  if (seedText === undefined) sim.control.seed(seedDocument());
  const seedMs = Math.round(performance.now() - started);
  await sleep(SETTLE_MS);
  process.send?.(report(sim, seedMs));
  process.on("message", (command: Command) => {
    if (command === "cpu") {
      process.send?.(report(sim, seedMs));
      return;
    }
    process.send?.({
      ...report(sim, seedMs),
      requestLogEntries: sim.control.requests({ method: "GetService" }).length,
    });
    void sim.stop().then(() => process.disconnect());
  });
}

async function ask(child: ChildProcess, command?: Command): Promise<ServerReport> {
  const reply = once(child, "message") as Promise<[ServerReport]>;
  if (command) child.send(command);
  return (await reply)[0];
}

interface GetRun {
  calls: number;
  failures: number;
  elapsedS: number;
  latencies: number[];
  clientCpuUs: number;
}

async function getLoop(
  client: v2.ServicesClient,
  durationMs: number,
): Promise<Omit<GetRun, "elapsedS" | "clientCpuUs">> {
  let calls = 0;
  let failures = 0;
  const latencies: number[] = [];
  const deadline = performance.now() + durationMs;
  const worker = async (first: number) => {
    for (let n = first; performance.now() < deadline; n += CONCURRENCY) {
      const started = performance.now();
      try {
        await client.getService({ name: `${PARENT}/services/svc-${n % SERVICES}` });
        calls += 1;
        latencies.push(performance.now() - started);
      } catch {
        failures += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => worker(i)));
  return { calls, failures, latencies };
}

/** Warms up (JIT, connection) for WARMUP_MS, then measures `durationMs` of Gets and the simulator's CPU over them. */
async function measureGets(child: ChildProcess, grpcPort: number): Promise<GetRun & { serverCpuUs: number }> {
  // Imported here, not at the top: the simulator process runs this file too and must load only the simulator.
  const grpc = await import("@grpc/grpc-js");
  const { v2 } = await import("@google-cloud/run");
  const client = new v2.ServicesClient({
    apiEndpoint: "127.0.0.1",
    port: grpcPort,
    sslCreds: grpc.credentials.createInsecure(),
    authClient,
  } as ConstructorParameters<typeof v2.ServicesClient>[0]);
  await getLoop(client, WARMUP_MS);
  const serverBefore = await ask(child, "cpu");
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const run = await getLoop(client, DURATION_MS);
  const elapsedS = (performance.now() - started) / 1000;
  const clientCpu = process.cpuUsage(clientBefore);
  const serverAfter = await ask(child, "cpu");
  await client.close();
  return {
    ...run,
    elapsedS,
    latencies: run.latencies.sort((a, b) => a - b),
    clientCpuUs: clientCpu.user + clientCpu.system,
    serverCpuUs: serverAfter.cpuUs - serverBefore.cpuUs,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function percentile(sorted: number[], p: number): number {
  return Number((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0).toFixed(2));
}

const load1m = () => Number((loadavg()[0] ?? 0).toFixed(2));

/** Lets the simulator process exit by itself after "stop" (a few seconds at most), then makes sure it is gone. */
async function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    await Promise.race([once(child, "exit"), sleep(5_000)]);
  }
  if (child.exitCode === null && child.signalCode === null) child.kill();
}

type RunResult = Awaited<ReturnType<typeof oneRun>>;

async function oneRun(index: number) {
  const loadBefore = load1m();
  const child = fork(fileURLToPath(import.meta.url), ["--serve"], { execArgv: [] });
  try {
    const held = await ask(child);
    const gets = await measureGets(child, held.grpcPort);
    const after = await ask(child, "stop");
    const run = {
      loadAverage1m: { before: loadBefore, after: load1m() },
      callsPerSecond: Math.round(gets.calls / gets.elapsedS),
      calls: gets.calls,
      failures: gets.failures,
      latencyMs: {
        p50: percentile(gets.latencies, 0.5),
        p95: percentile(gets.latencies, 0.95),
        p99: percentile(gets.latencies, 0.99),
      },
      serverCpuUsPerCall: Math.round(gets.serverCpuUs / gets.calls),
      clientCpuUsPerCall: Math.round(gets.clientCpuUs / gets.calls),
      requestLogEntries: after.requestLogEntries,
      seedMs: held.seedMs,
      rssMiB: held.rssMiB,
      heapUsedMiB: held.heapUsedMiB,
      rssAfterGetsMiB: after.rssMiB,
    };
    console.log(
      `run ${index + 1}/${RUNS}: ${run.callsPerSecond} Get/s (server ${run.serverCpuUsPerCall} µs, client ${run.clientCpuUsPerCall} µs CPU per call), ` +
        `RSS ${run.rssMiB} MiB seeded, ${run.rssAfterGetsMiB} MiB after Gets; load ${loadBefore} -> ${run.loadAverage1m.after}`,
    );
    return run;
  } finally {
    await stopped(child);
  }
}

/** The same seed as a YAML file, loaded the way `driftguard sim --seed file.yaml` loads it: memory only. */
async function yamlSeedMemory(): Promise<{ seedMs: number; rssMiB: number; heapUsedMiB: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), "sim-bench-"));
  const seedFile = path.join(dir, "seed.yaml");
  const { stringify } = await import("yaml");
  await writeFile(seedFile, stringify(seedDocument()));
  const child = fork(fileURLToPath(import.meta.url), ["--serve", seedFile], { execArgv: [] });
  try {
    const held = await ask(child);
    await ask(child, "stop");
    return { seedMs: held.seedMs, rssMiB: held.rssMiB, heapUsedMiB: held.heapUsedMiB };
  } finally {
    await stopped(child);
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const runs: RunResult[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await oneRun(i));
  const yamlSeed = await yamlSeedMemory();
  const med = (pick: (run: RunResult) => number) => Math.round(median(runs.map(pick)));
  const loads = runs.flatMap((run) => [run.loadAverage1m.before, run.loadAverage1m.after]);
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    machine: {
      cpus: availableParallelism(),
      loadAverage1m: { min: Math.min(...loads), median: Number(median(loads).toFixed(2)), max: Math.max(...loads) },
    },
    method: `median of ${RUNS} runs, each a fresh simulator process (no V8 flags) seeded with ${SERVICES} services + ${CONNECTORS} connectors, ${WARMUP_MS / 1000} s warm-up, then ${DURATION_MS / 1000} s of Gets; memory read ${SETTLE_MS} ms after seeding, without forcing a GC`,
    get: {
      transport: "grpc",
      client: "@google-cloud/run v2.ServicesClient (one client, one channel)",
      concurrency: CONCURRENCY,
      callsPerSecond: med((r) => r.callsPerSecond),
      failures: runs.reduce((sum, r) => sum + r.failures, 0),
      latencyMs: { p50: median(runs.map((r) => r.latencyMs.p50)), p99: median(runs.map((r) => r.latencyMs.p99)) },
      serverCpuUsPerCall: med((r) => r.serverCpuUsPerCall),
      clientCpuUsPerCall: med((r) => r.clientCpuUsPerCall),
      goalCallsPerSecond: 2000,
    },
    memory: {
      services: SERVICES,
      connectors: CONNECTORS,
      seedMs: med((r) => r.seedMs),
      simulatorRssMiB: med((r) => r.rssMiB),
      simulatorHeapUsedMiB: med((r) => r.heapUsedMiB),
      simulatorRssAfterGetsMiB: med((r) => r.rssAfterGetsMiB),
      yamlSeed,
      goalRssMiB: 200,
    },
    runs,
  };
  console.log(
    `GetService over gRPC: median ${result.get.callsPerSecond} calls/s over ${RUNS} runs (concurrency ${CONCURRENCY}); ` +
      `CPU per call: simulator ${result.get.serverCpuUsPerCall} µs, client ${result.get.clientCpuUsPerCall} µs; ` +
      `load average ${result.machine.loadAverage1m.min}-${result.machine.loadAverage1m.max} on ${result.machine.cpus} CPUs`,
  );
  console.log(
    `Simulator with ${SERVICES} services + ${CONNECTORS} connectors: median RSS ${result.memory.simulatorRssMiB} MiB (heap ${result.memory.simulatorHeapUsedMiB} MiB), ` +
      `${result.memory.simulatorRssAfterGetsMiB} MiB after the Get run; seeded from YAML text: RSS ${yamlSeed.rssMiB} MiB`,
  );
  await mkdir(new URL("results/", import.meta.url), { recursive: true });
  await writeFile(new URL("results/sim.json", import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
}

const serveAt = process.argv.indexOf("--serve");
if (serveAt >= 0) await serve(process.argv[serveAt + 1]);
else await main();
