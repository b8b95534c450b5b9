// The connection budget of a shared Cloud SQL instance on the real API server: first come first served. A
// config that is admitted and enforcing keeps its admission and keeps healing, whatever a newcomer does;
// the newcomer that would over-book is the one refused, with the numbers, and still heals every field
// that does not raise its demand. Configs that are denied, or whose service does not exist, count for
// nothing. Admissions survive a controller restart.

import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALLOWED_PROJECTS_ANNOTATION } from "../../../src/controller/tenancy.ts";
import type { ManagedObject } from "../../../src/kinds/kind.ts";
import { condition, envOf, Rig, serviceSeed } from "../../support/controller.ts";
import { createNamespace } from "../../support/kube.ts";

const PROJECT = "netra-staging";
const SANDBOX = "netra-sandbox";
const serviceName = (service: string, project = PROJECT) =>
  `projects/${project}/locations/us-central1/services/${service}`;

/** (size + 0) × 4 connections on `instance`, whose budget is floor(200 × 0.8) = 160. */
const onInstance = (service: string, instance: string, size: number, project = PROJECT, resyncInterval = "1s") => ({
  service: { project, region: "us-central1", name: service },
  resyncInterval,
  requestTimeout: "600s",
  scaling: { maxInstances: 4 },
  database: { cloudSqlInstance: `${PROJECT}:us-central1:${instance}`, maxConnections: 200, pool: { size } },
});

const ready = (o: ManagedObject) => condition(o, "Ready")?.status === "True";

