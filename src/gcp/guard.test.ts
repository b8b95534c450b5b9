import { GoogleError } from "google-gax";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CircuitBreaker } from "./circuit-breaker.ts";
import { GoogleCallError, type RpcCodeName } from "./errors.ts";
import { CallGuard, type BreakerState, type CallGuardOptions } from "./guard.ts";

function googleError(status: RpcCodeName, httpCode: number, retryDelay?: string): GoogleError {
  const details = retryDelay ? [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay }] : [];
  return GoogleError.parseHttpError({ error: { code: httpCode, status, message: `${status} from server`, details } });
}
const unavailable = () => googleError("UNAVAILABLE", 503);
const notFound = () => googleError("NOT_FOUND", 404);

function makeGuard(options: Partial<CallGuardOptions> = {}) {
  const requests: string[] = [];
  const states: BreakerState[] = [];
  const guard = new CallGuard({
    api: "run",
    qps: 1000,
    burst: 1000,
    onRequest: (api, method, code) => requests.push(`${api}.${method}:${code}`),
    onStateChange: (_api, state) => states.push(state),
    ...options,
  });
  return { guard, requests, states };
}

/** Starts a guarded call and records when `fn` actually ran and how the call settled. */
function track<T>(guard: CallGuard, fn: () => Promise<T>) {
  const record: { ranAt?: number; value?: T; error?: unknown; settled: boolean } = { settled: false };
  const promise = guard.call("getService", () => {
    record.ranAt = Date.now();
    return fn();
  });
  promise.then(
    (value) => Object.assign(record, { value, settled: true }),
    (error: unknown) => Object.assign(record, { error, settled: true }),
  );
  return record;
}

/** Runs a guarded call and returns the GoogleCallError it must reject with. */
async function rejection(call: Promise<unknown>): Promise<GoogleCallError> {
  const caught = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(caught).toBeInstanceOf(GoogleCallError);
  return caught as GoogleCallError;
}

async function callError(guard: CallGuard, error: unknown): Promise<GoogleCallError> {
  return rejection(guard.call("getService", () => Promise.reject(error as Error)));
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("CallGuard results and errors", () => {
  it("returns the call's result and counts it as OK", async () => {
    const { guard, requests } = makeGuard();
    await expect(guard.call("getService", () => Promise.resolve(42))).resolves.toBe(42);
    expect(requests).toEqual(["run.getService:OK"]);
  });

  it("wraps failures in a classified GoogleCallError with the original as cause", async () => {
    const { guard, requests } = makeGuard();
    const original = googleError("PERMISSION_DENIED", 403);
    const callError = await rejection(
      guard.call("updateService", () => Promise.reject(original), "projects/p/locations/l/services/s"),
    );
    expect(callError.cause).toBe(original);
    expect(callError.classification).toMatchObject({ reason: "PermissionDenied", permission: "run.services.update" });
    expect(callError.context).toEqual({
      api: "run",
      method: "updateService",
      resource: "projects/p/locations/l/services/s",
    });
    expect(requests).toEqual(["run.updateService:PERMISSION_DENIED"]);
  });
});

describe("CallGuard rate limit", () => {
  it("spaces calls past the burst at the configured rate", async () => {
    const { guard } = makeGuard({ qps: 2, burst: 1 });
    const calls = [
      track(guard, () => Promise.resolve(1)),
      track(guard, () => Promise.resolve(2)),
      track(guard, () => Promise.resolve(3)),
    ];
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls.map((c) => c.ranAt)).toEqual([0, 500, 1000]);
  });
});

describe("CallGuard quota pause", () => {
  it("fails calls fast for the server's RetryInfo delay, saying when to come back", async () => {
    const { guard, requests } = makeGuard();
    const error = await callError(guard, googleError("RESOURCE_EXHAUSTED", 429, "3s"));
    expect(error.classification).toMatchObject({ reason: "QuotaExceeded", retryAfterMs: 3000 });
    expect(guard.quotaPauseMs()).toBe(3000);
    await vi.advanceTimersByTimeAsync(1000);
    const fn = vi.fn(() => Promise.resolve("never"));
    const paused = await rejection(guard.call("getService", fn));
    expect(fn).not.toHaveBeenCalled();
    expect(paused.classification).toMatchObject({ reason: "QuotaExceeded", retryAfterMs: 2000, retryable: true });
    await vi.advanceTimersByTimeAsync(2000);
    await expect(guard.call("getService", () => Promise.resolve("ok"))).resolves.toBe("ok");
    expect(requests).toEqual(["run.getService:RESOURCE_EXHAUSTED", "run.getService:OK"]);
  });

  it("doubles the pause without RetryInfo while quota errors continue and resets after a success", async () => {
    const { guard } = makeGuard({ quotaBackoffBaseMs: 1000 });
    await callError(guard, googleError("RESOURCE_EXHAUSTED", 429));
    expect(guard.quotaPauseMs()).toBe(1000);
    await vi.advanceTimersByTimeAsync(1000);
    await callError(guard, googleError("RESOURCE_EXHAUSTED", 429));
    expect(guard.quotaPauseMs()).toBe(2000);
    await vi.advanceTimersByTimeAsync(2000);
    await expect(guard.call("getService", () => Promise.resolve("ok"))).resolves.toBe("ok");
    await callError(guard, googleError("RESOURCE_EXHAUSTED", 429));
    expect(guard.quotaPauseMs()).toBe(1000);
  });

  it("keeps its messages the same while the situation is the same", async () => {
    const { guard } = makeGuard();
    const quota = googleError("RESOURCE_EXHAUSTED", 429, "30s");
    await rejection(guard.call("getService", () => Promise.reject(quota), "projects/a/x"));
    const first = await rejection(guard.call("getService", () => Promise.resolve(1), "projects/a/x"));
    await vi.advanceTimersByTimeAsync(7_000);
    const later = await rejection(guard.call("getService", () => Promise.resolve(1), "projects/a/x"));
    expect(later.message).toBe(first.message);
    expect(later.classification.hint).toBe(first.classification.hint);
  });
});

