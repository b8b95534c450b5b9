// Event-driven drift benchmark: the same population healed three ways, side by side in one run — from audit
// entries (the simulator publishing each write's Admin Activity entry to Google's Pub/Sub emulator after a
// simulated sink delay, driftguard consuming the subscription, resync 10 minutes) and by polling alone at
// resync 10 s and 60 s. Measures drift → healed (out-of-band change to driftguard's restoring UpdateService)
// and Google reads per resource per hour in a quiet window. Prints a table and writes
// bench/results/audit.json. Figures, not assertions: the machine may be shared (see the load average).
// Run: node bench/audit.ts
// Knobs: BENCH_CONFIGS (500), BENCH_DRIFTS (100 per mode), BENCH_SINK_DELAY_MS (1000), BENCH_QUIET_S (120).

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseDuration } from "../src/api/duration.ts";
import { AuditPublisher } from "../src/sim/audit/publisher.ts";
import { startSimulator, type Simulator } from "../src/sim/simulator.ts";
import { pubsubEmulatorMissing, PubSubEmulator } from "../test/support/pubsub-emulator.ts";
import { BenchCluster } from "./lib/cluster.ts";
import { ProcessSet } from "./lib/processes.ts";
import { round, summarise, type LatencySummary } from "./lib/stats.ts";
import { SimWitness, type Awaited } from "./lib/witness.ts";
import { fullServiceName, PROJECT, serviceNames, serviceSeed } from "./lib/workload.ts";

const RESULTS = fileURLToPath(new URL("results/audit.json", import.meta.url));
const GCLOUD_UA = "google-cloud-sdk gcloud/528.0.0 command/gcloud.run.services.update";

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}

const configs = numberFromEnv("BENCH_CONFIGS", 500);
const drifts = Math.min(configs, numberFromEnv("BENCH_DRIFTS", 100));
const sinkDelayMs = numberFromEnv("BENCH_SINK_DELAY_MS", 1000);
const quietS = numberFromEnv("BENCH_QUIET_S", 120);

interface Mode {
  name: string;
  resync: string;
  events: boolean;
}
const MODES: Mode[] = [
  { name: "events, resync 10m", resync: "10m", events: true },
  { name: "polling, resync 10s", resync: "10s", events: false },
  { name: "polling, resync 60s", resync: "60s", events: false },
];

interface ModeResult {
  mode: string;
  resync: string;
  driftToHealed: LatencySummary;
  /** GetService calls per resource per hour in a quiet window (no drift, no spec change). */
  readsPerResourcePerHourMeasured: number;
  /** The same in steady state: one read per resync interval, plus one per announced change. */
  readsPerResourcePerHourSteadyState: number;
}

const started = performance.now();
const progress = (line: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(0)}s] ${line}`);
const missing = pubsubEmulatorMissing();
if (missing) {
  console.error(`bench/audit.ts needs Google's Pub/Sub emulator: ${missing}`);
  process.exit(1);
}

const logDir = await mkdtemp(join(tmpdir(), "driftguard-bench-audit-"));
const processes = new ProcessSet(logDir);
const emulator = new PubSubEmulator();
let cluster: BenchCluster | undefined;
let sim: Simulator | undefined;
let publisher: AuditPublisher | undefined;
const results: ModeResult[] = [];
let failed = false;

/** An out-of-band change through the simulator's control API, as gcloud would make it. */
async function drift(restPort: number, name: string): Promise<void> {
  const resource = fullServiceName(name);
  const template = sim?.control.getService(resource).template as Record<string, unknown>;
  const response = await fetch(`http://127.0.0.1:${restPort}/control/cloudrun/${resource}:patch`, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": GCLOUD_UA },
    body: JSON.stringify({ patch: { template: { ...template, timeout: "300s" } }, actor: "alice@example.com" }),
  });
  if (response.status !== 200) throw new Error(`drift of ${name}: HTTP ${response.status}`);
}

