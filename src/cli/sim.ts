// `driftguard sim`: runs the local Google API simulator (Cloud Run Admin v2, Serverless VPC Access v1,
// Cloud Monitoring v3) on loopback and prints how to point clients at it.

import { readFile } from "node:fs/promises";
import { Command, InvalidArgumentError } from "commander";
import { AuditPublisher } from "../sim/audit/publisher.ts";
import { startSimulator, type Simulator } from "../sim/simulator.ts";

export const DEFAULT_SIM_PORT = 8787;

interface SimOptions {
  port: number;
  restPort?: number;
  seed?: string;
  latency: number;
  auditTopic?: string;
  auditDelay: number;
}

function nonNegativeInteger(name: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0)
      throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${value}"`);
    return parsed;
  };
}

/** What a person needs to point the Google clients and gcloud at the simulator. */
export function connectionHelp(sim: Pick<Simulator, "grpcPort" | "restPort">): string {
  const rest = `http://127.0.0.1:${sim.restPort}`;
  return [
    `driftguard simulator running (loopback only; any access token is accepted)`,
    `  gRPC:    127.0.0.1:${sim.grpcPort}`,
    `  REST:    ${rest}/   (control API: ${rest}/control/)`,
    ``,
    `@google-cloud/* clients, gRPC (authClient: any client with a fixed token, so no metadata-server lookup):`,
    `  new ServicesClient({ apiEndpoint: "127.0.0.1", port: ${sim.grpcPort}, sslCreds: grpc.credentials.createInsecure(), authClient })`,
    `@google-cloud/* clients, REST:`,
    `  new ServicesClient({ apiEndpoint: "127.0.0.1", port: ${sim.restPort}, fallback: true, protocol: "http", authClient })`,
    `gcloud:`,
    `  export CLOUDSDK_API_ENDPOINT_OVERRIDES_VPCACCESS=${rest}/`,
    `  echo sim-token > /tmp/sim-token && gcloud ... --access-token-file=/tmp/sim-token`,
    ``,
  ].join("\n");
}

export function simCommand(): Command {
  return new Command("sim")
    .description("run the local, wire-compatible simulator of the Google APIs driftguard uses")
    .option(
      "--port <n>",
      "gRPC port (the REST port is the next one unless --rest-port is given)",
      nonNegativeInteger("--port"),
      DEFAULT_SIM_PORT,
    )
    .option("--rest-port <n>", "REST and control API port", nonNegativeInteger("--rest-port"))
    .option("--seed <file>", "YAML file with services: and/or connectors: to start with")
    .option("--latency <ms>", "how long long-running operations take", nonNegativeInteger("--latency"), 50)
    .option(
      "--audit-topic <projects/P/topics/T>",
      "publish each write's Admin Activity audit entry to this topic on the Pub/Sub emulator (PUBSUB_EMULATOR_HOST)",
    )
    .option(
      "--audit-delay <ms>",
      "how long the simulated Logging sink takes to deliver an entry",
      nonNegativeInteger("--audit-delay"),
      1000,
    )
    .action(async (options: SimOptions) => {
      let sim: Simulator;
      let audit: AuditPublisher | undefined;
      try {
        if (options.auditTopic !== undefined) {
          const emulatorHost = process.env.PUBSUB_EMULATOR_HOST;
          if (!emulatorHost)
            throw new Error("--audit-topic needs PUBSUB_EMULATOR_HOST (the Pub/Sub emulator's host:port)");
          audit = await AuditPublisher.start({
            emulatorHost,
            topic: options.auditTopic,
            delayMs: options.auditDelay,
            onError: (err) => process.stderr.write(`driftguard sim: audit publish failed: ${err.message}\n`),
          });
        }
        const seed = options.seed === undefined ? undefined : await readSeed(options.seed);
        const restPort = options.restPort ?? (options.port === 0 ? 0 : options.port + 1);
        sim = await startSimulator({
          grpcPort: options.port,
          restPort,
          operationLatencyMs: options.latency,
          ...(seed === undefined ? {} : { seed }),
          ...(audit ? { observe: audit.observe } : {}),
        });
      } catch (err) {
        await audit?.stop();
        // A bad seed or a busy port is a user error: say what is wrong, without a stack trace.
        process.stderr.write(`driftguard sim: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(connectionHelp(sim));
      if (audit) process.stdout.write(`audit entries: ${options.auditTopic} (delay ${options.auditDelay} ms)\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await sim.stop();
      await audit?.stop();
    });
}

async function readSeed(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw new Error(`cannot read seed file ${path}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}
