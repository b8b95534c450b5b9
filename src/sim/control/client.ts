// A small typed client for the simulator's REST control API, for tests, benchmarks and the demo when
// the simulator runs in another process (`driftguard sim`).

import type { RevisionFailureRule } from "../cloudrun/failures.ts";
import type { FaultRule } from "../core/faults.ts";
import type { JsonObject } from "../core/module.ts";
import type { RequestLogEntry, RequestLogFilter } from "../core/request-log.ts";
import type { SimSnapshot } from "./control.ts";

export class SimControlError extends Error {
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.name = "SimControlError";
    this.status = status;
  }
}

export class SimControlClient {
  readonly #base: string;

  /** `restEndpoint`: "http://127.0.0.1:PORT" (the simulator's REST port). */
  constructor(restEndpoint: string) {
    this.#base = restEndpoint.replace(/\/+$/, "");
  }

  async seed(document: string | JsonObject): Promise<void> {
    await this.#call("POST", "/control/seed", typeof document === "string" ? { yaml: document } : document);
  }

  async patchService(
    name: string,
    patch: JsonObject,
    actor?: string,
  ): Promise<{ operation: string; service: JsonObject }> {
    const body = { patch, ...(actor === undefined ? {} : { actor }) };
    return (await this.#call("POST", `/control/cloudrun/${name}:patch`, body)) as {
      operation: string;
      service: JsonObject;
    };
  }

  async addRevisionFailure(rule: RevisionFailureRule): Promise<void> {
    await this.#call("POST", "/control/cloudrun/revisionFailures", rule as unknown as JsonObject);
  }

  async clearRevisionFailures(): Promise<void> {
    await this.#call("DELETE", "/control/cloudrun/revisionFailures");
  }

  async addFault(rule: FaultRule): Promise<void> {
    await this.#call("POST", "/control/faults", rule as unknown as JsonObject);
  }

  async faults(): Promise<FaultRule[]> {
    return ((await this.#call("GET", "/control/faults")) as { faults: FaultRule[] }).faults;
  }

  async clearFaults(): Promise<void> {
    await this.#call("DELETE", "/control/faults");
  }

  async requests(filter: RequestLogFilter = {}): Promise<RequestLogEntry[]> {
    const query = new URLSearchParams(
      Object.entries(filter).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    const suffix = query.size ? `?${query.toString()}` : "";
    return ((await this.#call("GET", `/control/requests${suffix}`)) as { requests: RequestLogEntry[] }).requests;
  }

  async clearRequests(): Promise<void> {
    await this.#call("DELETE", "/control/requests");
  }

  async setOperationLatency(ms: number): Promise<void> {
    await this.#call("POST", "/control/operationLatency", { ms });
  }

  /** Seconds after sampling before Monitoring shows a connector point. */
  async setMonitoringDelay(seconds: number): Promise<void> {
    await this.#call("POST", "/control/monitoringDelay", { seconds });
  }

  async snapshot(): Promise<SimSnapshot> {
    return ((await this.#call("POST", "/control/snapshot")) as { snapshot: SimSnapshot }).snapshot;
  }

  async restore(snapshot: SimSnapshot): Promise<void> {
    await this.#call("POST", "/control/restore", { snapshot });
  }

  async reset(): Promise<void> {
    await this.#call("POST", "/control/reset");
  }

  async #call(method: string, path: string, body?: JsonObject): Promise<JsonObject> {
    const response = await fetch(`${this.#base}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    const parsed = (await response.json()) as JsonObject;
    if (!response.ok) {
      const error = parsed.error as { message?: string } | undefined;
      throw new SimControlError(`${method} ${path}: ${error?.message ?? response.statusText}`, response.status);
    }
    return parsed;
  }
}
