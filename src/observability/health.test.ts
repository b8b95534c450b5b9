import { afterEach, describe, expect, it } from "vitest";
import { HealthServer, liveness, readiness, type ControllerState } from "./health.ts";
import { DriftguardMetrics } from "./metrics.ts";

const base: ControllerState = { synced: true, stale: false, leader: true, reconciling: true };

describe("liveness", () => {
  it("fails only when watches are stale", () => {
    expect(liveness({ stale: false })).toEqual({ ok: true, message: "ok" });
    expect(liveness({ stale: true })).toEqual({ ok: false, message: "watches are stale" });
  });
});

describe("readiness", () => {
  it("waits for the caches", () => {
    expect(readiness({ ...base, synced: false })).toEqual({ ok: false, message: "caches are not synced yet" });
  });

  it("needs a leader's workers running", () => {
    expect(readiness({ ...base, reconciling: false }).ok).toBe(false);
    expect(readiness(base)).toEqual({ ok: true, message: "ok: leading" });
  });

  it("lets a synced standby be ready, so a rollout can proceed", () => {
    expect(readiness({ ...base, leader: false, reconciling: false })).toEqual({ ok: true, message: "ok: standby" });
    expect(readiness({ ...base, leader: false, reconciling: false, synced: false }).ok).toBe(false);
  });
});

describe("HealthServer", () => {
  let server: HealthServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function get(path: string): Promise<{ status: number; body: string; type: string | null }> {
    const res = await fetch(`http://127.0.0.1:${server?.port}${path}`);
    return { status: res.status, body: await res.text(), type: res.headers.get("content-type") };
  }

  it("answers the probes from the current state and serves metrics", async () => {
    let state = { ...base, synced: false };
    const metrics = new DriftguardMetrics({ processMetrics: false });
    metrics.leader(true);
    server = await HealthServer.start({ port: 0, host: "127.0.0.1", state: () => state, metrics });

    expect(await get("/healthz")).toMatchObject({ status: 200, body: "ok\n" });
    expect(await get("/readyz")).toMatchObject({ status: 503, body: "caches are not synced yet\n" });
    state = { ...base };
    expect(await get("/readyz")).toMatchObject({ status: 200, body: "ok: leading\n" });
    state = { ...base, stale: true };
    expect(await get("/healthz")).toMatchObject({ status: 503, body: "watches are stale\n" });
    state = { ...base, leader: false, reconciling: false };
    expect(await get("/readyz")).toMatchObject({ status: 200, body: "ok: standby\n" });

    const scraped = await get("/metrics");
    expect(scraped.status).toBe(200);
    expect(scraped.type).toContain("text/plain");
    expect(scraped.body).toContain("driftguard_leader 1");
    expect((await get("/nothing")).status).toBe(404);
  });

  it("says so when metrics are not served, and refuses writes", async () => {
    server = await HealthServer.start({ port: 0, host: "127.0.0.1", state: () => base });
    expect((await get("/metrics")).status).toBe(404);
    const res = await fetch(`http://127.0.0.1:${server.port}/healthz`, { method: "POST" });
    expect(res.status).toBe(405);
  });

  it("names the port it cannot listen on", async () => {
    server = await HealthServer.start({ port: 0, host: "127.0.0.1", state: () => base });
    await expect(HealthServer.start({ port: server.port, host: "127.0.0.1", state: () => base })).rejects.toThrow(
      `cannot listen on health port ${server.port}`,
    );
  });
});
