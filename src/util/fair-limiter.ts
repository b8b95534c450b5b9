// A rate limiter shared by many flows (Google consumer projects): each flow has its own token bucket
// (Google's quotas are per project), all flows share one global bucket (the process's own cap), and
// waiting flows are served round-robin, so a project with a hundred calls queued cannot push another
// project's single call behind all of them. Waiters within one flow keep their order.

import { TokenBucket } from "./token-bucket.ts";

/** At most this long between dispatches of waiting calls (see #granularityMs). */
const DISPATCH_GRANULARITY_MS = 50;

export interface FairRateLimiterOptions {
  /** Calls per second per flow. */
  qps: number;
  /** Calls one flow may make at once after a quiet period. */
  burst: number;
  /** Calls per second across all flows. */
  globalQps: number;
  /** Calls all flows together may make at once after a quiet period. */
  globalBurst: number;
  now?: () => number;
}

interface Flow {
  bucket: TokenBucket;
  waiters: Array<() => void>;
}

export class FairRateLimiter {
  readonly #o: Required<FairRateLimiterOptions>;
  readonly #global: TokenBucket;
  readonly #flows = new Map<string, Flow>();
  /** Flows with waiters, in the order they are served; the head is served next. */
  #ring: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  /**
   * The shortest sleep between two dispatches: waiters are released a few at a time, not each on a wake-up
   * of its own (at 100 calls/s, waking for every token costs more CPU than the calls). Never longer than
   * either bucket takes to fill, so no token is lost to a full bucket and the rate holds.
   */
  readonly #granularityMs: number;

  constructor(options: FairRateLimiterOptions) {
    this.#o = { now: Date.now, ...options };
    const fillMs = (burst: number, qps: number) => (burst / qps) * 1000;
    this.#granularityMs = Math.max(
      1,
      Math.min(
        DISPATCH_GRANULARITY_MS,
        fillMs(options.burst, options.qps),
        fillMs(options.globalBurst, options.globalQps),
      ),
    );
    this.#global = new TokenBucket({ qps: options.globalQps, burst: options.globalBurst, now: this.#o.now });
  }

  /** Resolves once a call for `flow` may go out. */
  acquire(flow: string): Promise<void> {
    const state = this.#flow(flow);
    if (state.waiters.length === 0 && this.#ring.length === 0 && this.#takeBoth(state)) return Promise.resolve();
    return new Promise((resolve) => {
      state.waiters.push(resolve);
      if (!this.#ring.includes(flow)) this.#ring.push(flow);
      this.#dispatch();
    });
  }

  /** Calls waiting, for one flow or in total. */
  waiting(flow?: string): number {
    if (flow !== undefined) return this.#flows.get(flow)?.waiters.length ?? 0;
    let total = 0;
    for (const state of this.#flows.values()) total += state.waiters.length;
    return total;
  }

  #flow(flow: string): Flow {
    let state = this.#flows.get(flow);
    if (!state) {
      state = { bucket: new TokenBucket({ qps: this.#o.qps, burst: this.#o.burst, now: this.#o.now }), waiters: [] };
      this.#flows.set(flow, state);
    }
    return state;
  }

  #takeBoth(state: Flow): boolean {
    if (state.bucket.msUntilToken() > 0 || this.#global.msUntilToken() > 0) return false;
    return state.bucket.tryTake() && this.#global.tryTake();
  }

  /** Serves waiting flows round-robin while tokens last, then sleeps until the next token is due. */
  #dispatch(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    let idle = 0;
    while (this.#ring.length > 0 && idle < this.#ring.length && this.#global.msUntilToken() === 0) {
      const name = this.#ring.shift() as string;
      const state = this.#flow(name);
      if (this.#takeBoth(state)) {
        state.waiters.shift()?.();
        idle = 0;
      } else {
        idle += 1;
      }
      if (state.waiters.length > 0) this.#ring.push(name);
    }
    if (this.#ring.length === 0) return;
    const waitMs = Math.max(
      this.#global.msUntilToken(),
      Math.min(...this.#ring.map((name) => this.#flow(name).bucket.msUntilToken())),
    );
    // Not unref'd: a caller awaiting a token must keep the process alive until it gets one.
    this.#timer = setTimeout(() => this.#dispatch(), Math.max(this.#granularityMs, waitMs));
  }
}