try {
  progress(`starting kube-apiserver + etcd, the Pub/Sub emulator and the simulator; logs in ${logDir}`);
  cluster = await BenchCluster.start();
  await emulator.start();
  const { topic, subscription } = await emulator.topicWithSubscription(PROJECT, "audit", "driftguard");
  process.env.PUBSUB_EMULATOR_HOST = emulator.host; // inherited by the driftguard processes
  publisher = await AuditPublisher.start({ emulatorHost: emulator.host, topic, delayMs: sinkDelayMs });
  sim = await startSimulator({ operationLatencyMs: 100, observe: publisher.observe });
  const witness = new SimWitness(sim);
  const gcp = { grpcPort: sim.grpcPort, restPort: sim.restPort };

  for (const [m, mode] of MODES.entries()) {
    const namespace = `bench-audit-${m}`;
    const names = serviceNames(`m${m}`, configs);
    sim.control.seed(serviceSeed(names));
    await cluster.createNamespace(namespace);
    await cluster.createConfigs(namespace, names, mode.resync);
    const controller = processes.driftguard(`driftguard-${m}`, cluster.kubeconfigPath, gcp, [
      ...["--leader-elect", "false", "--health-port", "0", "--namespace", namespace],
      ...(mode.events ? ["--audit-subscription", subscription] : []),
    ]);
    progress(`${mode.name}: waiting for ${configs} Ready configs`);
    await cluster.waitAllReady(namespace, configs, 10 * 60_000);
    await sleep(sinkDelayMs + 2_000); // driftguard's own first writes come back as entries; let them pass

    progress(`${mode.name}: quiet window of ${quietS}s`);
    witness.clear();
    await sleep(quietS * 1000);
    const reads = witness.perResource("GetService", names.map(fullServiceName)).reduce((a, b) => a + b, 0);
    const measured = (reads / configs) * (3600 / quietS);

    // Changes spread over one resync interval (10 s for events) so they land at every phase of the cycle.
    const spreadMs = mode.events ? 10_000 : parseDuration(mode.resync);
    progress(`${mode.name}: ${drifts} out-of-band changes over ${spreadMs / 1000}s`);
    const awaited: Awaited[] = [];
    const step = spreadMs / drifts;
    const t0 = Date.now();
    for (const name of names.slice(0, drifts)) {
      await sleep(Math.max(0, t0 + awaited.length * step - Date.now()));
      awaited.push({ resource: fullServiceName(name), sinceMs: Date.now() });
      await drift(sim.restPort, name);
    }
    const latencies = await witness.latencies("UpdateService", awaited, parseDuration(mode.resync) + 60_000);
    results.push({
      mode: mode.name,
      resync: mode.resync,
      driftToHealed: summarise(latencies),
      readsPerResourcePerHourMeasured: round(measured, 2),
      readsPerResourcePerHourSteadyState: round(3600_000 / parseDuration(mode.resync), 2),
    });
    await controller.stop();
  }
} catch (err) {
  failed = true;
  console.error(`benchmark failed (logs kept in ${logDir}):`, err);
} finally {
  await processes.stopAll();
  await publisher?.stop();
  await sim?.stop();
  await cluster?.stop();
  await emulator.dispose();
}

const report = {
  startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
  machine: { nproc: availableParallelism(), cpuModel: cpus()[0]?.model.trim() ?? "unknown", loadAverageEnd: loadavg() },
  configs,
  driftsPerMode: drifts,
  sinkDelayMs,
  quietWindowSeconds: quietS,
  results,
  durationSeconds: round((performance.now() - started) / 1000, 1),
};
console.log(`\nEvent-driven drift: ${configs} configs, ${drifts} drifts per mode, sink delay ${sinkDelayMs} ms`);
console.log("mode                   drift→healed p50   p99      missed  reads/resource/h (window, steady state)");
for (const r of results) {
  const { p50Ms, p99Ms, missed } = r.driftToHealed;
  console.log(
    `${r.mode.padEnd(22)} ${`${p50Ms} ms`.padStart(10)} ${`${p99Ms} ms`.padStart(10)} ${String(missed).padStart(8)}` +
      `  ${r.readsPerResourcePerHourMeasured} / ${r.readsPerResourcePerHourSteadyState}`,
  );
}
await mkdir(join(RESULTS, ".."), { recursive: true });
await writeFile(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote ${RESULTS}`);
if (failed) process.exitCode = 1;
else await rm(logDir, { recursive: true, force: true });
