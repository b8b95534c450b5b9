// Wraps every call to one Google API: client-side token buckets per consumer project under one global
// cap (served fairly across projects), a pause per project after RESOURCE_EXHAUSTED (honouring the
// server's RetryInfo), and a circuit breaker per API that fails fast while the API is unreachable.
// Errors come out as GoogleCallError with their classification, so the reconciler never has to look at
// raw gRPC or HTTP errors.

import { FairRateLimiter } from "../util/fair-limiter.ts";
import { CircuitBreaker, type BreakerState, type CallOutcome } from "./circuit-breaker.ts";
import {
  classifyGoogleError,
  GoogleCallError,
  type CallContext,
  type ClassifiedGoogleError,
  type GoogleApi,
  type RpcCodeName,
} from "./errors.ts";
import { QuotaPauses } from "./quota-pause.ts";

export type { BreakerState };

export interface CallGuardOptions {
  api: GoogleApi;
  /** Client-side call rate per consumer project. Default 5 per second. */
  qps?: number;
  /** Calls one project may make at once after a quiet period. Default 10. */
  burst?: number;
  /** Client-side call rate across all projects. Default: no lower than `qps`. */
  globalQps?: number;
  /** Calls all projects together may make at once after a quiet period. Default: `burst`. */
  globalBurst?: number;
  /** Consecutive UNAVAILABLE / DEADLINE_EXCEEDED answers that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before a probe. Default 30s. */
  halfOpenAfterMs?: number;
  /** First pause after RESOURCE_EXHAUSTED without RetryInfo; doubles per episode step. Default 1s. */
  quotaBackoffBaseMs?: number;
  /** Longest pause after RESOURCE_EXHAUSTED, RetryInfo included. Default 5 minutes. */
  quotaBackoffMaxMs?: number;
  /** Counts every call sent: `code` is "OK" or the gRPC code name of the failure. */
  onRequest?: (api: GoogleApi, method: string, code: RpcCodeName) => void;
  onStateChange?: (api: GoogleApi, state: BreakerState) => void;
  /** A project's quota pause started or escalated (once per episode step) for `pauseMs`. */
  onQuotaPause?: (api: GoogleApi, project: string, pauseMs: number) => void;
  /**
   * The API answers again after trouble: the breaker closed after a successful probe, a project's quota
   * episode ended, or `failureThreshold` calls in a row succeeded after an unreachable answer. Work held
   * back by exponential backoff can go again. `project` is set when only one project recovered.
   */
  onRecovered?: (api: GoogleApi, project?: string) => void;
  now?: () => number;
}

export class CallGuard {
  readonly #api: GoogleApi;
  readonly #limiter: FairRateLimiter;
  readonly #breaker: CircuitBreaker;
  readonly #quota: QuotaPauses;
  readonly #o: CallGuardOptions;
  readonly #now: () => number;
  /** Successes in a row since the last unreachable answer, or undefined while nothing is amiss. */
  #recovering: number | undefined;

