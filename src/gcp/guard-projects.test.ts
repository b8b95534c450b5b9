// The guard's per-project limits: a quota pause or a busy project in one consumer project leaves the
// others' calls alone, while the global cap still holds; and it reports when an API answers again.

import { GoogleError } from "google-gax";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { GoogleCallError } from "./errors.ts";
import { CallGuard, projectOf } from "./guard.ts";

const quota = (retryDelay: string) =>
  GoogleError.parseHttpError({
    error: {
      code: 429,
      status: "RESOURCE_EXHAUSTED",
      message: "Quota exceeded",
      details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay }],
    },
  });
const unavailable = () =>
  GoogleError.parseHttpError({ error: { code: 503, status: "UNAVAILABLE", message: "down", details: [] } });
const service = (project: string, n = 0) => `projects/${project}/locations/us-central1/services/s${n}`;

beforeEach(() => vi.useFakeTimers({ now: 0 }));
afterEach(() => vi.useRealTimers());

describe("CallGuard per consumer project", () => {
  it("reads the project from the resource name", () => {
    expect(projectOf("projects/alpha/locations/l/services/s")).toBe("alpha");
    expect(projectOf("projects/alpha/locations/l/connectors/c cpu")).toBe("alpha");
    expect(projectOf(undefined)).toBe("");
    expect(projectOf("operations/123")).toBe("");
  });

  it("pauses only the project that got RESOURCE_EXHAUSTED; the others keep their full rate", async () => {
    const sent: string[] = [];
    const guard = new CallGuard({ api: "run", qps: 10, burst: 1, globalQps: 100, globalBurst: 1 });
    const run = (project: string, fail = false) =>
      guard
        .call(
          "getService",
          () => {
            sent.push(project);
            return fail ? Promise.reject(quota("30s")) : Promise.resolve();
          },
          service(project),
        )
        .catch((e: unknown) => e as GoogleCallError);
    await run("a", true);
    expect(guard.quotaPauseMs("a")).toBe(30_000);
    expect(guard.pausedProjects()).toEqual(["a"]);

    // Over 2s, 40 calls for "b" and 40 for "a": b runs at its 10/s, a sends nothing.
    const results: Array<Promise<unknown>> = [];
    for (let i = 0; i < 20; i++) results.push(run("b"), run("a"));
    await vi.advanceTimersByTimeAsync(2000);
    await Promise.all(results);
    expect(sent.filter((p) => p === "a")).toHaveLength(1);
    expect(sent.filter((p) => p === "b")).toHaveLength(20);
    const refused = (await results[1]) as GoogleCallError;
    expect(refused.classification).toMatchObject({ reason: "QuotaExceeded", retryable: true });
    expect(refused.classification.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(refused.message).toContain("project a");
  });

  it("reports recovery when a project's quota episode ends, for that project", async () => {
    const recovered: Array<[string, string | undefined]> = [];
    const guard = new CallGuard({ api: "run", onRecovered: (api, project) => recovered.push([api, project]) });
    await guard.call("getService", () => Promise.reject(quota("1s")), service("a")).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(1000);
    await guard.call("getService", () => Promise.resolve(), service("a"));
    await guard.call("getService", () => Promise.resolve(), service("a"));
    expect(recovered).toEqual([["run", "a"]]);
  });

  it("reports recovery once the breaker closes after a successful probe", async () => {
    const recovered: string[] = [];
    const guard = new CallGuard({
      api: "run",
      failureThreshold: 2,
      halfOpenAfterMs: 1000,
      onRecovered: (api) => recovered.push(api),
    });
    for (let i = 0; i < 2; i++) await guard.call("getService", () => Promise.reject(unavailable())).catch(() => 0);
    expect(guard.state).toBe("open");
    await vi.advanceTimersByTimeAsync(1000);
    await guard.call("getService", () => Promise.resolve());
    expect(guard.state).toBe("closed");
    expect(recovered).toEqual(["run"]);
  });

  it("reports recovery after failureThreshold successes in a row that follow an UNAVAILABLE", async () => {
    const recovered: string[] = [];
    const guard = new CallGuard({ api: "run", failureThreshold: 3, onRecovered: (api) => recovered.push(api) });
    const ok = () => guard.call("getService", () => Promise.resolve());
    await ok();
    expect(recovered).toEqual([]);
    await guard.call("getService", () => Promise.reject(unavailable())).catch(() => 0);
    await ok();
    await ok();
    await guard.call("getService", () => Promise.reject(unavailable())).catch(() => 0);
    await ok();
    await ok();
    expect(recovered).toEqual([]);
    await ok();
    expect(recovered).toEqual(["run"]);
    await ok();
    expect(recovered).toEqual(["run"]);
  });
});
