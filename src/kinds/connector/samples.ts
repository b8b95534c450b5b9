// Recent utilization samples per object key, kept in memory just long enough for the stabilization
// window. Bounded in keys and samples; after a restart the window simply refills, and the autoscaler
// holds until it has.

import type { UtilizationSample } from "../../autoscale/window.ts";

interface Entry {
  samples: UtilizationSample[];
  /** When Monitoring was last read for this key (on the controller's clock). */
  lastReadAt: number;
}

export interface SampleStoreOptions {
  /** Keys kept at most; the least recently read goes first. Default 10,000. */
  maxKeys?: number;
  /** Samples kept per key at most; the oldest go first. Default 1,000. */
  maxSamples?: number;
}

export class SampleStore {
  readonly #entries = new Map<string, Entry>();
  readonly #maxKeys: number;
  readonly #maxSamples: number;

  constructor(options: SampleStoreOptions = {}) {
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#maxSamples = options.maxSamples ?? 1_000;
  }

  /** Milliseconds since Monitoring was last read for `key`; Infinity when never. */
  sinceLastRead(key: string, now: number): number {
    const entry = this.#entries.get(key);
    return entry ? now - entry.lastReadAt : Infinity;
  }

  /** Notes a read at `now` and adds its sample, if any; drops samples older than `keepSince`. */
  record(key: string, now: number, sample: UtilizationSample | undefined, keepSince: number): void {
    const entry = this.#entries.get(key) ?? { samples: [], lastReadAt: now };
    this.#entries.delete(key);
    entry.lastReadAt = now;
    if (sample) entry.samples.push(sample);
    // Keep the newest sample at or before `keepSince`: it stands for the load at the window's start.
    const anchor = entry.samples.findLastIndex((s) => s.at <= keepSince);
    entry.samples = entry.samples.slice(Math.max(anchor, 0)).slice(-this.#maxSamples);
    this.#entries.set(key, entry);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxKeys) break;
      this.#entries.delete(oldest);
    }
  }

  samples(key: string): readonly UtilizationSample[] {
    return this.#entries.get(key)?.samples ?? [];
  }

  /** Forgets the samples (not the read time): after a resize they describe a connector that is gone. */
  clearSamples(key: string): void {
    const entry = this.#entries.get(key);
    if (entry) entry.samples = [];
  }
}
