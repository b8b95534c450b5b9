// A real Prometheus server (Debian's `prometheus`) on loopback for tests: a config written to a temporary
// directory, a 1 s scrape and evaluation interval, and the HTTP API it offers for queries and alerts.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { stringify } from "yaml";
import { freePort } from "../../support/envtest.ts";

export interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing";
  activeAt: string;
}

export class PrometheusServer {
  readonly #dir: string;
  readonly #child: ChildProcess;
  readonly port: number;
  #output = "";

  private constructor(dir: string, child: ChildProcess, port: number) {
    this.#dir = dir;
    this.#child = child;
    this.port = port;
    child.stdout?.on("data", (chunk: Buffer) => (this.#output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (this.#output += chunk.toString()));
  }

  /** Starts Prometheus scraping `targets` (host:port) every second and evaluating `ruleGroups`. */
  static async start(targets: string[], ruleGroups: unknown[]): Promise<PrometheusServer> {
    const dir = mkdtempSync(join(tmpdir(), "driftguard-prometheus-"));
    writeFileSync(join(dir, "rules.yaml"), stringify({ groups: ruleGroups }));
    writeFileSync(
      join(dir, "prometheus.yml"),
      stringify({
        global: { scrape_interval: "1s", evaluation_interval: "1s", scrape_timeout: "900ms" },
        rule_files: [join(dir, "rules.yaml")],
        scrape_configs: [{ job_name: "driftguard", static_configs: [{ targets }] }],
      }),
    );
    const port = await freePort();
    const child = spawn(
      "prometheus",
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const server = new PrometheusServer(dir, child, port);
    const deadline = Date.now() + 30_000;
    while (
      !(await fetch(`${server.url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await server.stop();
        throw new Error(`prometheus did not become ready:\n${server.#output}`);
      }
      await sleep(200);
    }
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get output(): string {
    return this.#output;
  }

  async alerts(): Promise<PrometheusAlert[]> {
    const body = (await (await fetch(`${this.url}/api/v1/alerts`)).json()) as { data: { alerts: PrometheusAlert[] } };
    return body.data.alerts;
  }

  /** The value of an instant query's first sample, if any. */
  async query(expr: string): Promise<number | undefined> {
    const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
    const first = body.data.result[0];
    return first === undefined ? undefined : Number(first.value[1]);
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      const exited = new Promise((resolve) => this.#child.once("exit", resolve));
      this.#child.kill("SIGTERM");
      await Promise.race([exited, sleep(5_000)]);
      if (this.#child.exitCode === null) this.#child.kill("SIGKILL");
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
