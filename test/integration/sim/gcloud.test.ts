// The real gcloud CLI against the simulated Serverless VPC Access API: list, describe and update (which
// PATCHes with an updateMask and then polls /v1/projects/*/locations/*/operations/*). Offline throughout.

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";

const PROJECT = "demo";
const REGION = "us-central1";
const NAME = `projects/${PROJECT}/locations/${REGION}/connectors/edge`;

let sim: Simulator;
let home: string;

interface GcloudResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function gcloud(...args: string[]): Promise<GcloudResult> {
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    CLOUDSDK_CONFIG: join(home, "gcloud"),
    CLOUDSDK_API_ENDPOINT_OVERRIDES_VPCACCESS: `http://127.0.0.1:${sim.restPort}/`,
    CLOUDSDK_CORE_DISABLE_PROMPTS: "1",
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: "true",
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: "true",
    CLOUDSDK_CORE_CHECK_GCE_METADATA: "false",
    CLOUDSDK_SURVEY_DISABLE_PROMPTS: "true",
  };
  const common = ["--project", PROJECT, "--access-token-file", join(home, "token"), "--quiet", "--format=json"];
  return await new Promise((resolve) => {
    execFile(
      "gcloud",
      ["compute", "networks", "vpc-access", "connectors", ...args, ...common],
      { env, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "driftguard-gcloud-"));
  writeFileSync(join(home, "token"), "test-token\n");
  sim = await startSimulator({
    operationLatencyMs: 200,
    seed: {
      connectors: [
        { name: NAME, machineType: "e2-micro", minInstances: 2, maxInstances: 3 },
        {
          name: `projects/${PROJECT}/locations/${REGION}/connectors/spare`,
          machineType: "f1-micro",
          minInstances: 2,
          maxInstances: 4,
        },
      ],
    },
  });
});

afterAll(async () => {
  await sim.stop();
  rmSync(home, { recursive: true, force: true });
});

describe("gcloud compute networks vpc-access connectors", () => {
  it("lists the region's connectors", async () => {
    const result = await gcloud("list", "--region", REGION);
    expect(result.code, result.stderr).toBe(0);
    const connectors = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(connectors.map((c) => c.name)).toEqual([NAME, `projects/${PROJECT}/locations/${REGION}/connectors/spare`]);
    expect(connectors[1]).toMatchObject({
      machineType: "f1-micro",
      // Google reports 100 Mbps per instance whatever the machine type.
      minThroughput: 200,
      maxThroughput: 400,
      state: "READY",
    });
  });

  it("describes a connector", async () => {
    const result = await gcloud("describe", "edge", "--region", REGION);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ name: NAME, state: "READY", minInstances: 2, maxInstances: 3 });
  });

  it("updates instances and machine type, waiting for the operation", async () => {
    const result = await gcloud(
      "update",
      "edge",
      "--region",
      REGION,
      "--min-instances",
      "3",
      "--max-instances",
      "6",
      "--machine-type",
      "e2-standard-4",
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`Waiting for operation [projects/${PROJECT}/locations/${REGION}/operations/`);
    const updated = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(updated).toMatchObject({
      state: "READY",
      machineType: "e2-standard-4",
      minInstances: 3,
      maxInstances: 6,
      maxThroughput: 600,
    });
    expect(sim.control.requests({ method: "PatchConnector" })).toHaveLength(1);
  });

  it("fails a decrease with the reason", async () => {
    const result = await gcloud("update", "edge", "--region", REGION, "--min-instances", "2", "--max-instances", "6");
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("INVALID_ARGUMENT");
    expect(result.stderr).toContain("min_instances can only be increased: 3 → 2 requires recreating the connector");
  });

  it("refuses --max-instances without --min-instances, as gcloud's help says Google does", async () => {
    const result = await gcloud("update", "edge", "--region", REGION, "--max-instances", "8");
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("INVALID_ARGUMENT");
    expect(result.stderr).toContain("min_instances and max_instances must be updated together");
    expect((await gcloud("describe", "edge", "--region", REGION)).stdout).toContain('"maxInstances": 6');
  });

  it("reports a missing connector", async () => {
    const result = await gcloud("describe", "ghost", "--region", REGION);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("NOT_FOUND");
  });
});
