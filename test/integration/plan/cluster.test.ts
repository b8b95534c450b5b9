// `driftguard plan --cluster`: the custom resources in the shared test kube-apiserver (applied with
// kubectl, status written through the status subresource the way the controller writes it) against the
// simulator. Status matters here: a connector's recorded autoscaling raise is part of its desired size.

import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GROUP, VERSION } from "../../../src/api/common.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { createNamespace, kubeconfigPath, kubectl, testKubeConfig } from "../../support/kube.ts";
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

const connectorSpec = (maxInstances: number) => ({
  connector: { project: PROJECT, region: REGION, name: "raised-connector" },
  machineType: "e2-micro",
  minInstances: 2,
  maxInstances,
  autoscaling: { enabled: true, ceiling: 10 },
});

const api = (namespace?: string) =>
  manifest(
    "CloudRunServiceConfig",
    "api",
    serviceSpec("api", { vpcAccess: { connectorRef: { name: "shared" } } }),
    namespace ? { namespace } : {},
  );
const shared = (namespace?: string) =>
  manifest("VpcConnectorConfig", "shared", connectorSpec(3), namespace ? { namespace } : {});

async function apply(namespace: string, objects: object[]): Promise<void> {
  const result = await kubectl(["apply", "-n", namespace, "-f", "-"], {
    input: objects.map((o) => stringify(o)).join("---\n"),
  });
  expect(result.code, result.stderr).toBe(0);
}

describe("driftguard plan --cluster", () => {
  let sim: Simulator;
  let namespace: string;
  let pending: string;
  const plan = (...args: string[]) =>
    runPlanCli(["--cluster", "--kubeconfig", kubeconfigPath(), ...simFlags(sim), ...args]);

  beforeAll(async () => {
    sim = await startSimulator({
      seed: {
        services: ["api", "worker"].map(seedService),
        // Autoscaling raised this connector from the spec's 3 to 5 instances.
        connectors: [
          {
            name: `${CONNECTORS}/raised-connector`,
            network: "default",
            machineType: "e2-micro",
            minInstances: 2,
            maxInstances: 5,
            loadMbps: 10,
          },
        ],
      },
    });
    namespace = await createNamespace("plan");
    pending = await createNamespace("plan-pending");
    await apply(namespace, [api(), shared()]);
    await testKubeConfig()
      .makeApiClient(CustomObjectsApi)
      .patchNamespacedCustomObjectStatus(
        {
          group: GROUP,
          version: VERSION,
          namespace,
          plural: "vpcconnectorconfigs",
          name: "shared",
          body: {
            status: {
              conditions: [
                {
                  type: "Ready",
                  status: "True",
                  reason: "UpToDate",
                  message: "The connector matches the spec",
                  lastTransitionTime: new Date().toISOString(),
                },
              ],
              autoscaling: { raised: { maxInstances: 5 } },
            },
          },
        },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    await apply(pending, [
      manifest(
        "CloudRunServiceConfig",
        "worker",
        serviceSpec("worker", { vpcAccess: { connectorRef: { name: "shared" } } }),
      ),
      // Declares the live size, so only the missing Ready condition stands in the way.
      manifest("VpcConnectorConfig", "shared", connectorSpec(5)),
    ]);
  });
  afterEach(() => {
    expect(sim.control.requests({ method: "UpdateService" })).toEqual([]);
    expect(sim.control.requests({ method: "PatchConnector" })).toEqual([]);
  });
  afterAll(async () => {
    await sim.stop();
    await removeManifestDirectories();
  });

  it("plans the namespace's objects, keeping the connector's recorded autoscaling raise", async () => {
    const run = await plan("--namespace", namespace);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.lines).toContain(`~ CloudRunServiceConfig ${namespace}/api (${SERVICES}/api)`);
    expect(run.lines).toContain(
      `    vpcAccess.connectorRef (template.vpcAccess.connector): (unset) -> ${CONNECTORS}/raised-connector`,
    );
    expect(run.lines).toContain(
      `= VpcConnectorConfig ${namespace}/shared (${CONNECTORS}/raised-connector): no changes`,
    );
    expect(run.stdout).not.toContain(pending);
    expect(sim.control.requests({ method: "GetConnector" }).length).toBeGreaterThan(0);
  });

  it("reads the raise back from the connector when planning manifests, which carry no recorded raise", async () => {
    const directory = await manifestDirectory({ "all.yaml": [api("staging"), shared("staging")] });
    const run = await runPlanCli(["-f", directory, ...simFlags(sim)]);
    expect(run.code, run.stdout).toBe(2);
    expect(run.stdout).not.toContain("ReplacementRequired");
    expect(run.lines).toContain(`= VpcConnectorConfig staging/shared (${CONNECTORS}/raised-connector): no changes`);
  });

  it("blocks a service whose connector config is not Ready in the cluster", async () => {
    const run = await plan("--namespace", pending, "--output", "json");
    expect(run.code).toBe(1);
    const parsed = JSON.parse(run.stdout) as { source: string; resources: Array<Record<string, unknown>> };
    expect(parsed.source).toBe("cluster");
    expect(parsed.resources.map((r) => [r.kind, r.name, r.outcome])).toEqual([
      ["CloudRunServiceConfig", "worker", "blocked"],
      ["VpcConnectorConfig", "shared", "noChanges"],
    ]);
    expect(parsed.resources[0]).toMatchObject({ namespace: pending, reason: "DependencyNotReady" });
    expect(parsed.resources[0]?.message).toContain(
      `Waiting for VpcConnectorConfig ${pending}/shared: not reconciled yet`,
    );
  });
});
