// driftguard end to end on one machine: the simulator seeded with staging as the field reports found it,
// the controller reading desired state from a directory of manifests, and a live view of what it does.
// No cluster and no cloud account: this is `npm start`.

import type { Logger } from "pino";
import { MANAGED_RESOURCES } from "../controller/kinds.ts";
import { startController } from "../controller/compose.ts";
import type { ManagedObject } from "../kinds/kind.ts";
import { startSimulator } from "../sim/simulator.ts";
import { DirectorySource, type RecordedEvent } from "../sources/directory.ts";
import { settled, summarise, type Summary } from "./progress.ts";
import { INITIAL_LOAD_MBPS, regressedStagingSeed } from "./seed.ts";
import { checkout, commitRegression, REGRESSED_SERVICE, REGRESSED_VALUE } from "./regression.ts";
import { renderTable } from "./table.ts";
import { loopbackConnection } from "../gcp/connection.ts";

export interface DemoOptions {
  directory: string;
  /** A ServiceConfigPolicy (and its Namespace) put beside the manifests; it refuses the regressed commit. */
  policyFile: string;
  /** Run until everything settles, print a summary and return; otherwise run until `stop` resolves. */
  once: boolean;
  timeoutMs: number;
  /** Load each connector ramps to, in Mbps, and over how long. */
  peakLoadMbps: number;
  rampSeconds: number;
  out: NodeJS.WritableStream;
  /** Redraw the table in place (a terminal) instead of printing it when it changes. */
  interactive: boolean;
  log: Logger;
  stop: Promise<void>;
}

const RESOURCES = [...MANAGED_RESOURCES];

/**
 * How much faster the simulated Google's clock runs than the wall clock. Monitoring samples connectors
 * every 60 s and shows a point 180 s later, as at Google; at 60 times the speed that is every second and
 * 3 s later, so the demo shows the autoscaler judging lagging data within a couple of minutes.
 */
export const SIMULATED_CLOCK_SPEED = 60;

export async function runDemo(options: DemoOptions): Promise<{ exitCode: number; summary: Summary }> {
  const work = await checkout(options.directory, options.policyFile);
  try {
    return await runOn(work.path, options);
  } finally {
    await work.remove();
  }
}

