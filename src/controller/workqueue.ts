// A work queue with controller-runtime semantics, for object keys such as "namespace/name":
// - a key is queued at most once, however often it is added;
// - a key is handed to at most one worker at a time: added again while in flight, it is marked dirty
//   and queued once more when the worker calls done();
// - delayed adds (the earliest pending delay for a key wins) and rate-limited retries, whose delay is the
//   larger of a per-key exponential backoff and an overall token bucket (controller-runtime's MaxOf), or
//   the server's own retry delay when it gave one;
// - resetBackoff(): once the API a failing key waits for answers again, keys held back by exponential
//   backoff go again at once instead of sitting out a delay that grew during the outage;
// - two priority lanes, so periodic resyncs wait behind real changes and never delay them;
// - every delayed key waits on one timer, and resyncs are due on a coarse grid (resyncGranularityMs), so
//   the checks of thousands of objects start in batches rather than each in a wake-up of its own.

import { DueKeys } from "../util/due-keys.ts";
import { TokenBucket } from "../util/token-bucket.ts";

/** "event" for real changes and retries; "resync" for periodic re-checks that may wait. */
export type Priority = "event" | "resync";

/** Hooks for queue metrics (kept free of any metrics library). Durations are in milliseconds. */
export interface QueueMetrics {
  depth(readyKeys: number): void;
  added(): void;
  retried(): void;
  queueDuration(ms: number): void;
  workDuration(ms: number): void;
}

export interface WorkQueueOptions {
  /** First retry delay of a failing key; doubles per failure. Default 1s. */
  baseDelayMs?: number;
  /** Cap of the per-key backoff. Default 1 minute: never slower than the default resync. */
  maxDelayMs?: number;
  /** Overall retry rate across all keys. Default 10 per second. */
  qps?: number;
  /** Retries that may pass at once before the overall rate applies. Default 100. */
  burst?: number;
  metrics?: Partial<QueueMetrics>;
  /**
   * Delayed resyncs become due at the next multiple of this many milliseconds, or of a tenth of their delay
   * when that is smaller (so no resync is later than its own ±10% jitter band), and those due close together
   * start together. Default 0: exactly when asked.
   */
  resyncGranularityMs?: number;
  /** Milliseconds clock; timers use the global setTimeout (fake timers in tests mock both). */
  now?: () => number;
}

interface PendingDelay {
  readyAt: number;
  priority: Priority;
}

const higher = (a: Priority, b: Priority | undefined): Priority =>
  a === "event" || b === "event" ? "event" : "resync";

export class WorkQueue {
  readonly #lanes: Record<Priority, Set<string>> = { event: new Set(), resync: new Set() };
  readonly #queuedAt = new Map<string, number>();
  readonly #processing = new Map<string, number>();
  readonly #dirty = new Map<string, Priority>();
  readonly #delayed = new Map<string, PendingDelay>();
  readonly #due: DueKeys;
  readonly #resyncGranularityMs: number;
  readonly #failures = new Map<string, number>();
  /** Keys whose pending delay is an exponential backoff (not a resync, not a server-given delay). */
  readonly #backingOff = new Set<string>();
  readonly #getters: Array<(key: string | undefined) => void> = [];
  readonly #drainWaiters: Array<() => void> = [];
  readonly #bucket: TokenBucket;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #metrics: Partial<QueueMetrics>;
  readonly #now: () => number;
  #shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.#baseDelayMs = positive("baseDelayMs", options.baseDelayMs ?? 1000);
    this.#maxDelayMs = positive("maxDelayMs", options.maxDelayMs ?? 60_000);
    if (this.#maxDelayMs < this.#baseDelayMs) {
      throw new Error(`work queue: maxDelayMs (${this.#maxDelayMs}) must be >= baseDelayMs (${this.#baseDelayMs})`);
    }
    this.#now = options.now ?? Date.now;
    this.#bucket = new TokenBucket({ qps: options.qps ?? 10, burst: options.burst ?? 100, now: this.#now });
    this.#metrics = options.metrics ?? {};
    this.#resyncGranularityMs = options.resyncGranularityMs ?? 0;
    if (!(this.#resyncGranularityMs >= 0) || !Number.isFinite(this.#resyncGranularityMs)) {
      throw new Error(`work queue: resyncGranularityMs must be 0 or more, got ${this.#resyncGranularityMs}`);
    }
    this.#due = new DueKeys((keys) => keys.forEach((key) => this.#fire(key)), this.#now);
  }

  /** Queues a key for a real change (high priority). */
  add(key: string): void {
    this.#enqueue(key, "event");
  }

  /** Queues a key for a periodic re-check; it waits behind every "event" key. */
  addResync(key: string): void {
    this.#enqueue(key, "resync");
  }

