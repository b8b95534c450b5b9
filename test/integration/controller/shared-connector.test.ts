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
