// The generic policies around a reconcile: pausing, the namespace's project allowlist, deletion that
// leaves Google alone, on-demand reconciles, and waiting for a VpcConnectorConfig dependency. The
// simulator's request log witnesses every Google call (or its absence).

import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALLOWED_PROJECTS_ANNOTATION } from "../../../src/controller/tenancy.ts";
import { PAUSED_ANNOTATION, RECONCILE_REQUESTED_AT_ANNOTATION } from "../../../src/controller/resync.ts";
import { condition, envOf, Rig, serviceSeed } from "../../support/controller.ts";

const PROJECT = "netra-staging";
const SANDBOX = "netra-sandbox";
const name = (service: string, project = PROJECT) => `projects/${project}/locations/us-central1/services/${service}`;

const spec = (service: string, extra: object = {}, project = PROJECT) => ({
  service: { project, region: "us-central1", name: service },
  resyncInterval: "1s",
  requestTimeout: "600s",
  env: { FEATURE: "on" },
  ...extra,
});

const ready = (o: { status?: Record<string, unknown> }) => condition(o, "Ready")?.status === "True";

describe("reconcile policies", () => {
  let rig: Rig;
  beforeAll(async () => {
    const seed = serviceSeed(["paused", "removed", "on-demand", "wired"]);
    seed.services.push(...serviceSeed(["tenant"], SANDBOX).services);
    rig = await Rig.start("policies", {
      namespaceAnnotations: { [ALLOWED_PROJECTS_ANNOTATION]: PROJECT },
      sim: {
        seed: {
          ...seed,
          connectors: [
            {
              name: `projects/${PROJECT}/locations/us-central1/connectors/staging-connector`,
              machineType: "e2-micro",
              minInstances: 2,
              maxInstances: 3,
            },
          ],
        },
      },
    });
  });
  afterAll(() => rig.stop());

  it("makes no Google call while paused and resumes when the annotation is removed", async () => {
    await rig.create("CloudRunServiceConfig", "paused", spec("paused"), { [PAUSED_ANNOTATION]: "true" });
    const paused = await rig.waitForCondition("CloudRunServiceConfig", "paused", "Synced", { reason: "Paused" });
    expect(condition(paused, "Synced")?.status).toBe("False");
    await sleep(2_500);
    expect(rig.callsAbout(name("paused"))).toEqual([]);
    expect(rig.service(name("paused")).template.timeout).toBe("300s");

    expect(condition(paused, "Ready")).toMatchObject({ status: "Unknown", reason: "Paused" });

    await rig.patch("CloudRunServiceConfig", "paused", { metadata: { annotations: { [PAUSED_ANNOTATION]: null } } });
    await rig.waitFor("CloudRunServiceConfig", "paused", ready);
    expect(rig.service(name("paused")).template.timeout).toBe("600s");
    // One Event when pausing, one when resuming, however many passes saw it paused.
    const marks = (await rig.events("paused")).filter((e) => e.reason === "Paused" || e.reason === "Resumed");
    expect(marks.map((e) => `${e.reason}/${e.type}`).sort()).toEqual(["Paused/Normal", "Resumed/Normal"]);
  });

  it("refuses a project the namespace does not allow, and re-checks when the allowlist changes", async () => {
    await rig.create("CloudRunServiceConfig", "tenant", spec("tenant", {}, SANDBOX));
    const denied = await rig.waitForCondition("CloudRunServiceConfig", "tenant", "Ready", {
      reason: "ProjectNotAllowed",
    });
    expect(condition(denied, "Ready")).toMatchObject({ status: "False" });
    expect(condition(denied, "Ready")?.message).toContain(`Project ${SANDBOX} is not in namespace ${rig.namespace}`);
    expect(condition(denied, "Ready")?.message).toContain(`(${PROJECT})`);
    await sleep(2_500);
    expect(rig.callsAbout(name("tenant", SANDBOX))).toEqual([]);

    await rig.annotateNamespace({ [ALLOWED_PROJECTS_ANNOTATION]: `${PROJECT}, ${SANDBOX}` });
    await rig.waitFor("CloudRunServiceConfig", "tenant", ready);
    expect(rig.service(name("tenant", SANDBOX)).template.timeout).toBe("600s");
  });

  it("leaves the service exactly as it was when the config is deleted", async () => {
    await rig.create("CloudRunServiceConfig", "removed", spec("removed"));
    await rig.waitFor("CloudRunServiceConfig", "removed", ready);
    const before = rig.service(name("removed"));
    rig.sim.control.clearRequests();

    await rig.delete("CloudRunServiceConfig", "removed");
    await expect(rig.get("CloudRunServiceConfig", "removed")).rejects.toThrow();
    await sleep(2_500);
    expect(rig.callsAbout(name("removed"))).toEqual([]);
    expect(rig.service(name("removed"))).toEqual(before);
    expect(envOf(before.template.containers[0]).FEATURE).toBe("on");
  });

  it("reconciles at once when reconcile-requested-at changes, long before the next resync", async () => {
    await rig.create("CloudRunServiceConfig", "on-demand", spec("on-demand", { resyncInterval: "10m" }));
    await rig.waitFor("CloudRunServiceConfig", "on-demand", ready);
    rig.sim.control.patchService(name("on-demand"), { template: { timeout: "30s" } });
    rig.sim.control.clearRequests();
    await sleep(2_000);
    // Nothing looks at the service on its own for ten minutes.
    expect(rig.calls("GetService", name("on-demand"))).toBe(0);

    const requestedAt = Date.now();
    await rig.patch("CloudRunServiceConfig", "on-demand", {
      metadata: { annotations: { [RECONCILE_REQUESTED_AT_ANNOTATION]: new Date(requestedAt).toISOString() } },
    });
    const healed = await rig.waitFor(
      "CloudRunServiceConfig",
      "on-demand",
      (o) => ready(o) && o.status?.driftCorrections === 1,
    );
    const [firstRead] = rig.sim.control.requests({ method: "GetService", resource: name("on-demand") });
    expect(Date.parse(firstRead?.time ?? "") - requestedAt).toBeLessThan(2_000);
    expect(rig.service(name("on-demand")).template.timeout).toBe("600s");
    expect(healed.status?.drift).toEqual([]);
  });

  it("waits for its VpcConnectorConfig to be Ready, then uses the full connector name", async () => {
    await rig.create(
      "CloudRunServiceConfig",
      "wired",
      spec("wired", { vpcAccess: { connectorRef: { name: "vpc" }, egress: "ALL_TRAFFIC" } }),
    );
    const missing = await rig.waitForCondition("CloudRunServiceConfig", "wired", "Ready", {
      reason: "DependencyNotReady",
    });
    expect(condition(missing, "Ready")?.message).toContain("does not exist yet");

    // Paused, the connector config is never read, so its readiness is unknown and it is waited for.
    await rig.create(
      "VpcConnectorConfig",
      "vpc",
      {
        connector: { project: PROJECT, region: "us-central1", name: "staging-connector" },
        resyncInterval: "1s",
        machineType: "e2-micro",
        minInstances: 2,
        maxInstances: 3,
        autoscaling: { enabled: false },
      },
      { [PAUSED_ANNOTATION]: "true" },
    );
    await rig.waitFor("CloudRunServiceConfig", "wired", (o) =>
      Boolean(condition(o, "Ready")?.message.includes("Ready=Unknown (Paused)")),
    );
    expect(condition(await rig.get("CloudRunServiceConfig", "wired"), "Synced")?.reason).toBe("DependencyNotReady");
    await sleep(1_500);
    expect(rig.callsAbout(name("wired"))).toEqual([]);

    // Resumed, the connector controller finds the seeded connector as declared and reports it Ready.
    await rig.patch("VpcConnectorConfig", "vpc", { metadata: { annotations: { [PAUSED_ANNOTATION]: null } } });
    await rig.waitForCondition("VpcConnectorConfig", "vpc", "Ready", { status: "True" });
    await rig.waitFor("CloudRunServiceConfig", "wired", ready);
    expect(rig.service(name("wired")).template.vpcAccess).toEqual({
      connector: `projects/${PROJECT}/locations/us-central1/connectors/staging-connector`,
      egress: "ALL_TRAFFIC",
    });
  });
});
