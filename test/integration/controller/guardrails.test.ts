// ServiceConfigPolicy in the controller, on the real API server: a Deny rule keeps a regressed commit from
// ever reaching Google (the simulator's request log has no write), a Warn rule lets the spec through and says
// so, a policy change re-judges at once, and a broken policy reports itself and judges nothing.

import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { condition, envOf, Rig, serviceSeed } from "../../support/controller.ts";
import { kubectl } from "../../support/kube.ts";

const PROJECT = "netra-production";
const SERVICE = (name: string) => `projects/${PROJECT}/locations/us-central1/services/${name}`;

const spec = (service: string, initialization: string, extra: object = {}) => ({
  service: { project: PROJECT, region: "us-central1", name: service },
  resyncInterval: "1s",
  requestTimeout: "600s",
  database: { timeouts: { initialization, connection: "35s" } },
  ...extra,
});

async function applyPolicy(name: string, environment: string, rules: object[]): Promise<void> {
  const policy = {
    apiVersion: "driftguard.dev/v1alpha1",
    kind: "ServiceConfigPolicy",
    metadata: { name },
    spec: { namespaceSelector: { matchLabels: { environment } }, rules },
  };
  const result = await kubectl(["apply", "-f", "-"], { input: stringify(policy) });
  expect(result.code, result.stderr).toBe(0);
}

async function policyStatus(name: string): Promise<Record<string, unknown>> {
  const result = await kubectl(["get", "serviceconfigpolicies.driftguard.dev", name, "-o", "json"]);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { status?: Record<string, unknown> }).status ?? {};
}

async function waitForPolicy(name: string, predicate: (s: Record<string, unknown>) => boolean) {
  const deadline = Date.now() + 20_000;
  let last: Record<string, unknown> = {};
  while (Date.now() < deadline) {
    last = await policyStatus(name);
    if (predicate(last)) return last;
    await sleep(200);
  }
  throw new Error(`policy ${name} never matched; status ${JSON.stringify(last)}`);
}

describe("guardrails in the controller", () => {
  let rig: Rig;
  // Unique per run: policies are cluster-scoped and the API server is shared by the test files.
  const environment = `prod-${Date.now().toString(36)}`;
  const floor = `floor-${environment}`;
  const broken = `broken-${environment}`;

  beforeAll(async () => {
    rig = await Rig.start("guardrails", {
      sim: { seed: serviceSeed(["regressed", "warned", "fixed-later"], PROJECT) },
      deferController: true,
    });
    const label = await kubectl(["label", "namespace", rig.namespace, `environment=${environment}`]);
    expect(label.code, label.stderr).toBe(0);
    await applyPolicy(floor, environment, [
      { name: "db-initialization-floor", field: "database.timeouts.initialization", min: "75s" },
      { name: "db-connection-floor", field: "database.timeouts.connection", min: "40s", severity: "Warn" },
    ]);
    await rig.startController();
  });
  afterAll(async () => {
    await kubectl(["delete", "serviceconfigpolicies.driftguard.dev", floor, broken, "--ignore-not-found"]);
    await rig.stop();
  });

  it("refuses a spec below a Deny floor: PolicyViolation, an Event, and no write to Google", async () => {
    await rig.create("CloudRunServiceConfig", "regressed", spec("regressed", "25s"));
    const refused = await rig.waitForCondition("CloudRunServiceConfig", "regressed", "Ready", {
      reason: "PolicyViolation",
    });
    const message = condition(refused, "Ready")?.message ?? "";
    expect(message).toContain(`policy ${floor} rule db-initialization-floor`);
    expect(message).toContain("spec.database.timeouts.initialization is 25s, must be at least 75s");
    expect(condition(refused, "PolicyCompliant")).toMatchObject({ status: "False", reason: "PolicyViolation" });
    const events = await rig.events("regressed");
    expect(events.filter((e) => e.reason === "PolicyViolation")).toHaveLength(1);
    await sleep(2_000);
    expect(rig.calls("UpdateService", SERVICE("regressed"))).toBe(0);
    expect(envOf(rig.service(SERVICE("regressed")).template.containers[0]).DB_INITIALIZATION_TIMEOUT).toBeUndefined();
    // The policy's own status counts it.
    const status = await waitForPolicy(floor, (s) => s.violations === 1);
    expect(status).toMatchObject({ selector: `environment=${environment}`, ruleCount: 2, namespaces: 1 });
    expect(condition({ status }, "Ready")).toMatchObject({ status: "True", reason: "InForce" });
  });

  it("applies a spec that only breaks a Warn rule, and reports it", async () => {
    await rig.create("CloudRunServiceConfig", "warned", spec("warned", "75s"));
    const applied = await rig.waitForCondition("CloudRunServiceConfig", "warned", "Ready", { status: "True" });
    expect(condition(applied, "PolicyCompliant")).toMatchObject({ status: "False", reason: "PolicyWarning" });
    expect(condition(applied, "PolicyCompliant")?.message).toContain(
      "spec.database.timeouts.connection is 35s, must be at least 40s",
    );
    expect(envOf(rig.service(SERVICE("warned")).template.containers[0]).DB_INITIALIZATION_TIMEOUT).toBe("75");
    expect((await rig.events("warned")).filter((e) => e.reason === "PolicyWarning")).toHaveLength(1);
  });

  it("re-judges at once when the policy changes", async () => {
    await rig.create("CloudRunServiceConfig", "fixed-later", spec("fixed-later", "60s", { resyncInterval: "10m" }));
    await rig.waitForCondition("CloudRunServiceConfig", "fixed-later", "Ready", { reason: "PolicyViolation" });
    await applyPolicy(floor, environment, [
      { name: "db-initialization-floor", field: "database.timeouts.initialization", min: "60s" },
    ]);
    // A 10-minute resync: only the policy change can bring it back within the wait.
    await rig.waitForCondition("CloudRunServiceConfig", "fixed-later", "Ready", { status: "True" });
    expect(envOf(rig.service(SERVICE("fixed-later")).template.containers[0]).DB_INITIALIZATION_TIMEOUT).toBe("60");
  });

  it("reports a broken policy on its own status and lets it judge nothing", async () => {
    await applyPolicy(broken, environment, [
      { name: "typo", field: "database.timeout.initialization", min: "300s" },
      { name: "upside-down", field: "scaling.maxInstances", min: 10, max: 2 },
    ]);
    const status = await waitForPolicy(broken, (s) => condition({ status: s }, "Ready")?.reason === "InvalidPolicy");
    const ready = condition({ status }, "Ready");
    expect(ready?.status).toBe("False");
    expect(ready?.message).toContain('has no field "database.timeout.initialization"');
    expect(ready?.message).toContain("min 10 is above max 2");
    // The objects it would have judged are untouched by it.
    await sleep(1_500);
    const warned = await rig.get("CloudRunServiceConfig", "warned");
    expect(condition(warned, "Ready")?.status).toBe("True");
  });
});
