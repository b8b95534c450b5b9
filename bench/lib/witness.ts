// The simulator's request log as the witness of Google calls: when a call for a resource arrived, how
// many calls of each method a window saw, and how they spread over resources.

import type { RequestLogEntry } from "../../src/sim/core/request-log.ts";
import type { Simulator } from "../../src/sim/simulator.ts";
import { setTimeout as sleep } from "node:timers/promises";

/** A call awaited on `resource`, counted only if it arrived at or after `sinceMs`. */
export interface Awaited {
  resource: string;
  sinceMs: number;
}

export class SimWitness {
  readonly #sim: Simulator;

  constructor(sim: Simulator) {
    this.#sim = sim;
  }

  /** Forgets every logged call, so the next counts cover only what follows. */
  clear(): void {
    this.#sim.control.clearRequests();
  }

  /** Successful calls of `method` (e.g. "UpdateService"), or every call when `method` is omitted. */
  calls(method?: string): RequestLogEntry[] {
    return this.#sim.control.requests(method === undefined ? {} : { method }).filter((e) => e.code === "OK");
  }

  /**
   * For each awaited call, milliseconds from its `sinceMs` to the first successful `method` call on its
   * resource; undefined for those that did not arrive within `timeoutMs`.
   */
  async latencies(method: string, awaited: readonly Awaited[], timeoutMs: number): Promise<Array<number | undefined>> {
    const found = awaited.map((): number | undefined => undefined);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const times = this.#arrivals(method);
      awaited.forEach((a, i) => {
        if (found[i] !== undefined) return;
        const first = times.get(a.resource)?.find((t) => t >= a.sinceMs);
        if (first !== undefined) found[i] = first - a.sinceMs;
      });
      if (found.every((v) => v !== undefined) || Date.now() > deadline) return found;
      await sleep(100);
    }
  }

  /** Successful calls per method name (the last part, e.g. "GetService"). */
  countByMethod(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const entry of this.calls()) {
      const method = entry.method.slice(entry.method.lastIndexOf("/") + 1);
      counts[method] = (counts[method] ?? 0) + 1;
    }
    return counts;
  }

  /** How many successful `method` calls each of `resources` received (0 for none). */
  perResource(method: string, resources: readonly string[]): number[] {
    const counts = new Map(resources.map((r) => [r, 0]));
    for (const entry of this.calls(method)) {
      const count = counts.get(entry.resource);
      if (count !== undefined) counts.set(entry.resource, count + 1);
    }
    return resources.map((r) => counts.get(r) ?? 0);
  }

  #arrivals(method: string): Map<string, number[]> {
    const times = new Map<string, number[]>();
    for (const entry of this.calls(method)) {
      const list = times.get(entry.resource) ?? [];
      list.push(Date.parse(entry.time));
      times.set(entry.resource, list);
    }
    return times;
  }
}
