// The Argo CD health script evaluated against objects as the real controller leaves them on the real
// kube-apiserver: each state below is produced by driftguard itself, then read back and judged by
// deploy/argocd/health.lua under Lua 5.1.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAUSED_ANNOTATION } from "../../../src/controller/resync.ts";
import { argoHealth, luaAvailable } from "../../support/argocd-health.ts";
import { Rig, serviceSeed } from "../../support/controller.ts";

const PROJECT = "netra-staging";
const spec = (service: string, extra: object = {}) => ({
  service: { project: PROJECT, region: "us-central1", name: service },
  resyncInterval: "1s",
  requestTimeout: "600s",
  ...extra,
});

describe.skipIf(!luaAvailable)("Argo CD health of objects the controller reconciled", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await Rig.start("argocd", {
      sim: { seed: serviceSeed(["ready", "paused", "observed", "invalid", "waiting", "failing"]) },
    });
  });
  afterAll(() => rig.stop());

  it("is Healthy once the service matches the spec", async () => {
    await rig.create("CloudRunServiceConfig", "ready", spec("ready"));
    const ready = await rig.waitForCondition("CloudRunServiceConfig", "ready", "Ready", { status: "True" });
    expect(argoHealth(ready)).toMatchObject({ status: "Healthy" });
  });

  it("is Suspended while paused", async () => {
    await rig.create("CloudRunServiceConfig", "paused", spec("paused"), { [PAUSED_ANNOTATION]: "true" });
    const paused = await rig.waitForCondition("CloudRunServiceConfig", "paused", "Synced", { reason: "Paused" });
    expect(argoHealth(paused)).toMatchObject({ status: "Suspended" });
  });

  it("is Degraded when Observe-only finds drift it will not fix", async () => {
    await rig.create("CloudRunServiceConfig", "observed", spec("observed", { managementPolicy: "Observe" }));
    const drifted = await rig.waitForCondition("CloudRunServiceConfig", "observed", "Ready", {
      reason: "DriftDetected",
    });
    const health = argoHealth(drifted);
    expect(health.status).toBe("Degraded");
    expect(health.message).toContain("requestTimeout");
  });

  it("is Degraded with the numbers for a spec the controller refuses", async () => {
    await rig.create(
      "CloudRunServiceConfig",
      "invalid",
      spec("invalid", { scaling: { minInstances: 5, maxInstances: 2 } }),
    );
    const invalid = await rig.waitForCondition("CloudRunServiceConfig", "invalid", "Ready", { reason: "InvalidSpec" });
    const health = argoHealth(invalid);
    expect(health.status).toBe("Degraded");
    expect(health.message).toMatch(/^InvalidSpec: .*minInstances/);
  });

  it("is Progressing while it waits for its connector", async () => {
    await rig.create(
      "CloudRunServiceConfig",
      "waiting",
      spec("waiting", { vpcAccess: { connectorRef: { name: "absent" } } }),
    );
    const waiting = await rig.waitForCondition("CloudRunServiceConfig", "waiting", "Ready", {
      reason: "DependencyNotReady",
    });
    expect(argoHealth(waiting)).toMatchObject({ status: "Progressing" });
  });

  it("is Degraded with Cloud Run's message when the revision fails to start", async () => {
    const failure = "Container failed to start: listening on port 8080 timed out";
    rig.sim.control.addRevisionFailure({ service: "failing", reason: "REVISION_FAILED", message: failure });
    await rig.create("CloudRunServiceConfig", "failing", spec("failing"));
    const failed = await rig.waitForCondition("CloudRunServiceConfig", "failing", "Ready", {
      reason: "RevisionFailed",
    });
    const health = argoHealth(failed);
    expect(health.status).toBe("Degraded");
    expect(health.message).toContain(failure);
  });
});

if (!luaAvailable)
  it.skip("Argo CD health of reconciled objects: lua5.1 is not installed (npm run setup installs it)", () => {});
