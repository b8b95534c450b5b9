// Wraps every call to one Google API: a client-side token bucket, a pause for the whole API after
// RESOURCE_EXHAUSTED (honouring the server's RetryInfo), and a circuit breaker that fails fast while
// the API is unreachable. Errors come out as GoogleCallError with their classification, so the
// reconciler never has to look at raw gRPC or HTTP errors.

import { TokenBucket } from "../util/token-bucket.ts";
import { CircuitBreaker, type BreakerState, type CallOutcome } from "./circuit-breaker.ts";
import {
  classifyGoogleError,
  GoogleCallError,
  type CallContext,
  type ClassifiedGoogleError,
  type GoogleApi,
  type RpcCodeName,
} from "./errors.ts";

export type { BreakerState };

export interface CallGuardOptions {
  api: GoogleApi;
  /** Client-side call rate. Default 5 per second. */
  qps?: number;
  /** Calls that may go out at once after a quiet period. Default 10. */
  burst?: number;
  /** Consecutive UNAVAILABLE / DEADLINE_EXCEEDED answers that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before a probe. Default 30s. */
  halfOpenAfterMs?: number;
  /** First pause after RESOURCE_EXHAUSTED; doubles while quota errors continue. Default 1s. */
  quotaBackoffBaseMs?: number;
  /** Longest pause after RESOURCE_EXHAUSTED. Default 5 minutes. */
  quotaBackoffMaxMs?: number;
  /** A call that would have to wait longer than this for a quota pause fails fast instead. Default 10s. */
  maxWaitMs?: number;
  /** Counts every call sent: `code` is "OK" or the gRPC code name of the failure. */
  onRequest?: (api: GoogleApi, method: string, code: RpcCodeName) => void;
  onStateChange?: (api: GoogleApi, state: BreakerState) => void;
  now?: () => number;
}

export class CallGuard {
  readonly #api: GoogleApi;
  readonly #bucket: TokenBucket;
  readonly #breaker: CircuitBreaker;
  readonly #quotaBaseMs: number;
  readonly #quotaMaxMs: number;
  readonly #maxWaitMs: number;
  readonly #onRequest: NonNullable<CallGuardOptions["onRequest"]>;
  readonly #now: () => number;
  #quotaStrikes = 0;
  #pausedUntil = 0;

  constructor(options: CallGuardOptions) {
    this.#api = options.api;
    this.#now = options.now ?? Date.now;
    this.#bucket = new TokenBucket({ qps: options.qps ?? 5, burst: options.burst ?? 10, now: this.#now });
    this.#breaker = new CircuitBreaker({
      failureThreshold: options.failureThreshold,
      halfOpenAfterMs: options.halfOpenAfterMs,
      onStateChange: (state) => options.onStateChange?.(options.api, state),
      now: this.#now,
    });
    this.#quotaBaseMs = options.quotaBackoffBaseMs ?? 1000;
    this.#quotaMaxMs = options.quotaBackoffMaxMs ?? 5 * 60_000;
    this.#maxWaitMs = options.maxWaitMs ?? 10_000;
    this.#onRequest = options.onRequest ?? (() => undefined);
  }

  get api(): GoogleApi {
    return this.#api;
  }

  get state(): BreakerState {
    return this.#breaker.state;
  }

  /** Milliseconds left in the pause that follows RESOURCE_EXHAUSTED (0 when calls flow freely). */
  quotaPauseMs(): number {
    return Math.max(0, this.#pausedUntil - this.#now());
  }

  /** Runs `fn` (one Google API call named `method`) under the rate limit, quota pause and breaker. */
  async call<T>(method: string, fn: () => Promise<T>, resource?: string): Promise<T> {
    const context: CallContext = { api: this.#api, method, ...(resource === undefined ? {} : { resource }) };
    const pause = this.quotaPauseMs();
    if (pause > this.#maxWaitMs) throw this.#throttled(context, pause);
    await sleep(Math.max(pause, this.#bucket.reserve()));
    if (!this.#breaker.tryAcquire()) throw this.#circuitOpen(context);

    let outcome: CallOutcome = "inconclusive";
    try {
      const result = await fn();
      outcome = "reachable";
      this.#quotaStrikes = 0;
      this.#onRequest(this.#api, method, "OK");
      return result;
    } catch (error) {
      const classification = classifyGoogleError(error, context);
      outcome = outcomeOf(classification);
      this.#onRequest(this.#api, method, classification.code);
      if (classification.reason === "QuotaExceeded") this.#pauseForQuota(classification.retryAfterMs);
      throw new GoogleCallError(classification, context, { cause: error });
    } finally {
      this.#breaker.record(outcome);
    }
  }

  #pauseForQuota(retryAfterMs: number | undefined): void {
    const backoff = Math.min(this.#quotaMaxMs, this.#quotaBaseMs * 2 ** this.#quotaStrikes);
    this.#quotaStrikes += 1;
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + Math.max(backoff, retryAfterMs ?? 0));
  }

  #circuitOpen(context: CallContext): GoogleCallError {
    const waitMs = this.#breaker.retryAfterMs();
    const classification: ClassifiedGoogleError = {
      reason: "Unavailable",
      code: "UNAVAILABLE",
      retryable: true,
      retryAfterMs: waitMs,
      message: `circuit breaker for ${this.#api} is ${this.#breaker.state}`,
      hint:
        `${this.#api} failed ${this.#breaker.failureThreshold} times in a row with UNAVAILABLE or DEADLINE_EXCEEDED; ` +
        `calls fail fast until a probe succeeds (next probe in ${Math.ceil(waitMs / 1000)}s)`,
    };
    return new GoogleCallError(classification, context);
  }

  #throttled(context: CallContext, pauseMs: number): GoogleCallError {
    const classification: ClassifiedGoogleError = {
      reason: "QuotaExceeded",
      code: "RESOURCE_EXHAUSTED",
      retryable: true,
      retryAfterMs: pauseMs,
      message: `calls to ${this.#api} are paused after RESOURCE_EXHAUSTED`,
      hint: `quota exhausted earlier; calls to this API back off for ${Math.ceil(pauseMs / 1000)}s more; raise the quota or lower the call rate`,
    };
    return new GoogleCallError(classification, context);
  }
}

function outcomeOf(classification: ClassifiedGoogleError): CallOutcome {
  if (classification.code === "UNAVAILABLE" || classification.code === "DEADLINE_EXCEEDED") return "unreachable";
  if (classification.code === "CANCELLED" || !isServerAnswer(classification)) return "inconclusive";
  return "reachable";
}

/** Errors that did not come from Google (e.g. a bug before the request) say nothing about reachability. */
function isServerAnswer(classification: ClassifiedGoogleError): boolean {
  return !(classification.reason === "Unknown" && !classification.retryable);
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
