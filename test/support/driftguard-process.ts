// `driftguard` as a real child process, as an operator starts it: `run` pointed at the shared test API server
// and a simulator, with short leader-election timings, or any command line. It keeps the combined output
// (for assertions and for the message of a wait that timed out), answers from the health port, signals
// (SIGSTOP to freeze a leader), and ends with stop() (SIGTERM, SIGKILL after a grace period) or kill()
// (SIGKILL, as a node failure would), both safe to call twice.

import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./envtest.ts";
import { kubeconfigPath } from "./kube.ts";
import { until } from "./until.ts";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
/** How long stop() waits after SIGTERM before it sends SIGKILL. */
const STOP_GRACE_MS = 5_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One HTTP answer: status and body as sent. */
export interface Answer {
  status: number;
  body: string;
}

export class DriftguardProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  /** Where /healthz, /readyz and /metrics listen; undefined when no port was given. */
  readonly healthPort: number | undefined;
  #output = "";
  #stderr = "";

  constructor(args: string[], env: Record<string, string> = {}, healthPort?: number) {
    this.healthPort = healthPort;
    this.child = spawn(process.execPath, [MAIN, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    this.child.stdout?.on("data", (chunk: Buffer) => (this.#output += chunk.toString()));
    this.child.stderr?.on("data", (chunk: Buffer) => {
      this.#output += chunk.toString();
      this.#stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => this.child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  /** Everything written to stdout and stderr so far, in order. */
  output(): string {
    return this.#output;
  }

  stderr(): string {
    return this.#stderr;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends `signal` unless the process has already exited. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** GET `path` on the health port; undefined while nothing answers there. */
  async get(path: string): Promise<Answer | undefined> {
    if (this.healthPort === undefined) throw new Error("this driftguard process was given no health port");
    const res = await fetch(`http://127.0.0.1:${this.healthPort}${path}`).catch(() => undefined);
    return res && { status: res.status, body: await res.text() };
  }

  /** Waits until `probe` holds (see until); the error of a timeout carries this process's output. */
  async waitFor<T>(
    what: string,
    probe: () => T | undefined | false | Promise<T | undefined | false>,
    timeoutMs?: number,
  ): Promise<T> {
    return until(what, probe, timeoutMs).catch((err: Error) => {
      throw new Error(`${err.message}\n--- driftguard output\n${this.#output}`);
    });
  }

  /** Waits until GET `path` answers exactly `body`, e.g. ("/readyz", "ok: leading\n"). */
  async waitForAnswer(path: string, body: string, timeoutMs = 30_000): Promise<void> {
    await this.waitFor(
      `${path} to answer ${JSON.stringify(body)}`,
      async () => (await this.get(path))?.body === body,
      timeoutMs,
    );
  }

  /** The fields of the first JSON log line whose message is `message`, once it was written whole. */
  logLine(message: string): Record<string, unknown> | undefined {
    const lines = this.#output.split("\n");
    lines.pop(); // what follows the last newline is a line still being written
    for (const line of lines) {
      const fields = jsonObject(line);
      if (fields?.msg === message) return fields;
    }
    return undefined;
  }

  /** SIGTERM, then SIGKILL if it has not exited within the grace period; resolves once it has exited. */
  async stop(): Promise<Exit> {
    if (this.running) {
      this.child.kill("SIGTERM");
      const done = await Promise.race([this.exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
      if (!done) this.child.kill("SIGKILL");
    }
    return this.exited;
  }

  /** SIGKILL: no release of anything, as when a node dies. A frozen (SIGSTOP) process is thawed first. */
  async kill(): Promise<Exit> {
    if (this.running) {
      this.child.kill("SIGCONT");
      this.child.kill("SIGKILL");
    }
    return this.exited;
  }
}

/** Any driftguard command line, e.g. ["run", "--source=dir:/tmp/x", "--health-port=0"]. */
export function startDriftguard(args: string[], env: Record<string, string> = {}): DriftguardProcess {
  return new DriftguardProcess(args, env);
}

export interface LeaderElectionFlags {
  /** Where the Lease (or with shards, the Leases) lives. */
  namespace: string;
  /** --leader-election-id; default the CLI's. */
  id?: string;
  /** Short by default, so that takeovers happen within seconds: 3 s, 2 s, 500 ms. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface RunProcessOptions {
  /** The simulator: its gRPC and REST endpoints, with a fixed token. */
  sim: { grpcPort: number; restPort: number };
  /** Default: the shared test API server's. */
  kubeconfig?: string;
  /** --namespace: the only namespaces managed; default all. */
  namespaces?: string[];
  /** --gcp-transport; default the CLI's (gRPC). */
  transport?: "grpc" | "rest";
  /** Default: a free port; 0 starts no health server. */
  healthPort?: number;
  /** A Lease to elect a leader on, or false for --leader-elect=false. */
  leaderElection: LeaderElectionFlags | false;
  /** --shards. */
  shards?: number;
  /** Further flags, as written on the command line (e.g. "--log-level=warn", "--qps", "100"). */
  flags?: string[];
}

/** `driftguard run` against the test API server and a simulator. */
export async function startRun(
  options: RunProcessOptions,
  env: Record<string, string> = {},
): Promise<DriftguardProcess> {
  const healthPort = options.healthPort ?? (await freePort());
  const args = [
    "run",
    `--kubeconfig=${options.kubeconfig ?? kubeconfigPath()}`,
    ...(options.namespaces ? [`--namespace=${options.namespaces.join(",")}`] : []),
    ...(options.transport ? [`--gcp-transport=${options.transport}`] : []),
    `--gcp-endpoint=127.0.0.1:${options.sim.grpcPort}`,
    `--gcp-rest-endpoint=http://127.0.0.1:${options.sim.restPort}`,
    "--gcp-access-token=sim-token",
    `--health-port=${healthPort}`,
    ...leaderElectionFlags(options.leaderElection),
    ...(options.shards === undefined ? [] : [`--shards=${options.shards}`]),
    ...(options.flags ?? []),
  ];
  return new DriftguardProcess(args, env, healthPort === 0 ? undefined : healthPort);
}

function leaderElectionFlags(election: LeaderElectionFlags | false): string[] {
  if (election === false) return ["--leader-elect=false"];
  return [
    `--leader-election-namespace=${election.namespace}`,
    ...(election.id === undefined ? [] : [`--leader-election-id=${election.id}`]),
    `--lease-duration=${election.leaseDurationMs ?? 3_000}ms`,
    `--renew-deadline=${election.renewDeadlineMs ?? 2_000}ms`,
    `--retry-period=${election.retryPeriodMs ?? 500}ms`,
  ];
}

function jsonObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
