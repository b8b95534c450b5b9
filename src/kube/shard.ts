// Sharding across replicas: objects are split into N shards by a hash of their namespace, and each shard
// has its own coordination.k8s.io/v1 Lease, elected exactly like the single leader Lease (leader.ts). A
// replica leads at most one shard: with a fixed index it contends for that shard's Lease only (a second
// replica with the same index is its standby); without one it contends for every shard's Lease, keeps the
// first it wins and stops contending for the rest, so spare replicas stand by for whichever shard is lost.
// Like the leader elector, a replica that loses its shard's Lease stops leading for good (and exits).

import type { Logger } from "pino";
import { LeaderElector, type LeaderElectionOptions } from "./leader.ts";

/** What the controller needs of an elector; LeaderElector and ShardElector both are one. */
export type Elector = Pick<LeaderElector, "identity" | "isLeader" | "apiSilentForMs" | "onChange" | "start" | "stop">;

/** The shard of a namespace: FNV-1a (32 bit) of its name, modulo the shard count. Stable across versions. */
export function shardOf(namespace: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < namespace.length; i++) {
    hash ^= namespace.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** The Lease of one shard. The count is part of the name, so replicas that disagree on it never share a Lease. */
export function shardLeaseName(base: string, index: number, shards: number): string {
  return `${base}-shard-${index}-of-${shards}`;
}

export interface ShardElectionOptions extends Omit<LeaderElectionOptions, "name" | "log"> {
  /** The base name of the Leases; shard i's Lease is shardLeaseName(base, i, shards). */
  name: string;
  shards: number;
  /** The one shard to contend for; every shard when undefined. */
  index?: number;
  log: Logger;
}

export class ShardElector implements Elector {
  readonly #o: ShardElectionOptions;
  readonly #candidates: Array<{ index: number; elector: LeaderElector }>;
  readonly #listeners = new Set<(leading: boolean) => void>();
  #won: { index: number; elector: LeaderElector } | undefined;

  constructor(options: ShardElectionOptions) {
    const { shards, index } = options;
    if (!Number.isInteger(shards) || shards < 1)
      throw new RangeError(`shards must be a whole number ≥ 1, got ${shards}`);
    if (index !== undefined && (!Number.isInteger(index) || index < 0 || index >= shards)) {
      throw new RangeError(`shard index must be a whole number from 0 to ${shards - 1}, got ${index}`);
    }
    this.#o = options;
    const indexes = index === undefined ? Array.from({ length: shards }, (_, i) => i) : [index];
    this.#candidates = indexes.map((i) => ({
      index: i,
      elector: new LeaderElector({
        ...options,
        name: shardLeaseName(options.name, i, shards),
        log: options.log.child({ shard: i }),
      }),
    }));
  }

  get identity(): string {
    return this.#o.identity;
  }

  get shards(): number {
    return this.#o.shards;
  }

  /** The shard this replica leads (or led), once it won one. */
  get index(): number | undefined {
    return this.#won?.index;
  }

  /**
   * Whether `namespace` belongs to the shard this replica won. Not judged by the clock: writes are gated by
   * isLeader(), and an object must not look deleted for a moment because a renewal is late.
   */
  owns(namespace: string): boolean {
    return this.#won !== undefined && shardOf(namespace, this.#o.shards) === this.#won.index;
  }

  isLeader(): boolean {
    return this.#won?.elector.isLeader() ?? false;
  }

  apiSilentForMs(): number {
    return Math.min(...this.#candidates.map((c) => c.elector.apiSilentForMs()));
  }

  onChange(listener: (leading: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    for (const candidate of this.#candidates) {
      candidate.elector.onChange((leading) => this.#changed(candidate, leading));
      candidate.elector.start();
    }
  }

  async stop(options: { release?: boolean } = {}): Promise<void> {
    await Promise.all(this.#candidates.map((c) => c.elector.stop(options)));
  }

  #changed(candidate: { index: number; elector: LeaderElector }, leading: boolean): void {
    if (leading && this.#won === undefined) {
      this.#won = candidate;
      this.#o.log.info({ shard: candidate.index, shards: this.#o.shards }, "leading shard");
      // One shard per replica: hand back anything else won meanwhile and stop contending.
      for (const other of this.#candidates) {
        if (other !== candidate) void other.elector.stop();
      }
      for (const listener of this.#listeners) listener(true);
    } else if (leading) {
      void candidate.elector.stop();
    } else if (candidate === this.#won) {
      for (const listener of this.#listeners) listener(false);
    }
  }
}
