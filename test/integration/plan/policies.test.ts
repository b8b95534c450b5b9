// `driftguard plan -f` with ServiceConfigPolicies in the same tree: a regressed commit is blocked with the
// rule named (exit 1) before anything could reach Google, and a Warn finding is shown beside the changes.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import {
  manifest,
  manifestDirectory,
  PROJECT,
  removeManifestDirectories,
  runPlanCli,
  seedService,
  serviceSpec,
  simFlags,
} from "./plan-cli.ts";

const namespace = {
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name: "prod", labels: { environment: "production" } },
};
const policy = {
  apiVersion: "driftguard.dev/v1alpha1",
  kind: "ServiceConfigPolicy",
  metadata: { name: "production" },
  spec: {
    namespaceSelector: { matchLabels: { environment: "production" } },
    rules: [
      { name: "pool-floor", field: "database.timeouts.pool", min: "45s" },
      { name: "timeout-ceiling", field: "requestTimeout", max: "900s", severity: "Warn" },
    ],
  },
};

describe("driftguard plan -f with policies", () => {
  let sim: Simulator;
  const plan = (directory: string, ...args: string[]) => runPlanCli(["-f", directory, ...simFlags(sim), ...args]);

  beforeAll(async () => {
    sim = await startSimulator({ seed: { services: ["backend", "api"].map(seedService) } });
  });
  afterAll(async () => {
    await removeManifestDirectories();
    await sim.stop();
  });

  it("blocks a spec below a Deny floor with the policy and rule named, and exits 1", async () => {
    const dir = await manifestDirectory({
      "policy.yaml": [policy, namespace],
      "backend.yaml": [
        manifest(
          "CloudRunServiceConfig",
          "backend",
          serviceSpec("backend", { database: { timeouts: { pool: "30s" } } }),
          {
            namespace: "prod",
          },
        ),
      ],
    });
    const run = await plan(dir);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain(`CloudRunServiceConfig prod/backend (projects/${PROJECT}`);
    expect(run.stdout).toContain("blocked: PolicyViolation");
    expect(run.stdout).toContain(
      "policy production rule pool-floor: spec.database.timeouts.pool is 30s, must be at least 45s",
    );
    // The same object in a namespace the policy does not select, via --namespace for manifests naming none.
    const elsewhere = await manifestDirectory({
      "policy.yaml": [policy, namespace],
      "backend.yaml": [
        manifest(
          "CloudRunServiceConfig",
          "backend",
          serviceSpec("backend", { database: { timeouts: { pool: "30s" } } }),
        ),
      ],
    });
    expect((await plan(elsewhere, "--namespace", "dev")).code).toBe(2);
    expect(await plan(elsewhere, "--namespace", "prod").then((r) => r.stdout)).toContain("PolicyViolation");
    expect(sim.control.requests({ method: "UpdateService" })).toEqual([]);
  });

  it("shows a Warn finding beside the changes it would still apply", async () => {
    const dir = await manifestDirectory({
      "policy.yaml": [policy, namespace],
      "api.yaml": [
        manifest("CloudRunServiceConfig", "api", serviceSpec("api", { requestTimeout: "1200s" }), {
          namespace: "prod",
        }),
      ],
    });
    const run = await plan(dir);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toContain(
      "policy warning: policy production rule timeout-ceiling: spec.requestTimeout is 1200s, must be at most 900s",
    );
  });
});
