// CloudRunServiceConfig end to end: the real kube-apiserver, the simulator through the real Cloud Run
// client, and driftguard's own runtime.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { condition, envOf, Rig, type LiveService } from "../../support/controller.ts";

const PROJECT = "netra-staging";
const SERVICE = `projects/${PROJECT}/locations/us-central1/services`;

const seed = (names: string[]) => ({
  services: names.map((name) => ({
    name: `${SERVICE}/${name}`,
    template: {
      containers: [
        {
          name: "app",
          image: "us-docker.pkg.dev/netra-staging/app/backend:v1",
          env: [
            { name: "DB_INITIALIZATION_TIMEOUT", value: "25" },
            { name: "UNMANAGED", value: "keep-me" },
          ],
          resources: { limits: { cpu: "1000m", memory: "512Mi" } },
        },
      ],
      timeout: "300s",
      scaling: { maxInstanceCount: 10 },
    },
    labels: { owner: "ci" },
  })),
});

const spec = (name: string, extra: object = {}) => ({
  service: { project: PROJECT, region: "us-central1", name },
  resyncInterval: "2s",
  requestTimeout: "600s",
  resources: { cpu: "2", memory: "4Gi" },
  scaling: { maxInstances: 4 },
  labels: { team: "platform" },
  database: {
    // One instance per service: together they would exceed a shared instance's budget (tested elsewhere).
    cloudSqlInstance: `${PROJECT}:us-central1:db-${name}`,
    maxConnections: 400,
    timeouts: { initialization: "75s", connection: "35s", pool: "45s" },
    pool: { size: 10, maxOverflow: 15 },
  },
  startupProbe: { tcpSocket: { port: 8080 }, periodSeconds: 10, failureThreshold: 9 },
  ...extra,
});