describe("connection budget admission", () => {
  let rig: Rig;
  let tenant: string;
  const holders = ["h-same", "h-tenant", "h-denied", "h-missing", "h-restart", "h-lower"];
  const others = ["greedy", "late-tenant", "late-denied", "late-missing", "over", "lower-peer", "waiting", "alone"];

  beforeAll(async () => {
    tenant = await createNamespace("budget-tenant", { [ALLOWED_PROJECTS_ANNOTATION]: SANDBOX });
    const seed = serviceSeed([...holders, ...others]);
    seed.services.push(...serviceSeed(["intruder", "denied"], SANDBOX).services);
    rig = await Rig.start("budget", {
      namespaceAnnotations: { [ALLOWED_PROJECTS_ANNOTATION]: PROJECT },
      namespaces: [tenant],
      sim: { seed },
    });
  });
  afterAll(() => rig.stop());

  /** Creates an enforcing holder of 60 on `instance` and waits until it is Ready. */
  async function holder(name: string, instance: string): Promise<void> {
    await rig.create("CloudRunServiceConfig", name, onInstance(name, instance, 15));
    const object = await rig.waitFor("CloudRunServiceConfig", name, ready);
    expect(object.status?.connectionBudget).toEqual({ instance: `${PROJECT}:us-central1:${instance}`, admitted: 60 });
  }

  /** The holder stays Ready and heals a regressed request timeout: nothing froze it. */
  async function stillEnforcing(name: string): Promise<void> {
    const before = (await rig.get("CloudRunServiceConfig", name)).status?.driftCorrections as number | undefined;
    rig.sim.control.patchService(serviceName(name), { template: { timeout: "30s" } });
    const healed = await rig.waitFor(
      "CloudRunServiceConfig",
      name,
      (o) => ready(o) && (o.status?.driftCorrections as number) > (before ?? 0),
    );
    expect(rig.service(serviceName(name)).template.timeout).toBe("600s");
    expect(condition(healed, "Ready")?.reason).toBe("UpToDate");
  }

  it("refuses a newcomer in the same namespace that would over-book, and heals everything but its pool", async () => {
    await holder("h-same", "db-same");
    // (30 + 0) × 4 = 120 more than the 100 left.
    await rig.create("CloudRunServiceConfig", "greedy", onInstance("greedy", "db-same", 30));
    const refused = await rig.waitForCondition("CloudRunServiceConfig", "greedy", "Ready", {
      status: "False",
      reason: "ConnectionBudgetExceeded",
    });
    const message = condition(refused, "Ready")?.message ?? "";
    expect(message).toContain(`${rig.namespace}/greedy asks for (30 + 0) × 4 = 120 connections`);
    expect(message).toContain(`1 admitted config holds 60 (${rig.namespace}/h-same 60)`);
    expect(message).toContain("so 180 would exceed the budget floor(200 × 0.8) = 160");
    expect(message).toContain("DB_POOL_SIZE");
    expect(condition(refused, "Synced")?.reason).toBe("ConnectionBudgetExceeded");
    expect(refused.status?.connectionBudget).toMatchObject({ admitted: 0, requested: 120 });
    // What does not raise its demand is applied: the timeout, and maxInstances lowered from 10 to 4.
    const live = rig.service(serviceName("greedy"));
    expect(live.template.timeout).toBe("600s");
    expect(live.template.scaling).toMatchObject({ maxInstanceCount: 4 });
    expect(envOf(live.template.containers[0]).DB_POOL_SIZE).toBeUndefined();
    expect(live.template.volumes ?? []).toEqual([]);

    const holderNow = await rig.get("CloudRunServiceConfig", "h-same");
    expect(condition(holderNow, "Ready")).toMatchObject({ status: "True", reason: "UpToDate" });
    await stillEnforcing("h-same");
  });

  it.each([
    ["in another tenant's namespace not allowed the instance's project", "late-tenant", "db-tenant", "h-tenant"],
    ["itself denied its service's project", "late-denied", "db-denied", "h-denied"],
    ["pointing at a service that does not exist", "late-missing", "db-missing", "h-missing"],
  ])("does not count a newcomer %s", async (_, late, instance, holderName) => {
    await holder(holderName, instance);
    // Each intruder asks for 120: counted, it would leave no room for `late` below.
    if (late === "late-tenant") {
      await rig.create("CloudRunServiceConfig", "intruder", onInstance("intruder", instance, 30, SANDBOX), {}, tenant);
      const denied = await rig.waitForCondition(
        "CloudRunServiceConfig",
        "intruder",
        "Ready",
        { reason: "ProjectNotAllowed" },
        20_000,
        tenant,
      );
      expect(condition(denied, "Ready")?.message).toContain(
        `Project ${PROJECT} (spec.database.cloudSqlInstance) is not in namespace ${tenant}'s`,
      );
      expect(rig.callsAbout(serviceName("intruder", SANDBOX))).toEqual([]);
    } else if (late === "late-denied") {
      await rig.create("CloudRunServiceConfig", "denied", onInstance("denied", instance, 30, SANDBOX));
      await rig.waitForCondition("CloudRunServiceConfig", "denied", "Ready", { reason: "ProjectNotAllowed" });
    } else {
      await rig.create("CloudRunServiceConfig", "ghost", onInstance("no-such-service", instance, 30));
      await rig.waitForCondition("CloudRunServiceConfig", "ghost", "Ready", { reason: "NotFound" });
    }
    await stillEnforcing(holderName);
    // 60 + 100 = 160 fits only if the intruder counts for nothing.
    await rig.create("CloudRunServiceConfig", late, onInstance(late, instance, 25));
    const admitted = await rig.waitFor("CloudRunServiceConfig", late, ready);
    expect(admitted.status?.connectionBudget).toMatchObject({ admitted: 100 });
    expect(envOf(rig.service(serviceName(late)).template.containers[0]).DB_POOL_SIZE).toBe("25");
  });

  it("reports a spec over its own budget as ConnectionBudgetExceeded, like a shared instance, and heals the rest", async () => {
    await rig.create("CloudRunServiceConfig", "alone", {
      ...onInstance("alone", "db-alone", 10),
      scaling: { maxInstances: 20 },
    });
    const refused = await rig.waitForCondition("CloudRunServiceConfig", "alone", "Ready", {
      reason: "ConnectionBudgetExceeded",
    });
    expect(condition(refused, "Ready")?.message).toContain("(10 + 0) × 20 = 200 connections");
    expect(condition(refused, "Ready")?.message).toContain("floor(200 × 0.8) = 160");
    await rig.waitFor(
      "CloudRunServiceConfig",
      "alone",
      () => rig.service(serviceName("alone")).template.timeout === "600s",
    );
  });

  it("re-admits a waiting config by event as soon as a peer lowers its pool", async () => {
    await holder("h-lower", "db-lower");
    await rig.create("CloudRunServiceConfig", "lower-peer", onInstance("lower-peer", "db-lower", 15));
    await rig.waitFor("CloudRunServiceConfig", "lower-peer", ready);
    // A ten-minute resync: only an event can re-admit it.
    await rig.create("CloudRunServiceConfig", "waiting", onInstance("waiting", "db-lower", 15, PROJECT, "10m"));
    await rig.waitForCondition("CloudRunServiceConfig", "waiting", "Ready", { reason: "ConnectionBudgetExceeded" });
    await sleep(500);
    const lowered = Date.now();
    await rig.patch("CloudRunServiceConfig", "lower-peer", { spec: { database: { pool: { size: 5 } } } });
    await rig.waitFor("CloudRunServiceConfig", "waiting", ready, 10_000);
    expect(Date.now() - lowered).toBeLessThan(5_000);
    expect(envOf(rig.service(serviceName("waiting")).template.containers[0]).DB_POOL_SIZE).toBe("15");
  });

  it("keeps admissions across a controller restart: the refused one stays refused", async () => {
    await holder("h-restart", "db-restart");
    await rig.create("CloudRunServiceConfig", "over", onInstance("over", "db-restart", 30));
    await rig.waitForCondition("CloudRunServiceConfig", "over", "Ready", { reason: "ConnectionBudgetExceeded" });
    await rig.stopController();
    // Nudge the refused one so a fresh controller is asked about it first.
    await rig.patch("CloudRunServiceConfig", "over", { metadata: { annotations: { nudge: "1" } } });
    await rig.startController();
    await sleep(3_000);
    const over = await rig.get("CloudRunServiceConfig", "over");
    expect(condition(over, "Ready")?.reason).toBe("ConnectionBudgetExceeded");
    expect(envOf(rig.service(serviceName("over")).template.containers[0]).DB_POOL_SIZE).toBeUndefined();
    const kept = await rig.get("CloudRunServiceConfig", "h-restart");
    expect(condition(kept, "Ready")).toMatchObject({ status: "True", reason: "UpToDate" });
    expect(kept.status?.connectionBudget).toMatchObject({ admitted: 60 });
    await stillEnforcing("h-restart");
  });
});
