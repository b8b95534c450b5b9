// `driftguard plan -f`: manifests from a directory (or one file) against the simulator, through the real
// CLI. Every run must leave Google untouched: the simulator's request log shows no UpdateService.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import {
  CONNECTORS,
  manifest,
  manifestDirectory,
  PROJECT,
  REGION,
  removeManifestDirectories,
  runPlanCli,
  seedService,
  serviceSpec,
  SERVICES,
  simFlags,
} from "./plan-cli.ts";

const NS = { namespace: "staging" };
const DB = `${PROJECT}:${REGION}:db`;

const connectorSpec = {
  connector: { project: PROJECT, region: REGION, name: "staging-connector" },
  machineType: "e2-micro",
  minInstances: 2,
  maxInstances: 3,
};

describe("driftguard plan -f", () => {
  let sim: Simulator;
  const plan = (directory: string, ...args: string[]) => runPlanCli(["-f", directory, ...simFlags(sim), ...args]);

  beforeAll(async () => {
    sim = await startSimulator({
      seed: {
        services: ["backend", "worker", "observed", "matching", "api", "jobs"].map(seedService),
        connectors: [
          {
            name: `${CONNECTORS}/staging-connector`,
            network: "default",
            machineType: "e2-micro",
            minInstances: 2,
            maxInstances: 3,
            loadMbps: 10,
          },
        ],
      },
    });
  });
  afterEach(() => {
    expect(sim.control.requests({ method: "UpdateService" })).toEqual([]);
  });
  afterAll(async () => {
    await sim.stop();
    await removeManifestDirectories();
  });

  it("exits 2 and lists the fields that would change, desired against live", async () => {
    const directory = await manifestDirectory({
      "backend.yaml": [manifest("CloudRunServiceConfig", "backend", serviceSpec("backend"), NS)],
    });
    const run = await plan(directory);
    expect(run.code, run.stderr).toBe(2);
    expect(run.lines.slice(0, 3)).toEqual([
      `~ CloudRunServiceConfig staging/backend (${SERVICES}/backend)`,
      "    requestTimeout (template.timeout): 300s -> 600s",
      "    database.timeouts.pool (template.containers[0].env.DB_POOL_TIMEOUT): 25 -> 45",
    ]);
    expect(run.lines).toContain("Plan: 1 to change, 0 unchanged.");
    expect(sim.control.requests({ method: "GetService" }).length).toBeGreaterThan(0);
  });

  it("exits 0 once the live service matches", async () => {
    const name = `${SERVICES}/matching`;
    const container = (sim.control.getService(name).template as { containers: Array<Record<string, unknown>> })
      .containers[0];
    sim.control.patchService(name, {
      template: {
        timeout: "600s",
        containers: [
          {
            ...container,
            env: [
              { name: "DB_POOL_TIMEOUT", value: "45" },
              { name: "UNMANAGED", value: "keep-me" },
            ],
          },
        ],
      },
    });
    const directory = await manifestDirectory({
      "matching.yaml": [manifest("CloudRunServiceConfig", "matching", serviceSpec("matching"), NS)],
    });
    const run = await plan(directory);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.lines[0]).toBe(`= CloudRunServiceConfig staging/matching (${name}): no changes`);
  });

  it("resolves a connectorRef to a valid VpcConnectorConfig in the same manifests", async () => {
    const directory = await manifestDirectory({
      "api.yaml": [
        manifest(
          "CloudRunServiceConfig",
          "api",
          serviceSpec("api", { vpcAccess: { connectorRef: { name: "shared" } } }),
          NS,
        ),
      ],
      "connector.yaml": [manifest("VpcConnectorConfig", "shared", connectorSpec, NS)],
    });
    const run = await plan(directory);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stdout).toContain(
      `    vpcAccess.connectorRef (template.vpcAccess.connector): (unset) -> ${CONNECTORS}/staging-connector`,
    );
    expect(run.stdout).toContain(`= VpcConnectorConfig staging/shared (${CONNECTORS}/staging-connector): no changes`);
  });

  it("plans Observe objects without counting them as changes, and skips paused ones", async () => {
    const directory = await manifestDirectory({
      "observed.yaml": [
        manifest("CloudRunServiceConfig", "observed", serviceSpec("observed", { managementPolicy: "Observe" }), NS),
        manifest("CloudRunServiceConfig", "worker", serviceSpec("worker"), {
          ...NS,
          annotations: { "driftguard.dev/paused": "true" },
        }),
      ],
    });
    const run = await plan(directory);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.lines).toContain(
      `~ CloudRunServiceConfig staging/observed (${SERVICES}/observed) (Observe: would not be applied)`,
    );
    expect(run.lines).toContain("    requestTimeout (template.timeout): 300s -> 600s");
    expect(run.stdout).toContain(
      '- CloudRunServiceConfig staging/worker: skipped (Paused: driftguard.dev/paused: "true")',
    );
  });

  it("exits 1 with the validation errors of an invalid manifest", async () => {
    const broken = serviceSpec("backend", {
      requestTimeout: "soon",
      scaling: { minInstances: 5, maxInstances: 2 },
    });
    const directory = await manifestDirectory({
      "broken.yaml": [manifest("CloudRunServiceConfig", "broken", broken, NS)],
      "garbage.yaml": "a: [unclosed\n",
    });
    const run = await plan(directory);
    expect(run.code).toBe(1);
    expect(run.lines).toContain("! CloudRunServiceConfig staging/broken: blocked: InvalidSpec");
    expect(run.lines).toContain("    spec.scaling.minInstances: minInstances 5 exceeds maxInstances 2");
    expect(run.stdout).toMatch(/^ {4}spec\.requestTimeout: /m);
    expect(run.stdout).toContain(`x ${join(directory, "garbage.yaml")}: `);
  });

  it("exits 1 when two manifests together exceed a Cloud SQL instance's connection budget", async () => {
    const database = { cloudSqlInstance: DB, maxConnections: 100, pool: { size: 10, maxOverflow: 10 } };
    const directory = await manifestDirectory({
      "backend.yaml": [
        manifest(
          "CloudRunServiceConfig",
          "backend",
          serviceSpec("backend", { scaling: { maxInstances: 3 }, database }),
          NS,
        ),
      ],
      "worker.yaml": [
        manifest(
          "CloudRunServiceConfig",
          "worker",
          serviceSpec("worker", { scaling: { maxInstances: 2 }, database }),
          NS,
        ),
      ],
    });
    const run = await plan(directory);
    expect(run.code).toBe(1);
    // First come first served, in key order: backend's 60 fits the 80, worker's 40 more does not.
    expect(run.lines.some((line) => line.startsWith("! CloudRunServiceConfig staging/backend"))).toBe(false);
    expect(run.lines).toContain(
      `! CloudRunServiceConfig staging/worker (${SERVICES}/worker): blocked: ConnectionBudgetExceeded`,
    );
    expect(run.lines).toEqual(
      expect.arrayContaining([
        `  ${DB}: demand 100, limit floor(100 × 0.8) = 80: OVER BUDGET`,
        "    staging/backend: (10 + 10) × 3 = 60",
        "    staging/worker: (10 + 10) × 2 = 40",
      ]),
    );
  });

  it("exits 1 with Google's error and its hint for a service that does not exist", async () => {
    const directory = await manifestDirectory({
      "ghost.yaml": [manifest("CloudRunServiceConfig", "ghost", serviceSpec("ghost"), NS)],
    });
    const run = await plan(directory);
    expect(run.code).toBe(1);
    expect(run.lines).toContain(`x CloudRunServiceConfig staging/ghost (${SERVICES}/ghost): error: NotFound`);
    expect(run.stdout).toContain(`    hint: ${SERVICES}/ghost does not exist: check project, location and name`);
  });

  it("prints the plan as JSON with --output json, from a single file over REST", async () => {
    const directory = await manifestDirectory({
      "jobs.yaml": [manifest("CloudRunServiceConfig", "jobs", serviceSpec("jobs"), NS)],
    });
    const run = await runPlanCli([
      "-f",
      join(directory, "jobs.yaml"),
      "--output",
      "json",
      "--gcp-transport",
      "rest",
      "--gcp-rest-endpoint",
      `http://127.0.0.1:${sim.restPort}`,
      "--gcp-access-token",
      "sim-token",
    ]);
    expect(run.code, run.stderr).toBe(2);
    const parsed = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      formatVersion: 1,
      exitCode: 2,
      source: "directory",
      summary: { changes: 1, noChanges: 0 },
      resources: [
        {
          kind: "CloudRunServiceConfig",
          namespace: "staging",
          name: "jobs",
          target: `${SERVICES}/jobs`,
          policy: "Enforce",
          outcome: "changes",
          diffs: [
            { field: "requestTimeout (template.timeout)", desired: "600s", live: "300s" },
            { field: "database.timeouts.pool (template.containers[0].env.DB_POOL_TIMEOUT)", desired: "45", live: "25" },
          ],
        },
      ],
      budgets: [],
      fileErrors: [],
    });
  });
});