async function runOn(directory: string, options: DemoOptions): Promise<{ exitCode: number; summary: Summary }> {
  const { out } = options;
  const manifests = new DirectorySource({
    directory,
    resources: RESOURCES,
    defaultNamespace: "staging",
  });
  await manifests.reload();
  const declared = RESOURCES.flatMap((r) => manifests.list(r));
  const seed = regressedStagingSeed(declared);
  const started = Date.now();
  const simulatedNow = () => started + (Date.now() - started) * SIMULATED_CLOCK_SPEED;
  const sim = await startSimulator({ seed, operationLatencyMs: 800, now: simulatedNow });
  out.write(
    `Simulator on 127.0.0.1:${sim.grpcPort} (gRPC) / ${sim.restPort} (REST), seeded with ${seed.services.length} ` +
      `Cloud Run services (database timeouts regressed to 25s, pools at 20 + 30) and ${seed.connectors.length} ` +
      `e2-micro connector(s) under a load rising from ${INITIAL_LOAD_MBPS} to ${options.peakLoadMbps} Mbps. ` +
      `Its clock runs ${SIMULATED_CLOCK_SPEED}x faster: Monitoring samples every ` +
      `${sim.modules.vpcAccess.samplePeriodSeconds / SIMULATED_CLOCK_SPEED}s and shows each point ` +
      `${sim.control.monitoringDelay() / SIMULATED_CLOCK_SPEED}s later.\n\n`,
  );
  for (const connector of seed.connectors) {
    await rampLoad(sim.restPort, connector.name, options.peakLoadMbps, options.rampSeconds * SIMULATED_CLOCK_SPEED);
  }

  const eventLines: string[] = [];
  const source = new DirectorySource({
    directory,
    resources: RESOURCES,
    defaultNamespace: "staging",
    onEvent: (e) => {
      const line = formatEvent(e);
      eventLines.push(line);
      if (!options.interactive) out.write(`${line}\n`);
    },
    onFileError: (file, err) => out.write(`cannot read ${file}: ${err.message}\n`),
  });
  const controller = await startController(
    {
      gcp: loopbackConnection(sim, "grpc", "demo"),
      qps: 20,
      workers: 4,
      requireProjectAllowlist: false,
      operationPollMs: 500,
      // Monitoring's timestamps are on the simulated clock; data ages are converted to wall time.
      connectorMetrics: { now: simulatedNow, clockRate: SIMULATED_CLOCK_SPEED },
    },
    source,
    options.log,
  );

  const objects = (): ManagedObject[] => RESOURCES.flatMap((r) => source.list(r));
  const rampEnds = started + options.rampSeconds * 1000;
  let lastTable = "";
  let result: { exitCode: number; summary: Summary } | undefined;
  let regression: "pending" | "committed" | "refused" = "pending";
  let stopped = false;
  void options.stop.then(() => (stopped = true));
  try {
    while (!stopped) {
      const table = renderTable(objects());
      if (options.interactive) {
        out.write(`\x1b[H\x1b[2J${table}\n\n${eventLines.slice(-15).join("\n")}\n\nCtrl-C stops.\n`);
      } else if (table !== lastTable) {
        out.write(`\n${table}\n\n`);
      }
      lastTable = table;
      const summary = summarise(objects());
      const calm = Date.now() > rampEnds && settled(summary);
      if (calm && regression === "pending") {
        const before = await commitRegression(directory);
        out.write(
          `\nA commit lowers ${REGRESSED_SERVICE}'s database initialization timeout ${before ?? "?"} → ` +
            `${REGRESSED_VALUE}, the regression behind the outage. The ServiceConfigPolicy beside the manifests ` +
            "forbids it:\n",
        );
        regression = "committed";
      } else if (regression === "committed" && refused(objects())) {
        const live = sim.control.getService(
          `projects/netra-staging/locations/us-central1/services/${REGRESSED_SERVICE}`,
        );
        out.write(
          `Refused, nothing written: the live service keeps DB_INITIALIZATION_TIMEOUT=${initializationOf(live)}.\n`,
        );
        regression = "refused";
      }
      if (options.once && regression === "refused" && calm) {
        result = { exitCode: summary.failed > 0 ? 1 : 0, summary };
        break;
      }
      if (options.once && Date.now() - started > options.timeoutMs) {
        out.write(`Not settled after ${Math.round(options.timeoutMs / 1000)}s.\n`);
        result = { exitCode: 1, summary };
        break;
      }
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 1000)), options.stop]);
    }
  } finally {
    await controller.stop(5_000);
    await sim.stop();
  }
  const summary = result?.summary ?? summarise(objects());
  out.write(`\n${renderTable(objects())}\n\n${describeSummary(summary)}\n`);
  return result ?? { exitCode: 0, summary };
}

export function describeSummary(summary: Summary): string {
  return (
    `${summary.converged} converged, ${summary.attention} need attention (a spec problem driftguard reported ` +
    `and would not apply), ${summary.working} still working, ${summary.failed} failed.`
  );
}

/** The regressed commit has been judged: the backend is refused by a policy. */
function refused(objects: ManagedObject[]): boolean {
  const backend = objects.find((o) => o.metadata?.name === REGRESSED_SERVICE);
  const ready = (backend?.status?.conditions as Array<{ type: string; reason: string }> | undefined)?.find(
    (c) => c.type === "Ready",
  );
  return ready?.reason === "PolicyViolation";
}

function initializationOf(service: unknown): string {
  const containers = (
    service as { template?: { containers?: Array<{ env?: Array<{ name: string; value?: string }> }> } }
  )?.template?.containers;
  return containers?.[0]?.env?.find((e) => e.name === "DB_INITIALIZATION_TIMEOUT")?.value ?? "(unset)";
}

function formatEvent(e: RecordedEvent): string {
  const time = e.at.slice(11, 19);
  return `${time} ${e.type === "Warning" ? "!" : " "} ${e.key} ${e.reason}: ${e.note}`;
}

async function rampLoad(restPort: number, connector: string, toMbps: number, seconds: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${restPort}/control/v1/connectors/${connector}:load`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ramp: { fromMbps: INITIAL_LOAD_MBPS, toMbps, seconds } }),
  });
  if (!response.ok) throw new Error(`setting the load of ${connector} failed: ${await response.text()}`);
}
