// One small HTTP server for the kubelet and Prometheus: /healthz (liveness), /readyz (readiness) and
// /metrics, on a single port so a Deployment needs one containerPort and one set of probes.
//
// Liveness fails only when a restart would help: the process is up but its watches went stale.
// Readiness waits for the caches to fill; a leader must also have its workers running. A standby is ready
// as soon as its caches are filled, otherwise a rolling update would wait forever for the new pods.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProbeResult {
  ok: boolean;
  message: string;
}

export interface ControllerState {
  /** Every watched kind has been listed once. */
  synced: boolean;
  /** A watch has been silent for longer than its watchdog allows. */
  stale: boolean;
  leader: boolean;
  /** The leader's workers are running. */
  reconciling: boolean;
}

export function liveness(state: Pick<ControllerState, "stale">): ProbeResult {
  return state.stale ? { ok: false, message: "watches are stale" } : { ok: true, message: "ok" };
}

export function readiness(state: ControllerState): ProbeResult {
  if (!state.synced) return { ok: false, message: "caches are not synced yet" };
  if (state.leader && !state.reconciling) return { ok: false, message: "leader, but the controller has not started" };
  return { ok: true, message: state.leader ? "ok: leading" : "ok: standby" };
}

export interface MetricsEndpoint {
  contentType: string;
  render(): Promise<string>;
}

export interface HealthServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default: every interface, as the kubelet probes the pod IP. */
  host?: string;
  state: () => ControllerState;
  metrics?: MetricsEndpoint;
}

export class HealthServer {
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(options: HealthServerOptions): Promise<HealthServer> {
    const server = createServer((req, res) => {
      handle(options, req, res).catch((err: unknown) => send(res, 500, `error: ${(err as Error).message}`));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err) => {
        const address = options.host === undefined ? "" : ` of ${options.host}`;
        reject(new Error(`cannot listen on health port ${options.port}${address}`, { cause: err }));
      });
      server.listen(options.port, options.host, resolve);
    });
    return new HealthServer(server);
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

async function handle(options: HealthServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "method not allowed");
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  switch (path) {
    case "/healthz":
    case "/livez":
      return probe(res, liveness(options.state()));
    case "/readyz":
      return probe(res, readiness(options.state()));
    case "/metrics":
      if (!options.metrics) return send(res, 404, "metrics are not enabled");
      return send(res, 200, await options.metrics.render(), options.metrics.contentType);
    default:
      return send(res, 404, "not found: try /healthz, /readyz or /metrics");
  }
}

function probe(res: ServerResponse, result: ProbeResult): void {
  send(res, result.ok ? 200 : 503, result.message);
}

function send(res: ServerResponse, status: number, body: string, contentType = "text/plain; charset=utf-8"): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { "content-type": contentType });
  res.end(body.endsWith("\n") ? body : `${body}\n`);
}
