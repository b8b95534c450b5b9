// Long-running operations shared by every simulated API (google.longrunning.Operations).
// A mutation registers an operation whose work runs when its latency has passed; until then
// `done` is false. Payloads are kept in proto3 JSON form with an "@type"; the transport layer packs
// them into google.protobuf.Any for gRPC and leaves them as JSON for REST.

import { randomUUID } from "node:crypto";
import { SimError, type StatusDetail } from "./errors.ts";

/** A message in proto3 JSON form tagged with its full type URL, e.g. type.googleapis.com/google.cloud.run.v2.Service. */
export type AnyJson = { "@type": string } & Record<string, unknown>;

export interface OperationJson {
  name: string;
  metadata?: AnyJson;
  done: boolean;
  response?: AnyJson;
  error?: { code: number; message: string; details: StatusDetail[] };
}

export interface StartOperation {
  /** Parent for the name, e.g. `projects/p/locations/l`; the store appends `/operations/{id}`. */
  parent: string;
  metadata?: AnyJson;
  /** Latency before `complete` runs; defaults to the store's configured latency. */
  latencyMs?: number;
  /** Runs once, after the latency: returns the response, or throws a SimError to fail the operation. */
  complete: () => AnyJson;
  /**
   * The metadata a finished operation shows (undefined: unchanged), given its response (undefined when it
   * failed). Cloud Run's is the final service; VPC Access adds its endTime.
   */
  metadataWhenDone?: (response: AnyJson | undefined) => AnyJson | undefined;
}

export class OperationStore {
  #operations = new Map<string, OperationJson>();
  #waiters = new Map<string, Array<() => void>>();
  #timers = new Set<NodeJS.Timeout>();
  defaultLatencyMs: number;

  constructor(defaultLatencyMs = 50) {
    this.defaultLatencyMs = defaultLatencyMs;
  }

  start(op: StartOperation): OperationJson {
    // Google's operation ids are UUIDs (test/fixtures/google-recordings/cloudrun-v2-runservicebasic).
    const name = `${op.parent}/operations/${randomUUID()}`;
    const operation: OperationJson = { name, done: false, ...(op.metadata ? { metadata: op.metadata } : {}) };
    this.#operations.set(name, operation);
    const finish = () => {
      try {
        operation.response = op.complete();
      } catch (err) {
        const simError = err instanceof SimError ? err : new SimError("INTERNAL", String(err));
        operation.error = simError.toStatus();
      }
      const metadata = op.metadataWhenDone?.(operation.response);
      if (metadata) operation.metadata = metadata;
      operation.done = true;
      for (const wake of this.#waiters.get(name) ?? []) wake();
      this.#waiters.delete(name);
    };
    const latency = op.latencyMs ?? this.defaultLatencyMs;
    if (latency <= 0) {
      queueMicrotask(finish);
    } else {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        finish();
      }, latency);
      this.#timers.add(timer);
    }
    return structuredClone(operation);
  }

  get(name: string): OperationJson {
    const operation = this.#operations.get(name);
    if (!operation) throw SimError.notFound(name);
    return structuredClone(operation);
  }

  /** Operations whose name starts with `parent + "/operations/"`, oldest first. */
  list(parent: string): OperationJson[] {
    const prefix = `${parent}/operations/`;
    return [...this.#operations.values()].filter((op) => op.name.startsWith(prefix)).map((op) => structuredClone(op));
  }

  /** Resolves when the operation is done or `timeoutMs` has passed, with the operation as it then is. */
  async wait(name: string, timeoutMs: number): Promise<OperationJson> {
    const operation = this.get(name);
    if (operation.done) return operation;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      const waiters = this.#waiters.get(name) ?? [];
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.#waiters.set(name, waiters);
    });
    return this.get(name);
  }

  delete(name: string): void {
    if (!this.#operations.delete(name)) throw SimError.notFound(name);
  }

  /** Stops pending timers (operations stay not-done); used on shutdown and reset. */
  clear(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#operations.clear();
    this.#waiters.clear();
  }
}