describe("CallGuard circuit breaker", () => {
  it("opens after consecutive UNAVAILABLE / DEADLINE_EXCEEDED answers and then fails fast", async () => {
    const { guard, states, requests } = makeGuard({ failureThreshold: 3, halfOpenAfterMs: 30_000 });
    await callError(guard, unavailable());
    await callError(guard, googleError("DEADLINE_EXCEEDED", 504));
    expect(guard.state).toBe("closed");
    await callError(guard, unavailable());
    expect(guard.state).toBe("open");
    expect(states).toEqual(["open"]);
    await vi.advanceTimersByTimeAsync(10_000);
    const fn = vi.fn(() => Promise.resolve("never"));
    const error = await rejection(guard.call("getService", fn));
    expect(fn).not.toHaveBeenCalled();
    expect(error.classification).toMatchObject({
      reason: "Unavailable",
      code: "UNAVAILABLE",
      retryable: true,
      retryAfterMs: 20_000,
    });
    expect(error.classification.hint).toMatch(/run failed 3 times in a row .*\(one probe every 30s\)/);
    expect(requests).toHaveLength(3);
  });

  it("resets the failure count when the server answers with any other error", async () => {
    const { guard } = makeGuard({ failureThreshold: 2 });
    await callError(guard, unavailable());
    await callError(guard, notFound());
    await callError(guard, unavailable());
    expect(guard.state).toBe("closed");
  });

  it("lets one probe through after halfOpenAfter and closes when it succeeds", async () => {
    const { guard, states } = makeGuard({ failureThreshold: 1, halfOpenAfterMs: 5000 });
    await callError(guard, unavailable());
    await vi.advanceTimersByTimeAsync(5000);
    let finishProbe: (value: string) => void = () => undefined;
    const probe = track(guard, () => new Promise<string>((resolve) => (finishProbe = resolve)));
    await vi.advanceTimersByTimeAsync(0);
    expect(guard.state).toBe("halfOpen");
    const concurrent = track(guard, () => Promise.resolve("too early"));
    await vi.advanceTimersByTimeAsync(0);
    expect(concurrent.ranAt).toBeUndefined();
    expect((concurrent.error as GoogleCallError).classification.reason).toBe("Unavailable");
    finishProbe("ok");
    await vi.advanceTimersByTimeAsync(0);
    expect(probe.value).toBe("ok");
    expect(guard.state).toBe("closed");
    expect(states).toEqual(["open", "halfOpen", "closed"]);
  });

  it("re-opens when the probe fails and waits the full interval again", async () => {
    const { guard, states } = makeGuard({ failureThreshold: 1, halfOpenAfterMs: 5000 });
    await callError(guard, unavailable());
    await vi.advanceTimersByTimeAsync(5000);
    await callError(guard, unavailable());
    expect(guard.state).toBe("open");
    expect(states).toEqual(["open", "halfOpen", "open"]);
    await vi.advanceTimersByTimeAsync(4999);
    const early = await callError(guard, notFound());
    expect(early.classification.message).toMatch(/circuit breaker for run is open/);
  });

  it("closes on a probe answered with a non-availability error, since the API is reachable", async () => {
    const { guard } = makeGuard({ failureThreshold: 1, halfOpenAfterMs: 1000 });
    await callError(guard, unavailable());
    await vi.advanceTimersByTimeAsync(1000);
    await callError(guard, notFound());
    expect(guard.state).toBe("closed");
  });

  it("stays half-open after a cancelled or non-Google probe so the next call probes again", async () => {
    const { guard } = makeGuard({ failureThreshold: 1, halfOpenAfterMs: 1000 });
    await callError(guard, unavailable());
    await vi.advanceTimersByTimeAsync(1000);
    await callError(guard, new DOMException("aborted", "AbortError"));
    expect(guard.state).toBe("halfOpen");
    await callError(guard, new TypeError("bug"));
    expect(guard.state).toBe("halfOpen");
    await expect(guard.call("getService", () => Promise.resolve("ok"))).resolves.toBe("ok");
    expect(guard.state).toBe("closed");
  });
});

describe("CircuitBreaker options", () => {
  it("rejects invalid thresholds and intervals", () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(
      /failureThreshold must be an integer >= 1, got 0/,
    );
    expect(() => new CircuitBreaker({ halfOpenAfterMs: -1 })).toThrow(
      /halfOpenAfterMs must be a positive number, got -1/,
    );
  });
});
