// `driftguard sim`: runs the local Google API simulator (Cloud Run Admin v2 and v1, Serverless VPC Access
// v1 and v1beta1, Cloud Monitoring v3) on loopback and prints how to point clients and gcloud at it.

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

/**
 * The environment that points the real gcloud at a simulator whose REST port is `restPort`. gcloud prefixes
 * the region to a Cloud Run endpoint override's host (http://run.sim.local/ becomes
 * http://us-central1-run.sim.local/), which resolves nowhere; with gcloud's own proxy settings the request
 * reaches the simulator in absolute form instead, and the simulator answers it. Plain http throughout, so
 * gcloud never tunnels (CONNECT); Service Usage is not asked whether the Run API is enabled.
 */
export function gcloudEnvironment(restPort: number | string): Record<string, string> {
  return {
    CLOUDSDK_API_ENDPOINT_OVERRIDES_VPCACCESS: `http://127.0.0.1:${restPort}/`,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN: "http://run.sim.local/",
    CLOUDSDK_PROXY_TYPE: "http",
    CLOUDSDK_PROXY_ADDRESS: "127.0.0.1",
    CLOUDSDK_PROXY_PORT: `${restPort}`,
    CLOUDSDK_CORE_SHOULD_PROMPT_TO_ENABLE_API: "false",
  };
}

function gcloudHelp(restPort: number | string): string[] {
  const env = gcloudEnvironment(restPort);
  return [
    `gcloud (run, compute networks vpc-access, and their beta commands; in a shell of its own, since every`,
    `other Google API gcloud calls then goes to the simulator too, and is refused):`,
    ...Object.entries(env).map(([key, value]) => `  export ${key}=${value}`),
    `  echo sim-token > /tmp/sim-token`,
    `  gcloud run services update SERVICE --region REGION --timeout=25 --access-token-file=/tmp/sim-token`,
  ];
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
    ...gcloudHelp(sim.restPort),
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
    .addHelpText(
      "after",
      ["", ...gcloudHelp("REST_PORT"), "(REST_PORT: --rest-port, by default --port + 1)"].join("\n"),
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
