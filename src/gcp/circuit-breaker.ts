// A consecutive-failure circuit breaker. Hand-written rather than cockatiel's because the outcome we
// need is "did the server answer?": a NOT_FOUND or PERMISSION_DENIED proves the API is reachable and
// must reset the failure count, which cockatiel's error filter cannot express in the closed state.

export type BreakerState = "closed" | "open" | "halfOpen";

/** reachable: the server answered; unreachable: UNAVAILABLE / DEADLINE_EXCEEDED; inconclusive: we cancelled. */
export type CallOutcome = "reachable" | "unreachable" | "inconclusive";

export interface CircuitBreakerOptions {
  /** Consecutive unreachable calls that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe call is let through. Default 30s. */
  halfOpenAfterMs?: number;
  onStateChange?: (state: BreakerState) => void;
  now?: () => number;
}

export class CircuitBreaker {
  readonly #threshold: number;
  readonly #halfOpenAfterMs: number;
  readonly #onStateChange: (state: BreakerState) => void;
  readonly #now: () => number;
  #state: BreakerState = "closed";
  #failures = 0;
  #openedAt = 0;
  #probeInFlight = false;

  constructor(options: CircuitBreakerOptions = {}) {
    this.#threshold = options.failureThreshold ?? 5;
    this.#halfOpenAfterMs = options.halfOpenAfterMs ?? 30_000;
    if (!(Number.isInteger(this.#threshold) && this.#threshold >= 1)) {
      throw new Error(`circuit breaker: failureThreshold must be an integer >= 1, got ${this.#threshold}`);
    }
    if (!(this.#halfOpenAfterMs > 0)) {
      throw new Error(`circuit breaker: halfOpenAfterMs must be a positive number, got ${this.#halfOpenAfterMs}`);
    }
    this.#onStateChange = options.onStateChange ?? (() => undefined);
    this.#now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    return this.#state;
  }

  get failureThreshold(): number {
    return this.#threshold;
  }

  get halfOpenAfterMs(): number {
    return this.#halfOpenAfterMs;
  }

  /** Milliseconds until an open circuit lets a probe through (0 when not open). */
  retryAfterMs(): number {
    return this.#state === "open" ? Math.max(0, this.#openedAt + this.#halfOpenAfterMs - this.#now()) : 0;
  }

  /** Whether a call may go out now. Every true answer must be followed by exactly one record(). */
  tryAcquire(): boolean {
    if (this.#state === "open" && this.retryAfterMs() === 0) this.#moveTo("halfOpen");
    if (this.#state === "closed") return true;
    if (this.#state === "halfOpen" && !this.#probeInFlight) {
      this.#probeInFlight = true;
      return true;
    }
    return false;
  }

  record(outcome: CallOutcome): void {
    const probing = this.#state === "halfOpen";
    this.#probeInFlight = false;
    if (outcome === "inconclusive") return;
    if (outcome === "reachable") {
      this.#failures = 0;
      if (probing) this.#moveTo("closed");
      return;
    }
    this.#failures += 1;
    if (probing || (this.#state === "closed" && this.#failures >= this.#threshold)) {
      this.#openedAt = this.#now();
      this.#moveTo("open");
    }
  }

  #moveTo(state: BreakerState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#onStateChange(state);
  }
}