  constructor(options: CallGuardOptions) {
    this.#o = options;
    this.#api = options.api;
    this.#now = options.now ?? Date.now;
    const qps = options.qps ?? 5;
    const burst = options.burst ?? 10;
    this.#limiter = new FairRateLimiter({
      qps,
      burst,
      globalQps: options.globalQps ?? qps,
      globalBurst: options.globalBurst ?? burst,
      now: this.#now,
    });
    this.#breaker = new CircuitBreaker({
      failureThreshold: options.failureThreshold,
      halfOpenAfterMs: options.halfOpenAfterMs,
      onStateChange: (state) => options.onStateChange?.(options.api, state),
      now: this.#now,
    });
    this.#quota = new QuotaPauses({ baseMs: options.quotaBackoffBaseMs, maxMs: options.quotaBackoffMaxMs });
  }

  get api(): GoogleApi {
    return this.#api;
  }

  get state(): BreakerState {
    return this.#breaker.state;
  }

  /** Milliseconds left in the project's pause after RESOURCE_EXHAUSTED (0 when its calls flow freely). */
  quotaPauseMs(project = ""): number {
    return this.#quota.remainingMs(project, this.#now());
  }

  /** Projects whose quota pause is in force. */
  pausedProjects(): string[] {
    return this.#quota.paused(this.#now());
  }

  /**
   * Runs `fn` (one Google API call named `method` about `resource`) under the project's rate limit and
   * quota pause and the API's breaker. A project in a quota pause fails fast (retryAfterMs says when to
   * come back) rather than holding a worker that other projects' work could use.
   */
  async call<T>(method: string, fn: () => Promise<T>, resource?: string): Promise<T> {
    const context: CallContext = { api: this.#api, method, ...(resource === undefined ? {} : { resource }) };
    const project = projectOf(resource);
    this.beforeSend(context);
    this.#failIfPaused(context, project);
    await this.#limiter.acquire(project);
    // Waiting for a token takes time: the pause may have begun and leadership may have ended meanwhile.
    this.#failIfPaused(context, project);
    this.beforeSend(context);
    if (!this.#breaker.tryAcquire()) throw this.#circuitOpen(context);

    const sentAt = this.#now();
    const probing = this.#breaker.state === "halfOpen";
    let outcome: CallOutcome = "inconclusive";
    try {
      const result = await fn();
      outcome = "reachable";
      this.#o.onRequest?.(this.#api, method, "OK");
      this.#succeeded(project, probing, sentAt);
      return result;
    } catch (error) {
      const classification = classifyGoogleError(error, context);
      outcome = outcomeOf(classification);
      this.#o.onRequest?.(this.#api, method, classification.code);
      if (classification.reason === "QuotaExceeded") {
        const pause = this.#quota.rejected(project, sentAt, this.#now(), classification.retryAfterMs);
        if (pause.newStep) this.#o.onQuotaPause?.(this.#api, project, pause.pauseMs);
      } else if (outcome === "unreachable") {
        this.#recovering = 0;
      } else if (outcome === "reachable") {
        this.#succeeded(project, probing, sentAt);
      }
      throw new GoogleCallError(classification, context, { cause: error });
    } finally {
      this.#breaker.record(outcome);
    }
  }

  /**
   * Called right before a call leaves, after any wait; throwing refuses the call. Subclasses use it for
   * checks that must hold at the moment of sending (leadership).
   */
  protected beforeSend(context: CallContext): void {
    void context;
  }

  /** The server answered: end the project's quota episode and, after trouble, tell the queue. */
  #succeeded(project: string, probing: boolean, sentAt: number): void {
    if (this.#quota.succeeded(project, sentAt)) this.#o.onRecovered?.(this.#api, project);
    if (this.#recovering === undefined) return;
    this.#recovering += 1;
    if (probing || this.#recovering >= this.#breaker.failureThreshold) {
      this.#recovering = undefined;
      this.#o.onRecovered?.(this.#api);
    }
  }

  #failIfPaused(context: CallContext, project: string): void {
    const pauseMs = this.#quota.remainingMs(project, this.#now());
    if (pauseMs > 0) throw this.#throttled(context, project, pauseMs);
  }

  // Messages below stay the same for as long as the situation does (no countdowns), so a status
  // condition that quotes them is not rewritten on every retry.
  #circuitOpen(context: CallContext): GoogleCallError {
    // While open, come back when the probe is due; while a probe is in flight, back off as usual.
    const probeInMs = this.#breaker.state === "open" ? this.#breaker.retryAfterMs() : 0;
    const classification: ClassifiedGoogleError = {
      reason: "Unavailable",
      code: "UNAVAILABLE",
      retryable: true,
      ...(probeInMs > 0 ? { retryAfterMs: probeInMs } : {}),
      message: `circuit breaker for ${this.#api} is ${this.#breaker.state}`,
      hint:
        `${this.#api} failed ${this.#breaker.failureThreshold} times in a row with UNAVAILABLE or DEADLINE_EXCEEDED; ` +
        `calls fail fast until a probe succeeds (one probe every ${Math.ceil(this.#breaker.halfOpenAfterMs / 1000)}s)`,
    };
    return new GoogleCallError(classification, context);
  }

  #throttled(context: CallContext, project: string, pauseMs: number): GoogleCallError {
    const scope = project ? `project ${project}` : "this API";
    const classification: ClassifiedGoogleError = {
      reason: "QuotaExceeded",
      code: "RESOURCE_EXHAUSTED",
      retryable: true,
      retryAfterMs: pauseMs,
      message: `calls to ${this.#api} for ${scope} are paused after RESOURCE_EXHAUSTED`,
      hint: `Google refused a call for lack of quota; calls for ${scope} wait for the delay Google asked for (RetryInfo) or, without one, a growing pause; raise the quota or lower --qps`,
    };
    return new GoogleCallError(classification, context);
  }
}

/** The consumer project a resource name belongs to ("projects/P/..."); "" when it names none. */
export function projectOf(resource: string | undefined): string {
  const match = /^projects\/([^/\s]+)/.exec(resource ?? "");
  return match?.[1] ?? "";
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