  /** Queues a key once `delayMs` has passed; if the key already waits for an earlier time, that one stays. */
  addAfter(key: string, delayMs: number, priority: Priority = "event"): void {
    if (this.#shuttingDown) return;
    if (!(delayMs > 0)) {
      this.#enqueue(key, priority);
      return;
    }
    const grid = priority === "resync" ? Math.floor(Math.min(this.#resyncGranularityMs, delayMs / 10)) : 0;
    const exact = this.#now() + delayMs;
    const readyAt = grid > 0 ? Math.ceil(exact / grid) * grid : exact;
    const pending = this.#delayed.get(key);
    if (pending && pending.readyAt <= readyAt) {
      pending.priority = higher(priority, pending.priority);
      return;
    }
    this.#delayed.set(key, { readyAt, priority: higher(priority, pending?.priority) });
    this.#due.schedule(key, readyAt);
  }

  /**
   * Queues a failed key after max(per-key exponential backoff, overall token-bucket delay). With
   * `retryAfterMs` (the server, or a quota pause, said when to come back) that delay is used as given and
   * the key's backoff does not grow: waiting out a pause is not a failure of the key.
   */
  addRateLimited(key: string, retryAfterMs?: number): void {
    if (this.#shuttingDown) return;
    this.#metrics.retried?.();
    if (retryAfterMs !== undefined && retryAfterMs > 0) {
      this.addAfter(key, Math.max(retryAfterMs, this.#bucket.reserve()), "event");
      return;
    }
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    const backoff = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** failures);
    this.addAfter(key, Math.max(backoff, this.#bucket.reserve()), "event");
    if (this.#delayed.has(key)) this.#backingOff.add(key);
  }

  /** Clears a key's failure count (call after a successful reconcile). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /**
   * Forgets every failure count and queues at once the keys waiting out an exponential backoff; returns
   * how many were queued. Called when the API they failed on answers again.
   */
  resetBackoff(): number {
    if (this.#shuttingDown) return 0;
    this.#failures.clear();
    const keys = [...this.#backingOff];
    this.#backingOff.clear();
    for (const key of keys) {
      const pending = this.#delayed.get(key);
      if (!pending) continue;
      this.#due.cancel(key);
      this.#delayed.delete(key);
      this.#enqueue(key, pending.priority);
    }
    return keys.length;
  }

  /** How many times the key has been retried since the last forget(). */
  numRequeues(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Resolves with the next key to work on, or undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const key = this.#take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** Marks a key's work finished; a key added meanwhile is queued again now. */
  done(key: string): void {
    const startedAt = this.#processing.get(key);
    if (startedAt === undefined) return;
    this.#processing.delete(key);
    this.#metrics.workDuration?.(this.#now() - startedAt);
    const dirtyPriority = this.#dirty.get(key);
    this.#dirty.delete(key);
    if (dirtyPriority !== undefined) this.#enqueue(key, dirtyPriority);
    if (this.#processing.size === 0) this.#drainWaiters.splice(0).forEach((resolve) => resolve());
  }

  /** Keys ready to be handed out (not counting delayed or in-flight keys). */
  len(): number {
    return this.#lanes.event.size + this.#lanes.resync.size;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /**
   * Stops the queue at once: pending get() calls resolve undefined, queued and delayed keys are dropped
   * (a restarted controller relists everything), and later adds are ignored.
   */
  shutDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    this.#due.clear();
    this.#delayed.clear();
    this.#backingOff.clear();
    this.#lanes.event.clear();
    this.#lanes.resync.clear();
    this.#queuedAt.clear();
    this.#dirty.clear();
    this.#metrics.depth?.(0);
    this.#getters.splice(0).forEach((resolve) => resolve(undefined));
  }

  /** Like shutDown(), then resolves once every key already handed to a worker has been done(). */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #fire(key: string): void {
    const pending = this.#delayed.get(key);
    if (!pending) return;
    this.#delayed.delete(key);
    this.#backingOff.delete(key);
    this.#enqueue(key, pending.priority);
  }

  #enqueue(key: string, priority: Priority): void {
    if (this.#shuttingDown) return;
    if (this.#processing.has(key)) {
      this.#dirty.set(key, higher(priority, this.#dirty.get(key)));
      return;
    }
    if (this.#lanes.event.has(key)) return;
    if (this.#lanes.resync.has(key)) {
      if (priority === "event") {
        this.#lanes.resync.delete(key);
        this.#lanes.event.add(key);
      }
      return;
    }
    this.#lanes[priority].add(key);
    this.#queuedAt.set(key, this.#now());
    this.#metrics.added?.();
    this.#metrics.depth?.(this.len());
    this.#handOut();
  }

  #handOut(): void {
    while (this.#getters.length > 0 && this.len() > 0) {
      const key = this.#take();
      const getter = this.#getters.shift();
      if (key !== undefined && getter) getter(key);
    }
  }

  #take(): string | undefined {
    const lane = this.#lanes.event.size > 0 ? this.#lanes.event : this.#lanes.resync;
    const key = lane.values().next().value;
    if (key === undefined) return undefined;
    lane.delete(key);
    const now = this.#now();
    this.#metrics.queueDuration?.(now - (this.#queuedAt.get(key) ?? now));
    this.#queuedAt.delete(key);
    this.#processing.set(key, now);
    this.#metrics.depth?.(this.len());
    return key;
  }
}

function positive(field: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new Error(`work queue: ${field} must be a positive number of milliseconds, got ${value}`);
  }
  return value;
}
