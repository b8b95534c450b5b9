// The field reports' shape: a dozen Cloud Run services behind one Serverless VPC Access connector. Each
// CloudRunServiceConfig waits for the VpcConnectorConfig it references, then all converge through it.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { condition, Rig, serviceSeed } from "../../support/controller.ts";

const PROJECT = "netra-staging";
const CONNECTOR = `projects/${PROJECT}/locations/us-central1/connectors/staging-connector`;
const NAMES = Array.from({ length: 12 }, (_, i) => `svc-${String(i + 1).padStart(2, "0")}`);

describe("twelve services sharing one connector", () => {
  let rig: Rig;
  beforeAll(async () => {
    const seed = {
      ...serviceSeed(NAMES),
      connectors: [{ name: CONNECTOR, machineType: "e2-micro", minInstances: 2, maxInstances: 3, loadMbps: 50 }],
    };
    rig = await Rig.start("shared-connector", { sim: { seed } });
  });
  afterAll(() => rig.stop());

  it("all wait for the connector config, then converge with its full name", async () => {
    for (const name of NAMES) {
      await rig.create("CloudRunServiceConfig", name, {
        service: { project: PROJECT, region: "us-central1", name },
        resyncInterval: "30s",
        requestTimeout: "600s",
        vpcAccess: { connectorRef: { name: "staging-connector" }, egress: "ALL_TRAFFIC" },
      });
    }
    for (const name of NAMES) {
      await rig.waitForCondition("CloudRunServiceConfig", name, "Ready", { reason: "DependencyNotReady" });
    }
    // Waiting for the connector holds back only the connector: the timeouts are healed meanwhile.
    for (const name of NAMES) {
      await rig.waitFor("CloudRunServiceConfig", name, () => {
        const live = rig.service(`projects/${PROJECT}/locations/us-central1/services/${name}`);
        return live.template.timeout === "600s" && live.template.vpcAccess === undefined;
      });
    }

    await rig.create("VpcConnectorConfig", "staging-connector", {
      connector: { project: PROJECT, region: "us-central1", name: "staging-connector" },
      resyncInterval: "30s",
      machineType: "e2-micro",
      minInstances: 2,
      maxInstances: 3,
      autoscaling: { enabled: false },
    });
    const started = Date.now();
    for (const name of NAMES) {
      const object = await rig.waitFor("CloudRunServiceConfig", name, (o) => condition(o, "Ready")?.status === "True");
      expect(condition(object, "Synced")?.reason).toBe("UpToDate");
      const live = rig.service(`projects/${PROJECT}/locations/us-central1/services/${name}`);
      expect(live.template.vpcAccess).toEqual({ connector: CONNECTOR, egress: "ALL_TRAFFIC" });
    }
    // Readiness of the connector re-queues its dependents at once; nothing waits for a resync (30s).
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

// What the autoscaler raised lives in status.autoscaling.raised, which a re-created VpcConnectorConfig does
// not have; and a connector that can only be replaced must not freeze the services behind it.
describe("a connector raised by the autoscaler, and one that needs replacement", () => {
  const RAISED = `projects/${PROJECT}/locations/us-central1/connectors/raised`;
  const OVERSIZED = `projects/${PROJECT}/locations/us-central1/connectors/oversized`;
  const serviceName = (name: string) => `projects/${PROJECT}/locations/us-central1/services/${name}`;
  const connectorConfig = (name: string, extra: object = {}) => ({
    connector: { project: PROJECT, region: "us-central1", name },
    resyncInterval: "1s",
    machineType: "e2-micro",
    minInstances: 2,
    maxInstances: 3,
    autoscaling: { pollInterval: "1s", metricsDelay: "0s", stabilizationWindow: "2s", ...extra },
  });
  const behind = (name: string, connector: string) => ({
    service: { project: PROJECT, region: "us-central1", name },
    resyncInterval: "1s",
    requestTimeout: "600s",
    vpcAccess: { connectorRef: { name: connector }, egress: "ALL_TRAFFIC" },
  });
  let rig: Rig;
  beforeAll(async () => {
    const seed = serviceSeed(["behind-raised", "attached", "unattached"]);
    // Already attached to the oversized connector, as it was before the connector config changed.
    const attached = seed.services.find((s) => s.name === serviceName("attached"));
    if (attached) Object.assign(attached.template, { vpcAccess: { connector: OVERSIZED, egress: "ALL_TRAFFIC" } });
    rig = await Rig.start("connector-raised", {
      sim: {
        seed: {
          ...seed,
          connectors: [
            // Raised by autoscaling from 3 to 5 under an earlier config of the same spec.
            { name: RAISED, machineType: "e2-micro", minInstances: 2, maxInstances: 5, loadMbps: 50 },
            { name: OVERSIZED, machineType: "e2-micro", minInstances: 2, maxInstances: 10, loadMbps: 50 },
          ],
        },
      },
    });
  });
  afterAll(() => rig.stop());

  it("adopts the raise when the config is deleted and applied again, and keeps autoscaling", async () => {
    await rig.create("CloudRunServiceConfig", "behind-raised", behind("behind-raised", "raised"));
    for (const round of [1, 2]) {
      await rig.create("VpcConnectorConfig", "raised", connectorConfig("raised"));
      const ready = await rig.waitFor(
        "VpcConnectorConfig",
        "raised",
        (o) => condition(o, "Ready")?.status === "True" && o.status?.autoscaling !== undefined,
      );
      expect(condition(ready, "Ready")?.reason).not.toBe("ReplacementRequired");
      expect((ready.status?.autoscaling as { raised?: unknown }).raised).toEqual({ maxInstances: 5 });
      // Autoscaling goes on: it reads utilization and decides again.
      await rig.waitFor("VpcConnectorConfig", "raised", (o) => {
        const autoscaling = o.status?.autoscaling as { lastDecision?: unknown } | undefined;
        return autoscaling?.lastDecision !== undefined;
      });
      expect(ready.status?.live).toMatchObject({ minInstances: 2, maxInstances: 5 });
      expect(rig.calls("PatchConnector", RAISED)).toBe(0);
      const dependent = await rig.waitFor(
        "CloudRunServiceConfig",
        "behind-raised",
        (o) => condition(o, "Ready")?.status === "True",
      );
      expect(dependent.status?.drift).toEqual([]);
      expect(rig.service(serviceName("behind-raised")).template.vpcAccess).toEqual({
        connector: RAISED,
        egress: "ALL_TRAFFIC",
      });
      if (round === 1) await rig.delete("VpcConnectorConfig", "raised");
    }
    expect((await rig.events("raised")).some((e) => e.reason === "RaiseAdopted")).toBe(true);
  });

  it("keeps healing the services of a connector that would need replacement; only a new attachment waits", async () => {
    // maxInstances 10 is beyond this policy's ceiling of 4: no autoscaler of it raised that, so it is a shrink.
    await rig.create("VpcConnectorConfig", "oversized", connectorConfig("oversized", { ceiling: 4 }));
    await rig.waitForCondition("VpcConnectorConfig", "oversized", "Ready", { reason: "ReplacementRequired" });
    await rig.create("CloudRunServiceConfig", "attached", behind("attached", "oversized"));
    await rig.create("CloudRunServiceConfig", "unattached", behind("unattached", "oversized"));
    const attached = await rig.waitFor(
      "CloudRunServiceConfig",
      "attached",
      (o) => condition(o, "Ready")?.status === "True",
    );
    expect(condition(attached, "Ready")?.reason).toBe("UpToDate");
    expect(rig.service(serviceName("attached")).template.timeout).toBe("600s");
    rig.sim.control.patchService(serviceName("attached"), { template: { timeout: "30s" } });
    await rig.waitFor(
      "CloudRunServiceConfig",
      "attached",
      () => rig.service(serviceName("attached")).template.timeout === "600s",
    );

    const waiting = await rig.waitForCondition("CloudRunServiceConfig", "unattached", "Ready", {
      reason: "DependencyNotReady",
    });
    expect(condition(waiting, "Ready")?.message).toContain("ReplacementRequired");
    expect(condition(waiting, "Ready")?.message).toContain("Held back: vpcAccess.connectorRef");
    await rig.waitFor(
      "CloudRunServiceConfig",
      "unattached",
      () => rig.service(serviceName("unattached")).template.timeout === "600s",
    );
    expect(rig.service(serviceName("unattached")).template.vpcAccess).toBeUndefined();
  });
});
