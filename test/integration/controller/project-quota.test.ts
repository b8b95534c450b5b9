// RESOURCE_EXHAUSTED in one consumer project: through the real Cloud Run client and the simulator, the
// guard pauses that project only; another project's reads keep their full rate. (The simulator's faults
// are per method, so the one refusal is aimed by sending a single call for the first project while it is
// armed.)

import { ServicesClient } from "@google-cloud/run";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOptions, loopbackConnection } from "../../../src/gcp/connection.ts";
import { CallGuard } from "../../../src/gcp/guard.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { serviceSeed } from "../../support/controller.ts";

const QPS = 5;
const WINDOW_MS = 3_000;
const name = (project: string) => `projects/${project}/locations/us-central1/services/api`;

describe("a quota error in one project", () => {
  let sim: Simulator;
  let client: ServicesClient;
  beforeAll(async () => {
    sim = await startSimulator({
      seed: { services: [...serviceSeed(["api"], "busy").services, ...serviceSeed(["api"], "quiet").services] },
    });
    client = new ServicesClient(clientOptions(loopbackConnection(sim)));
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });

  /** Reads `project`'s service back to back through the guard for `ms`; returns the reads sent. */
  const readFor = async (guard: CallGuard, project: string, ms: number) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      await guard
        .call("getService", () => client.getService({ name: name(project) }, { retry: null }), name(project))
        .catch(() => new Promise((resolve) => setTimeout(resolve, 50)));
    }
    return sim.control.requests({ resource: name(project) }).length;
  };

  it("leaves the other project's call rate unaffected", async () => {
    const guard = new CallGuard({ api: "run", qps: QPS, burst: 1, globalQps: 10 * QPS, quotaBackoffBaseMs: 60_000 });
    await readFor(guard, "quiet", 500); // connect first, so the baseline is the steady rate
    sim.control.clearRequests();
    const baseline = await readFor(guard, "quiet", WINDOW_MS);
    sim.control.clearRequests();

    sim.control.addFault({ method: "GetService", code: "RESOURCE_EXHAUSTED", message: "Quota exceeded", count: 1 });
    await guard.call("getService", () => client.getService({ name: name("busy") }), name("busy")).catch(() => 0);
    expect(sim.control.requests({ resource: name("busy") }).map((r) => r.code)).toEqual(["RESOURCE_EXHAUSTED"]);

    const [busy, quiet] = await Promise.all([readFor(guard, "busy", WINDOW_MS), readFor(guard, "quiet", WINDOW_MS)]);
    console.log(`project-quota: quiet project ${baseline} reads before, ${quiet} during the busy project's pause`);
    expect(guard.pausedProjects()).toEqual(["busy"]);
    expect(busy).toBe(1);
    expect(quiet).toBeGreaterThanOrEqual(baseline - 1);
    expect(quiet).toBeLessThanOrEqual((WINDOW_MS / 1000) * QPS + 2);
  });
});
