// Specs the API server accepts but driftguard must refuse: Kubernetes 1.20 has no CEL, so cross-field rules
// reach the controller, which reports them with the numbers involved and never calls Google for them.

import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { condition, Rig, serviceSeed } from "../../support/controller.ts";

const PROJECT = "netra-staging";
const SERVICE = `projects/${PROJECT}/locations/us-central1/services`;

const spec = (name: string, extra: object = {}) => ({
  service: { project: PROJECT, region: "us-central1", name },
  resyncInterval: "1s",
  requestTimeout: "600s",
  ...extra,
});

const invalid: Array<{ name: string; extra: object; field: string; numbers: string[] }> = [
  {
    name: "probe-budget",
    extra: {
      database: { timeouts: { initialization: "75s" } },
      startupProbe: { tcpSocket: { port: 8080 }, periodSeconds: 10, failureThreshold: 3 },
    },
    field: "spec.startupProbe",
    numbers: ["0 + 3 × 10 = 30s", "75s", "failureThreshold 8"],
  },
  {
    name: "pool-timeout",
    extra: { database: { timeouts: { connection: "35s", pool: "20s" } } },
    field: "spec.database.timeouts.pool",
    numbers: ["pool timeout 20s", "connection timeout 35s"],
  },
  {
    name: "scaling",
    extra: { scaling: { minInstances: 5, maxInstances: 2 } },
    field: "spec.scaling.minInstances",
    numbers: ["minInstances 5 exceeds maxInstances 2"],
  },
  {
    name: "unbounded",
    extra: { database: { maxConnections: 100, pool: { size: 5 } } },
    field: "spec.scaling.maxInstances",
    numbers: ["spec.database.maxConnections", "spec.database.pool.size"],
  },
  {
    name: "probe-timeout",
    extra: { startupProbe: { httpGet: { path: "/health" }, periodSeconds: 5, timeoutSeconds: 8 } },
    field: "spec.startupProbe.timeoutSeconds",
    numbers: ["timeoutSeconds 8 exceeds periodSeconds 5"],
  },
  {
    name: "system-annotation",
    extra: { annotations: { "run.googleapis.com/ingress": "internal" } },
    field: 'spec.annotations["run.googleapis.com/ingress"]',
    numbers: ["Service.ingress"],
  },
  {
    name: "unknown-annotation",
    extra: { annotations: { "run.googleapis.com/frobnicate": "yes" } },
    field: 'spec.annotations["run.googleapis.com/frobnicate"]',
    numbers: ["run.googleapis.com/ namespace"],
  },
];

// Three configs on one instance, each within its own budget, together over it: (10 + 5) × 4 = 60 each,
// 180 in all, against floor(200 × 0.8) = 160.
const shared = (name: string, size: number) =>
  spec(name, {
    scaling: { maxInstances: 4 },
    database: {
      cloudSqlInstance: `${PROJECT}:us-central1:shared-db`,
      maxConnections: 200,
      pool: { size, maxOverflow: 5 },
      timeouts: { connection: "10s", pool: "30s" },
    },
  });
const SHARED = ["orders", "billing", "search"];

describe("invalid CloudRunServiceConfigs", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await Rig.start("invalid", {
      sim: { seed: serviceSeed([...invalid.map((c) => c.name), ...SHARED, "annotated"]) },
      deferController: true,
    });
    // Created before the controller starts, so no pass can ever see only part of the shared instance.
    for (const name of SHARED) await rig.create("CloudRunServiceConfig", name, shared(name, 10));
    await rig.startController();
  });
  afterAll(() => rig.stop());

  it("reports every cross-field violation as InvalidSpec with the field and numbers, without calling Google", async () => {
    for (const c of invalid) await rig.create("CloudRunServiceConfig", c.name, spec(c.name, c.extra));
    for (const c of invalid) {
      const object = await rig.waitForCondition("CloudRunServiceConfig", c.name, "Ready", { reason: "InvalidSpec" });
      const ready = condition(object, "Ready");
      expect(ready?.status).toBe("False");
      expect(condition(object, "Synced")).toMatchObject({ status: "False", reason: "InvalidSpec" });
      expect(ready?.message).toContain(c.field);
      for (const n of c.numbers) expect(ready?.message).toContain(n);
    }
    // Several resync intervals later, still not a single call about any of these services.
    await sleep(3_000);
    for (const c of invalid) expect(rig.callsAbout(`${SERVICE}/${c.name}`)).toEqual([]);
  });

  it("admits the configs of an over-committed Cloud SQL instance that fit, refuses the one that does not", async () => {
    // All three were created before the controller started: two fit (120 of 160), whichever asks last does not.
    const objects = await Promise.all(
      SHARED.map((name) =>
        rig.waitFor("CloudRunServiceConfig", name, (o) =>
          ["True", "ConnectionBudgetExceeded"].some((v) =>
            [condition(o, "Ready")?.status, condition(o, "Ready")?.reason].includes(v),
          ),
        ),
      ),
    );
    const refused = objects.filter((o) => condition(o, "Ready")?.reason === "ConnectionBudgetExceeded");
    expect(refused).toHaveLength(1);
    const message = condition(refused[0]!, "Ready")?.message ?? "";
    expect(message).toContain("asks for (10 + 5) × 4 = 60 connections");
    expect(message).toContain("2 admitted configs hold 120");
    expect(message).toContain("floor(200 × 0.8) = 160");
    // Held back, it still heals what does not raise its demand.
    for (const name of SHARED) expect(rig.service(`${SERVICE}/${name}`).template.timeout).toBe("600s");

    // (5 + 5) × 4 = 40 brings the sum to 160: every one of the three may now proceed.
    await rig.patch("CloudRunServiceConfig", "search", { spec: { database: { pool: { size: 5 } } } });
    for (const name of SHARED) {
      await rig.waitForCondition("CloudRunServiceConfig", name, "Ready", { status: "True" });
    }
  });

  it("turns v1 annotations into v2 fields on the live service, never into annotations", async () => {
    await rig.create(
      "CloudRunServiceConfig",
      "annotated",
      spec("annotated", {
        annotations: {
          "run.googleapis.com/vpc-access-connector": "staging-connector",
          "run.googleapis.com/vpc-access-egress": "all-traffic",
          "autoscaling.knative.dev/maxScale": "7",
          "run.googleapis.com/startup-cpu-boost": "true",
          "team.example.com/owner": "platform",
        },
      }),
    );
    await rig.waitForCondition("CloudRunServiceConfig", "annotated", "Ready", { status: "True" });
    const live = rig.service(`${SERVICE}/annotated`);
    expect(live.template.vpcAccess).toEqual({
      connector: `projects/${PROJECT}/locations/us-central1/connectors/staging-connector`,
      egress: "ALL_TRAFFIC",
    });
    expect(live.template.scaling).toMatchObject({ maxInstanceCount: 7 });
    expect(live.template.containers[0]?.resources).toMatchObject({ startupCpuBoost: true });
    expect(live.annotations).toEqual({ "team.example.com/owner": "platform" });
    const templateAnnotations = Object.keys(live.template.annotations ?? {});
    expect(templateAnnotations.filter((k) => k.includes("googleapis.com") || k.includes("knative.dev"))).toEqual([]);
  });
});
