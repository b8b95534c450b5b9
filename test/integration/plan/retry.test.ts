// `driftguard plan` retries a read that failed transiently, with a bounded backoff, before it reports an
// error: a dropped call does not fail a CI job, an unreachable Google fails it within the bound.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { freePort } from "../../support/envtest.ts";
import {
  manifest,
  manifestDirectory,
  removeManifestDirectories,
  runPlanCli,
  seedService,
  serviceSpec,
  SERVICES,
  simFlags,
} from "./plan-cli.ts";

describe("driftguard plan retries", () => {
  let sim: Simulator;
  let directory: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: { services: [seedService("backend")] } });
    directory = await manifestDirectory({
      "backend.yaml": [manifest("CloudRunServiceConfig", "backend", serviceSpec("backend"), { namespace: "staging" })],
    });
  });
  afterEach(() => {
    sim.control.clearFaults();
    sim.control.clearRequests();
  });
  afterAll(async () => {
    await sim.stop();
    await removeManifestDirectories();
  });

  const reads = () => sim.control.requests({ method: "GetService", resource: `${SERVICES}/backend` });

  it("plans through two UNAVAILABLE answers in a row", async () => {
    const before = reads().length;
    sim.control.addFault({ method: "GetService", code: "UNAVAILABLE", count: 2 });
    const run = await runPlanCli(["-f", directory, ...simFlags(sim)]);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.lines).toContain("Plan: 1 to change, 0 unchanged.");
    expect(
      reads()
        .slice(before)
        .map((r) => r.code),
    ).toEqual(["UNAVAILABLE", "UNAVAILABLE", "OK"]);
  });

  it("reports an unreachable Google after its attempts, within the bound", async () => {
    const nothing = await freePort();
    const started = Date.now();
    const run = await runPlanCli([
      "-f",
      directory,
      "--gcp-endpoint",
      `127.0.0.1:${nothing}`,
      "--gcp-access-token",
      "t",
      "--retry-timeout=10s",
    ]);
    const elapsed = Date.now() - started;
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("error: Unavailable");
    expect(run.stdout).toContain("gave up after 3 attempts, waiting 3 s between them");
    expect(elapsed).toBeGreaterThanOrEqual(3_000);
    expect(elapsed).toBeLessThan(30_000);
  });

  it("takes a single attempt with --attempts 1", async () => {
    const before = reads().length;
    sim.control.addFault({ method: "GetService", code: "UNAVAILABLE", count: 1 });
    const run = await runPlanCli(["-f", directory, ...simFlags(sim), "--attempts", "1"]);
    expect(run.code).toBe(1);
    expect(reads().length - before).toBe(1);
    expect(run.stdout).not.toContain("gave up after");
  });

  it("refuses an attempts value that is not a whole number", async () => {
    const run = await runPlanCli(["-f", directory, ...simFlags(sim), "--attempts", "0"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--attempts must be a whole number of at least 1");
  });
});
