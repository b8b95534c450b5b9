// The real gcloud CLI against the simulated Serverless VPC Access API, GA (v1) and beta (v1beta1): list,
// describe and update (which PATCHes with an updateMask and then polls .../operations/*). Offline throughout.

import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { Gcloud, GCLOUD_MISSING, gcloudInstalled } from "./gcloud-cli.ts";

const PROJECT = "demo";
const REGION = "us-central1";
const NAME = `projects/${PROJECT}/locations/${REGION}/connectors/edge`;

let sim: Simulator;
let cli: Gcloud;

/** `gcloud [beta] compute networks vpc-access connectors ARGS --format=json`. */
async function gcloud(...args: string[]) {
  const beta = args[0] === "beta" ? ["beta"] : [];
  const rest = beta.length > 0 ? args.slice(1) : args;
  return await cli.run(...beta, "compute", "networks", "vpc-access", "connectors", ...rest, "--format=json");
}

const installed = gcloudInstalled();

beforeAll(async () => {
  if (!installed) return;
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
  cli = new Gcloud(sim.restPort, PROJECT);
});

afterAll(async () => {
  if (!installed) return;
  cli.dispose();
  await sim.stop();
});

if (!installed) {
  describe(`gcloud compute networks vpc-access connectors ${GCLOUD_MISSING}`, () => {
    it("finds no gcloud on PATH", () => {
      expect(() => execFileSync("gcloud", ["version"], { stdio: "ignore" })).toThrow();
    });
  });
} else {
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

    it("reports a missing connector in Google's words", async () => {
      const result = await gcloud("describe", "ghost", "--region", REGION);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain("NOT_FOUND: The connector is not found.");
    });

    it("describes and updates through gcloud beta, which calls v1beta1", async () => {
      const described = await gcloud("beta", "describe", "spare", "--region", REGION);
      expect(described.code, described.stderr).toBe(0);
      expect(JSON.parse(described.stdout)).toMatchObject({ machineType: "f1-micro", minInstances: 2, maxInstances: 4 });
      const updated = await gcloud(
        "beta",
        "update",
        "spare",
        "--region",
        REGION,
        "--min-instances",
        "3",
        "--max-instances",
        "5",
      );
      expect(updated.code, updated.stderr).toBe(0);
      expect(JSON.parse(updated.stdout)).toMatchObject({ state: "READY", minInstances: 3, maxInstances: 5 });
      const calls = sim.control.requests({ resource: `projects/${PROJECT}/locations/${REGION}/connectors/spare` });
      expect(calls.map((c) => c.method)).toContain("google.cloud.vpcaccess.v1beta1.VpcAccessService/PatchConnector");
    });
  });
}
