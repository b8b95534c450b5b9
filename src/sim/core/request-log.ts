// Every Google-surface call, in order, so tests can count calls exactly and the demo can show traffic.

import type { RpcCodeName } from "./errors.ts";
import type { MethodName } from "./module.ts";

export type Transport = "grpc" | "rest";

export interface RequestLogEntry {
  /** RFC 3339 time the call arrived. */
  time: string;
  method: MethodName;
  /** The resource the call names (`name`, `parent`, `service.name`, ...), or "" when it names none. */
  resource: string;
  code: RpcCodeName;
  transport: Transport;
}

export interface RequestLogFilter {
  /** Exact full method name, or its last part ("GetService"). */
  method?: string;
  /** Exact resource name. */
  resource?: string;
}

/** Keeps at least the newest `capacity` entries (at most 10% more) so a long run cannot grow memory without bound. */
export class RequestLog {
  #entries: RequestLogEntry[] = [];
  readonly #capacity: number;

  constructor(capacity = 100_000) {
    this.#capacity = capacity;
  }

  record(entry: RequestLogEntry): void {
    this.#entries.push(entry);
    // Trim in batches of a tenth so a full log costs amortised O(1) per call, not a shift each time.
    if (this.#entries.length > this.#capacity * 1.1) this.#entries.splice(0, this.#entries.length - this.#capacity);
  }

  list(filter: RequestLogFilter = {}): RequestLogEntry[] {
    return this.#entries.filter((entry) => matches(entry, filter)).map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.#entries = [];
  }
}

function matches(entry: RequestLogEntry, filter: RequestLogFilter): boolean {
  if (filter.method !== undefined && entry.method !== filter.method && !entry.method.endsWith(`/${filter.method}`)) {
    return false;
  }
  return filter.resource === undefined || entry.resource === filter.resource;
}

/** The resource a request names, looked up the way Google's routing headers pick it. */
export function resourceOf(request: Record<string, unknown>): string {
  for (const key of ["name", "parent", "resource"]) {
    const value = request[key];
    if (typeof value === "string" && value) return value;
  }
  for (const value of Object.values(request)) {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const name = (value as Record<string, unknown>).name;
      if (typeof name === "string" && name) return name;
    }
  }
  return "";
}
