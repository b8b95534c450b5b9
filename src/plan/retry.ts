// How a plan retries a read that failed transiently (Google unavailable, a timeout, a quota pause): a few
// attempts with doubling delays, all within a total bound, so a CI job neither gives up on one dropped
// call nor hangs on an outage. Google's RetryInfo is honoured when it fits in what is left of the bound.

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Delay before the second attempt; each further one doubles it. */
  baseDelayMs: number;
  /** Time spent waiting between attempts may not exceed this. */
  maxTotalMs: number;
}

export const DEFAULT_PLAN_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 1_000, maxTotalMs: 20_000 };

export interface Transience {
  retryable: boolean;
  /** The server's own retry delay (google.rpc.RetryInfo, Retry-After). */
  retryAfterMs?: number;
}

export type Attempted<T> =
  { ok: true; value: T; attempts: number } | { ok: false; error: unknown; attempts: number; waitedMs: number };

/** The wait before the next attempt, or undefined when the policy says to stop. */
export function nextDelay(policy: RetryPolicy, failed: number, waitedMs: number, retryAfterMs = 0): number | undefined {
  if (failed >= policy.attempts) return undefined;
  const delay = Math.max(policy.baseDelayMs * 2 ** (failed - 1), retryAfterMs);
  return waitedMs + delay <= policy.maxTotalMs ? delay : undefined;
}

export async function withRetry<T>(
  call: () => Promise<T>,
  classify: (err: unknown) => Transience,
  policy: RetryPolicy = DEFAULT_PLAN_RETRY,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<Attempted<T>> {
  let waitedMs = 0;
  for (let attempts = 1; ; attempts++) {
    try {
      return { ok: true, value: await call(), attempts };
    } catch (error) {
      const transience = classify(error);
      const delay = transience.retryable ? nextDelay(policy, attempts, waitedMs, transience.retryAfterMs) : undefined;
      if (delay === undefined) return { ok: false, error, attempts, waitedMs };
      await sleep(delay);
      waitedMs += delay;
    }
  }
}
