// Simulator benchmark: GetService calls per second over gRPC from the real @google-cloud/run client,
// and the simulator's resident memory with 10,000 services and 200 connectors held. The simulator runs
// in a child process (as `driftguard sim` would), so the client and the server each have a core and the
// memory figure is the simulator's alone. Prints the figures and writes bench/results/sim.json.
// Run: node bench/sim-get.ts

import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { v2 } from "@google-cloud/run";
import { startSimulator } from "../src/sim/simulator.ts";

const SERVICES = 10_000;
const CONNECTORS = 200;
const CONCURRENCY = 32;
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const PARENT = "projects/bench/locations/us-central1";
const MiB = 1024 * 1024;

interface ServerReport {
  grpcPort: number;
  seedMs: number;
  rssMiB: number;
  heapUsedMiB: number;
  requestLogEntries?: number;
}

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

function memory(): { rssMiB: number; heapUsedMiB: number } {
  const usage = process.memoryUsage();
  return { rssMiB: Math.round(usage.rss / MiB), heapUsedMiB: Math.round(usage.heapUsed / MiB) };
}

/** Child process: the simulator, seeded, reporting its port and memory to the parent. */
async function serve(): Promise<void> {
  const sim = await startSimulator({ operationLatencyMs: 0 });
  const started = performance.now();
  sim.control.seed(seedDocument());
  const seedMs = Math.round(performance.now() - started);
  globalThis.gc?.();
  process.send?.({ grpcPort: sim.grpcPort, seedMs, ...memory() } satisfies ServerReport);
  await once(process, "message");
  const requestLogEntries = sim.control.requests({ method: "GetService" }).length;
  process.send?.({ grpcPort: sim.grpcPort, seedMs, ...memory(), requestLogEntries } satisfies ServerReport);
  await sim.stop();
  process.disconnect();
}

async function nextReport(child: ChildProcess): Promise<ServerReport> {
  const [message] = (await once(child, "message")) as [ServerReport];
  return message;
}

async function measureGets(
  grpcPort: number,
): Promise<{ calls: number; failures: number; elapsedS: number; latencies: number[] }> {
  const client = new v2.ServicesClient({
    apiEndpoint: "127.0.0.1",
    port: grpcPort,
    sslCreds: grpc.credentials.createInsecure(),
    authClient,
  } as ConstructorParameters<typeof v2.ServicesClient>[0]);
  await client.getService({ name: `${PARENT}/services/svc-0` }); // connect and warm up
  let calls = 0;
  let failures = 0;
  const latencies: number[] = [];
  const deadline = performance.now() + DURATION_MS;
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
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => worker(i)));
  const elapsedS = (performance.now() - started) / 1000;
  await client.close();
  return { calls, failures, elapsedS, latencies: latencies.sort((a, b) => a - b) };
}

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ["--serve"], { execArgv: ["--expose-gc"] });
  try {
    const held = await nextReport(child);
    const run = await measureGets(held.grpcPort);
    child.send("stop");
    const after = await nextReport(child);
    const pct = (p: number) =>
      Number((run.latencies[Math.min(run.latencies.length - 1, Math.floor(run.latencies.length * p))] ?? 0).toFixed(2));
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      get: {
        transport: "grpc",
        client: "@google-cloud/run v2.ServicesClient (one client, one channel)",
        concurrency: CONCURRENCY,
        durationS: Number(run.elapsedS.toFixed(2)),
        calls: run.calls,
        failures: run.failures,
        callsPerSecond: Math.round(run.calls / run.elapsedS),
        latencyMs: { p50: pct(0.5), p95: pct(0.95), p99: pct(0.99) },
        requestLogEntries: after.requestLogEntries,
        goalCallsPerSecond: 2000,
      },
      memory: {
        services: SERVICES,
        connectors: CONNECTORS,
        seedMs: held.seedMs,
        simulatorRssMiB: held.rssMiB,
        simulatorHeapUsedMiB: held.heapUsedMiB,
        simulatorRssAfterGetsMiB: after.rssMiB,
        goalRssMiB: 200,
      },
    };
    console.log(
      `GetService over gRPC: ${result.get.callsPerSecond} calls/s (concurrency ${CONCURRENCY}, ${run.calls} calls, ${run.failures} failed)`,
    );
    console.log(
      `  latency p50 ${result.get.latencyMs.p50} ms, p95 ${result.get.latencyMs.p95} ms, p99 ${result.get.latencyMs.p99} ms`,
    );
    console.log(
      `Simulator memory with ${SERVICES} services + ${CONNECTORS} connectors: RSS ${held.rssMiB} MiB (heap ${held.heapUsedMiB} MiB), seeded in ${held.seedMs} ms; RSS after the Get run ${after.rssMiB} MiB`,
    );
    await mkdir(new URL("results/", import.meta.url), { recursive: true });
    await writeFile(new URL("results/sim.json", import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

if (process.argv.includes("--serve")) await serve();
else await main();
