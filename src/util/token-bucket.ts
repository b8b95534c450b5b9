// A token bucket that hands out reservations, like Go's rate.Limiter.Reserve(): every call takes one
// token now and says how long the caller must wait for it. Tokens may go negative, so callers that
// arrive during a burst queue up behind each other instead of all retrying at the same instant.

export interface TokenBucketOptions {
  /** Tokens added per second; must be > 0. */
  qps: number;
  /** Bucket size: how many calls may pass at once after a quiet period; must be >= 1. */
  burst: number;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
}

export class TokenBucket {
  readonly #qps: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.qps > 0) || !Number.isFinite(options.qps)) {
      throw new Error(`token bucket: qps must be a positive number, got ${options.qps}`);
    }
    if (!(options.burst >= 1) || !Number.isInteger(options.burst)) {
      throw new Error(`token bucket: burst must be an integer >= 1, got ${options.burst}`);
    }
    this.#qps = options.qps;
    this.#burst = options.burst;
    this.#now = options.now ?? Date.now;
    this.#tokens = options.burst;
    this.#updatedAt = this.#now();
  }

  /** Takes one token and returns how many milliseconds the caller must wait before using it. */
  reserve(): number {
    this.#refill();
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.#qps) * 1000);
  }

  /** Takes one token if a whole one is available now; never goes into debt. */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until a whole token is available (0 when one is available now). */
  msUntilToken(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) / this.#qps) * 1000);
  }

  /** Tokens available right now (negative while reservations are outstanding). */
  available(): number {
    this.#refill();
    return this.#tokens;
  }

  #refill(): void {
    const now = this.#now();
    const elapsedSeconds = Math.max(0, now - this.#updatedAt) / 1000;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsedSeconds * this.#qps);
    this.#updatedAt = now;
  }
}
