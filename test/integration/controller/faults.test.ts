// Google misbehaving under a running controller: flaky answers, a full outage (circuit breaker), quota
// exhaustion (an API-wide pause) and missing IAM permissions. The simulator injects the faults and its
// request log shows what driftguard actually sent.

import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BreakerState } from "../../../src/gcp/guard.ts";
import { condition, Rig, serviceSeed } from "../../support/controller.ts";

const PROJECT = "netra-staging";
const name = (service: string) => `projects/${PROJECT}/locations/us-central1/services/${service}`;
const HALF_OPEN_AFTER_MS = 2_000;
const WINDOW_MS = 4_000;

const spec = (service: string, extra: object = {}) => ({
  service: { project: PROJECT, region: "us-central1", name: service },
  resyncInterval: "1s",
  requestTimeout: "600s",
  env: { FEATURE: "on" },
  ...extra,
});

const ready = (o: { status?: Record<string, unknown> }) => condition(o, "Ready")?.status === "True";

/**
 * Makes each of `methods` fail with UNAVAILABLE on the call after every successful one: half of the calls
 * fail, deterministically, unlike a random fault whose unlucky streaks would decide how long a test takes.
 */
function failEveryOtherCall(rig: Rig, methods: string[]): () => void {
  const timer = setInterval(() => {
    const armed = new Set(rig.sim.control.faults().map((f) => f.method));
    for (const method of methods) {
      const last = rig.sim.control.requests({ method }).at(-1);
      if (last?.code !== "UNAVAILABLE" && !armed.has(method)) {
        rig.sim.control.addFault({ method, code: "UNAVAILABLE", count: 1 });
      }
    }
  }, 10);
  return () => clearInterval(timer);
}