describe("CloudRunServiceConfig against the simulator", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await Rig.start("crsc", { sim: { seed: seed(["backend", "drifty", "observed", "ci"]) } });
  });
  afterAll(() => rig.stop());

  it("changes exactly the owned fields of the service and reports Ready", async () => {
    const before = rig.service(`${SERVICE}/backend`);
    await rig.create("CloudRunServiceConfig", "backend", spec("backend"));
    const object = await rig.waitFor(
      "CloudRunServiceConfig",
      "backend",
      (o) => condition(o, "Ready")?.status === "True",
    );
    expect(condition(object, "Synced")).toMatchObject({ status: "True", reason: "UpToDate" });
    expect(object.status?.driftCount).toBe(0);

    const after = rig.service(`${SERVICE}/backend`);
    const container = after.template.containers[0];
    expect(after.template.timeout).toBe("600s");
    expect(container?.image).toBe(before.template.containers[0]?.image);
    expect(container?.resources?.limits).toMatchObject({ cpu: "2", memory: "4Gi" });
    expect(envOf(container)).toMatchObject({
      UNMANAGED: "keep-me",
      DB_INITIALIZATION_TIMEOUT: "75",
      DB_POOL_SIZE: "10",
      DB_MAX_OVERFLOW: "15",
    });
    expect(after.labels).toEqual({ owner: "ci", team: "platform" });
    expect(after.template.volumes).toEqual([
      { name: "cloudsql", cloudSqlInstance: { instances: [`${PROJECT}:us-central1:db-backend`] } },
    ]);
    // Nothing but the owned fields moved: strip them and compare the rest of the service.
    const strip = (s: LiveService) => {
      const copy = structuredClone(s) as Record<string, unknown> & LiveService;
      for (const key of [
        "etag",
        "generation",
        "observedGeneration",
        "updateTime",
        "latestCreatedRevision",
        "latestReadyRevision",
        "labels",
        "conditions",
        "terminalCondition",
        "traffic",
        "trafficStatuses",
        "reconciling",
        "lastModifier",
      ])
        delete copy[key];
      for (const key of ["timeout", "volumes", "revision", "scaling"]) delete copy.template[key];
      copy.template.containers = copy.template.containers.map((c) => ({
        ...c,
        env: undefined,
        resources: undefined,
        volumeMounts: undefined,
        startupProbe: undefined,
      }));
      return copy;
    };
    expect(strip(after)).toEqual(strip(before));
  });

  it("heals out-of-band drift within one resync and records it in status and an event", async () => {
    await rig.create("CloudRunServiceConfig", "drifty", spec("drifty"));
    await rig.waitFor("CloudRunServiceConfig", "drifty", (o) => condition(o, "Ready")?.status === "True");
    const container = rig.service(`${SERVICE}/drifty`).template.containers[0];
    const env = (container?.env ?? []).map((e) =>
      e.name.startsWith("DB_") && e.name.endsWith("TIMEOUT") ? { ...e, value: "25" } : e,
    );
    rig.sim.control.patchService(`${SERVICE}/drifty`, { template: { containers: [{ ...container, env }] } });

    const healed = await rig.waitFor(
      "CloudRunServiceConfig",
      "drifty",
      (o) => Number(o.status?.driftCorrections ?? 0) >= 1 && condition(o, "Ready")?.status === "True",
      8_000,
    );
    expect(healed.status?.driftCorrections).toBe(1);
    expect(envOf(rig.service(`${SERVICE}/drifty`).template.containers[0])).toMatchObject({
      DB_INITIALIZATION_TIMEOUT: "75",
      DB_CONNECTION_TIMEOUT: "35",
      DB_POOL_TIMEOUT: "45",
    });
    const events = await rig.events("drifty");
    const detected = events.find((e) => e.reason === "DriftDetected");
    expect(detected?.note).toContain("DB_INITIALIZATION_TIMEOUT");
    expect(detected?.note).toContain("DB_INITIALIZATION_TIMEOUT 75 → 25");
    expect(events.some((e) => e.reason === "DriftCorrected")).toBe(true);
  });

  it("in Observe mode reports drift and never writes to Google", async () => {
    rig.sim.control.clearRequests();
    await rig.create("CloudRunServiceConfig", "observed", spec("observed", { managementPolicy: "Observe" }));
    const object = await rig.waitFor(
      "CloudRunServiceConfig",
      "observed",
      (o) => condition(o, "Synced")?.reason === "DriftDetected",
    );
    expect(condition(object, "Ready")).toMatchObject({ status: "False", reason: "DriftDetected" });
    expect((object.status?.drift as unknown[]).length).toBeGreaterThan(3);
    await new Promise((r) => setTimeout(r, 2500));
    expect(rig.calls("UpdateService", `${SERVICE}/observed`)).toBe(0);
    expect(rig.calls("GetService", `${SERVICE}/observed`)).toBeGreaterThanOrEqual(2);
  });

  it("never loses an image deployed by CI while it keeps re-applying settings", async () => {
    await rig.create("CloudRunServiceConfig", "ci", spec("ci", { resyncInterval: "1s" }));
    await rig.waitFor("CloudRunServiceConfig", "ci", (o) => condition(o, "Ready")?.status === "True");
    const updatesBefore = rig.calls("UpdateService", `${SERVICE}/ci`);
    for (let i = 1; i <= 50; i++) {
      const container = rig.service(`${SERVICE}/ci`).template.containers[0];
      // Whatever driftguard wrote since the last deploy must have kept that deploy's image.
      if (i > 1) expect(container?.image).toBe(`us-docker.pkg.dev/netra-staging/app/backend:build-${i - 1}`);
      // Each deploy also knocks a setting back, so driftguard keeps writing while CI keeps deploying.
      const env = (container?.env ?? []).map((e) => (e.name === "DB_POOL_SIZE" ? { ...e, value: String(100 + i) } : e));
      rig.sim.control.patchService(
        `${SERVICE}/ci`,
        {
          template: {
            containers: [{ ...container, image: `us-docker.pkg.dev/netra-staging/app/backend:build-${i}`, env }],
          },
        },
        "ci-deploy",
      );
      await new Promise((r) => setTimeout(r, 150));
    }
    const final = await rig.waitFor(
      "CloudRunServiceConfig",
      "ci",
      (o) => condition(o, "Ready")?.status === "True" && o.status?.driftCount === 0,
      15_000,
    );
    // driftguard really did write while the deploys went on.
    expect(rig.calls("UpdateService", `${SERVICE}/ci`) - updatesBefore).toBeGreaterThanOrEqual(3);
    expect(final.status?.driftCorrections).toBeGreaterThanOrEqual(3);
    const container = rig.service(`${SERVICE}/ci`).template.containers[0];
    expect(container?.image).toBe("us-docker.pkg.dev/netra-staging/app/backend:build-50");
    expect(envOf(container).DB_POOL_SIZE).toBe("10");
  });
});
