// The generated CRDs as a real kube-apiserver sees them: established, explainable, and printing their columns.

import { ApiextensionsV1Api } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl, testKubeConfig } from "../../support/kube.ts";

const backend = (name: string) => `apiVersion: driftguard.dev/v1alpha1
kind: CloudRunServiceConfig
metadata: {name: ${name}}
spec:
  service: {project: netra-staging, region: us-central1, name: ${name}}
`;

const connector = (name: string) => `apiVersion: driftguard.dev/v1alpha1
kind: VpcConnectorConfig
metadata: {name: ${name}}
spec:
  connector: {project: netra-staging, region: us-central1, name: ${name}}
`;

async function ok(args: string[], input?: string): Promise<string> {
  const result = await kubectl(args, { input });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

/** Whitespace-separated cells of each output line. */
function table(stdout: string): string[][] {
  return stdout
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/));
}

describe("driftguard.dev CRDs", () => {
  it.each(["cloudrunserviceconfigs.driftguard.dev", "vpcconnectorconfigs.driftguard.dev"])(
    "%s is Established with its names accepted",
    async (name) => {
      const crd = await testKubeConfig().makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name });
      const conditions = Object.fromEntries((crd.status?.conditions ?? []).map((c) => [c.type, c.status]));
      expect(conditions).toMatchObject({ Established: "True", NamesAccepted: "True" });
      expect(crd.status?.acceptedNames?.categories).toEqual(["driftguard"]);
    },
  );

  it("kubectl explain teaches spec.database", async () => {
    const stdout = await ok(["explain", "cloudrunserviceconfig.spec.database"]);
    expect(stdout).toContain("Cloud SQL connection settings");
    for (const field of ["cloudSqlInstance", "maxConnections", "safetyMargin", "timeouts", "pool", "envVarNames"]) {
      expect(stdout).toMatch(new RegExp(`^\\s+${field}\\s+<`, "m"));
    }
    const timeouts = await ok(["explain", "crsc.spec.database.timeouts.initialization"]);
    expect(timeouts).toContain("How long the application may take to initialise its database layer");
    const autoscaling = await ok(["explain", "vpcc.spec.autoscaling.scaleUpThreshold"]);
    expect(autoscaling).toContain("default 0.7");
  });

  describe("printer columns", () => {
    let namespace: string;
    beforeAll(async () => {
      namespace = await createNamespace("api-columns");
      await ok(["apply", "-n", namespace, "-f", "-"], `${backend("backend")}---\n${connector("connector")}`);
    });

    it("kubectl get crsc shows service, policy, conditions, drift and last sync", async () => {
      const status = {
        conditions: [
          {
            type: "Ready",
            status: "False",
            reason: "Drifted",
            message: "2 fields drifted",
            lastTransitionTime: "2025-09-15T20:45:00Z",
          },
          {
            type: "Synced",
            status: "True",
            reason: "Synced",
            message: "read the live service",
            lastTransitionTime: "2025-09-15T20:45:00Z",
          },
        ],
        driftCount: 2,
        lastSyncTime: new Date().toISOString(),
      };
      await ok([
        "patch",
        "-n",
        namespace,
        "crsc",
        "backend",
        "--subresource=status",
        "--type=merge",
        "-p",
        JSON.stringify({ status }),
      ]);
      const [header, row] = table(await ok(["get", "crsc", "-n", namespace]));
      expect(header).toEqual(["NAME", "SERVICE", "POLICY", "READY", "SYNCED", "DRIFT", "LAST-SYNC", "AGE"]);
      expect(row?.slice(0, 6)).toEqual(["backend", "backend", "Enforce", "False", "True", "2"]);
    });

    it("kubectl get vpcc shows the declared and the live size apart, utilization and readiness", async () => {
      const spec = { machineType: "e2-micro", minInstances: 2, maxInstances: 3 };
      await ok(["patch", "-n", namespace, "vpcc", "connector", "--type=merge", "-p", JSON.stringify({ spec })]);
      // The autoscaler raised the live connector above the spec.
      const status = {
        live: { machineType: "e2-standard-4", minInstances: 2, maxInstances: 5 },
        utilizationPercent: "73%",
        conditions: [
          {
            type: "Ready",
            status: "True",
            reason: "UpToDate",
            message: "in sync",
            lastTransitionTime: "2025-09-15T20:45:00Z",
          },
        ],
      };
      await ok([
        "patch",
        "-n",
        namespace,
        "vpcc",
        "connector",
        "--subresource=status",
        "--type=merge",
        "-p",
        JSON.stringify({ status }),
      ]);
      const [header, row] = table(await ok(["get", "vpcc", "-n", namespace]));
      expect(header).toEqual([
        "NAME",
        "CONNECTOR",
        "SPEC-MACHINE",
        "LIVE-MACHINE",
        "SPEC-MIN",
        "LIVE-MIN",
        "SPEC-MAX",
        "LIVE-MAX",
        "UTILIZATION",
        "READY",
        "AGE",
      ]);
      expect(row?.slice(0, 10)).toEqual([
        "connector",
        "connector",
        "e2-micro",
        "e2-standard-4",
        "2",
        "2",
        "3",
        "5",
        "73%",
        "True",
      ]);
    });
  });
});