describe("Google faults", () => {
  let rig: Rig;
  const breaker: BreakerState[] = [];
  beforeAll(async () => {
    rig = await Rig.start("faults", {
      sim: { seed: serviceSeed(["flaky", "outage", "quota", "denied-read", "denied-write"]) },
      config: { breakerFailureThreshold: 5, breakerHalfOpenAfterMs: HALF_OPEN_AFTER_MS },
      hooks: { onBreakerState: (api, state) => api === "run" && breaker.push(state) },
    });
  });
  afterEach(() => rig.sim.control.clearFaults());
  afterAll(() => rig.stop());

  it("converges although every other read and write fails with UNAVAILABLE", async () => {
    const stop = failEveryOtherCall(rig, ["GetService", "UpdateService"]);
    try {
      await rig.create("CloudRunServiceConfig", "flaky", spec("flaky"));
      await rig.waitFor("CloudRunServiceConfig", "flaky", ready, 60_000);
    } finally {
      stop();
    }
    expect(rig.service(name("flaky")).template.timeout).toBe("600s");
    const calls = rig.callsAbout(name("flaky"));
    for (const method of ["GetService", "UpdateService"]) {
      const codes = calls.filter((r) => r.method.endsWith(`/${method}`)).map((r) => r.code);
      expect(codes).toContain("UNAVAILABLE");
      expect(codes).toContain("OK");
    }
  });

  it("opens the breaker in an outage, stops calling, and closes it again after a successful probe", async () => {
    await rig.create("CloudRunServiceConfig", "outage", spec("outage"));
    await rig.waitFor("CloudRunServiceConfig", "outage", ready);
    breaker.length = 0;
    for (const method of ["GetService", "UpdateService", "GetOperation"]) {
      rig.sim.control.addFault({ method, code: "UNAVAILABLE" });
    }
    const down = await rig.waitForCondition("CloudRunServiceConfig", "outage", "Synced", {
      status: "False",
      reason: "Unavailable",
    });
    expect(condition(down, "Synced")?.message).toContain("unavailable");
    const deadline = Date.now() + 60_000;
    while (rig.controller?.guards.run.state === "closed" && Date.now() < deadline) await sleep(100);
    expect(breaker).toContain("open");

    // Open, the breaker lets through at most one probe per HALF_OPEN_AFTER_MS, whatever the resync says.
    const windowStart = Date.now();
    await sleep(3 * HALF_OPEN_AFTER_MS);
    const sent = rig.sim.control.requests().filter((r) => Date.parse(r.time) >= windowStart);
    expect(sent.length).toBeLessThanOrEqual(4);
    expect(rig.controller?.guards.run.state).not.toBe("closed");

    rig.sim.control.patchService(name("outage"), { template: { timeout: "30s" } });
    rig.sim.control.clearFaults();
    const healed = await rig.waitFor(
      "CloudRunServiceConfig",
      "outage",
      (o) => ready(o) && condition(o, "Synced")?.reason === "UpToDate",
      30_000,
    );
    expect(healed.status?.driftCorrections).toBe(1);
    expect(rig.service(name("outage")).template.timeout).toBe("600s");
    expect(rig.controller?.guards.run.state).toBe("closed");
    const reopened = breaker.lastIndexOf("open");
    expect(breaker.slice(reopened)).toEqual(["open", "halfOpen", "closed"]);
  });

  it("pauses every call to the API after RESOURCE_EXHAUSTED", async () => {
    await rig.create("CloudRunServiceConfig", "quota", spec("quota"));
    await rig.waitFor("CloudRunServiceConfig", "quota", ready);
    // Every config here re-reads its service each second; together they set the normal read rate.
    rig.sim.control.clearRequests();
    await sleep(WINDOW_MS);
    const steady = rig.calls("GetService");

    rig.sim.control.clearRequests();
    // Google's 429 asks for a 2 s wait (RetryInfo), which driftguard honours as given.
    rig.sim.control.addFault({
      method: "GetService",
      code: "RESOURCE_EXHAUSTED",
      message: "Quota exceeded",
      retryDelaySeconds: 2,
    });
    await sleep(WINDOW_MS);
    const throttled = rig.sim.control.requests({ method: "GetService" });
    expect(throttled.length).toBeLessThan(steady / 2);
    // The first quota error stops all reads, whichever service they are for, for the delay Google asked.
    const [first] = throttled;
    const next = throttled.find((r) => Date.parse(r.time) > Date.parse(first?.time ?? "") + 100);
    if (next) expect(Date.parse(next.time) - Date.parse(first?.time ?? "")).toBeGreaterThanOrEqual(1_900);
    const object = await rig.get("CloudRunServiceConfig", "quota");
    expect(condition(object, "Synced")).toMatchObject({ status: "False", reason: "QuotaExceeded" });
    // Google's refusal as classified, or the guard's pause that followed it: either says the calls wait.
    expect(condition(object, "Synced")?.message).toMatch(
      /paused after RESOURCE_EXHAUSTED|back off \(server asks to wait 2s\)/,
    );

    rig.sim.control.clearFaults();
    await rig.waitForCondition("CloudRunServiceConfig", "quota", "Synced", { reason: "UpToDate" }, 60_000);
  });

  it("names the missing permission when reading is denied", async () => {
    rig.sim.control.addFault({ method: "GetService", code: "PERMISSION_DENIED", message: "Permission denied" });
    await rig.create("CloudRunServiceConfig", "denied-read", spec("denied-read"));
    const denied = await rig.waitForCondition("CloudRunServiceConfig", "denied-read", "Synced", {
      status: "False",
      reason: "PermissionDenied",
    });
    expect(condition(denied, "Synced")?.message).toContain(`run.services.get on ${name("denied-read")}`);
    rig.sim.control.clearFaults();
    await rig.waitFor("CloudRunServiceConfig", "denied-read", ready);
  });

  it("names the missing permission when writing is denied, and never writes", async () => {
    rig.sim.control.addFault({ method: "UpdateService", code: "PERMISSION_DENIED", message: "Permission denied" });
    await rig.create("CloudRunServiceConfig", "denied-write", spec("denied-write"));
    const denied = await rig.waitForCondition("CloudRunServiceConfig", "denied-write", "Synced", {
      status: "False",
      reason: "PermissionDenied",
    });
    expect(condition(denied, "Synced")?.message).toContain(`run.services.update on ${name("denied-write")}`);
    expect(rig.service(name("denied-write")).template.timeout).toBe("300s");
    rig.sim.control.clearFaults();
    await rig.waitFor("CloudRunServiceConfig", "denied-write", ready);
    expect(rig.service(name("denied-write")).template.timeout).toBe("600s");
  });
});
