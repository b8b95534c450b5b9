// The processes a benchmark starts (driftguard replicas, the naive baseline), with their logs in one
// directory, /proc readings of memory and CPU time, and a guarantee that none outlives the run: every
// child is killed on stop(), and with SIGKILL when the benchmark process exits for any reason.

import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { openSync, readFileSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

export interface GcpEndpoints {
  grpcPort: number;
  restPort: number;
}

export class BenchProcess {
  readonly name: string;
  readonly logPath: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<unknown>;
  readonly #cwd: string;

  constructor(name: string, child: ChildProcess, logPath: string, cwd = ROOT) {
    this.name = name;
    this.#child = child;
    this.logPath = logPath;
    this.#cwd = cwd;
    this.#exited = once(child, "exit");
  }

  get pid(): number {
    const pid = this.#child.pid;
    if (pid === undefined) throw new Error(`${this.name} has no pid: it failed to start (see ${this.logPath})`);
    return pid;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Resident set size from /proc/PID/status (VmRSS), in MiB. */
  rssMiB(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
    const kib = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    if (!Number.isFinite(kib)) throw new Error(`no VmRSS in /proc/${this.pid}/status`);
    return kib / 1024;
  }

  /** User + system CPU seconds so far, from /proc/PID/stat (utime and stime, fields 14 and 15). */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  }

  /** Heap snapshots (--heapsnapshot-signal) in the process's working directory, as full paths. */
  async heapSnapshots(): Promise<string[]> {
    const files = await readdir(this.#cwd);
    return files.filter((f) => f.endsWith(".heapsnapshot")).map((f) => join(this.#cwd, f));
  }

  /** True when `file` did not grow over the last second. */
  async settled(file: string): Promise<boolean> {
    const before = (await stat(file)).size;
    await sleep(1000);
    return before > 0 && (await stat(file)).size === before;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.#child.kill("SIGTERM");
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  async kill9(): Promise<void> {
    if (!this.running) return;
    this.#child.kill("SIGKILL");
    await this.#exited;
  }
}

export class ProcessSet {
  readonly #logDir: string;
  readonly #children: BenchProcess[] = [];
  readonly #killAll = () => {
    for (const child of this.#children) if (child.running) process.kill(child.pid, "SIGKILL");
  };

  constructor(logDir: string) {
    this.#logDir = logDir;
    process.once("exit", this.#killAll);
  }

  /** `driftguard run` against the cluster in `kubeconfig` and the simulator; `extra` flags go last. */
  driftguard(
    name: string,
    kubeconfig: string,
    gcp: GcpEndpoints,
    extra: string[],
    how: { nodeFlags?: string[]; root?: string } = {},
  ): BenchProcess {
    return this.#start(
      name,
      "src/cli/main.ts",
      [
        "run",
        "--kubeconfig",
        kubeconfig,
        "--gcp-endpoint",
        `127.0.0.1:${gcp.grpcPort}`,
        "--gcp-rest-endpoint",
        `http://127.0.0.1:${gcp.restPort}`,
        "--gcp-access-token",
        "bench",
        // Above what any fleet here needs, per project and in all: the figures are the controller's own.
        "--qps",
        "500",
        "--global-qps",
        "2000",
        "--workers",
        "8",
        "--log-level",
        "warn",
        ...extra,
      ],
      how,
    );
  }

  /** The naive baseline controller (bench/naive-controller.ts). */
  naive(name: string, kubeconfig: string, gcp: GcpEndpoints, namespace: string, interval: string): BenchProcess {
    return this.#start(name, "bench/naive-controller.ts", [
      "--kubeconfig",
      kubeconfig,
      "--gcp-endpoint",
      `127.0.0.1:${gcp.grpcPort}`,
      "--namespace",
      namespace,
      "--interval",
      interval,
      "--workers",
      "8",
    ]);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.#children.map((child) => child.stop()));
    process.removeListener("exit", this.#killAll);
  }

  #start(
    name: string,
    script: string,
    args: string[],
    how: { nodeFlags?: string[]; root?: string } = {},
  ): BenchProcess {
    const logPath = join(this.#logDir, `${name}.log`);
    const log = openSync(logPath, "a");
    const cwd = how.root ?? ROOT;
    const child = spawn(process.execPath, [...(how.nodeFlags ?? []), script, ...args], {
      cwd,
      stdio: ["ignore", log, log],
    });
    const started = new BenchProcess(name, child, logPath, cwd);
    this.#children.push(started);
    return started;
  }
}

/** Polls `check` every `everyMs` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
