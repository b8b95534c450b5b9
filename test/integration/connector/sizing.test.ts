// Declared sizes: increases are patched in place, decreases are refused as ReplacementRequired without a
// single PATCH, Observe mode only reports, and the real gcloud CLI sees what the controller changed.

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { autoscalingOf, conditionOf, ConnectorRig, connectorSpec, PROJECT, REGION } from "./rig.ts";

let rig: ConnectorRig | undefined;

afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const NO_AUTOSCALING = { enabled: false };

describe("connector sizes", () => {
  it("refuses a decrease as ReplacementRequired and never patches", async () => {
    rig = await ConnectorRig.start("vpcc-shrink", [
      { id: "shrink", machineType: "e2-micro", minInstances: 3, maxInstances: 5, loadMbps: 0 },
    ]);
    await rig.create(
      "shrink",
      connectorSpec("shrink", { minInstances: 2, maxInstances: 4, resyncInterval: "1s", autoscaling: NO_AUTOSCALING }),
    );
    const blocked = await rig.waitFor("shrink", (o) => conditionOf(o, "Synced")?.reason === "ReplacementRequired");
    const message = conditionOf(blocked, "Synced")?.message ?? "";
    expect(message).toContain("minInstances 3 -> 2, maxInstances 5 -> 4");
    expect(message).toMatch(/create a new connector.*move the services.*delete the old one/);
    expect(conditionOf(blocked, "Ready")).toMatchObject({ status: "False", reason: "ReplacementRequired" });
    expect(blocked.status?.live).toEqual({ machineType: "e2-micro", minInstances: 3, maxInstances: 5 });

    // Several resyncs later: still no PATCH, and the event was recorded once.
    await sleep(3_000);
    expect(rig.patches("shrink")).toBe(0);
    const events = (await rig.events("shrink")).filter((e) => e.reason === "ReplacementRequired");
    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe("Warning");
  });

  it("patches exactly the increased fields and follows the operation to Ready", async () => {
    rig = await ConnectorRig.start("vpcc-grow", [
      { id: "grow", machineType: "e2-micro", minInstances: 2, maxInstances: 3, loadMbps: 0 },
    ]);
    await rig.create("grow", connectorSpec("grow", { maxInstances: 6, autoscaling: NO_AUTOSCALING }));
    const ready = await rig.waitFor("grow", (o) => conditionOf(o, "Ready")?.status === "True");
    expect(ready.status?.live).toEqual({ machineType: "e2-micro", minInstances: 2, maxInstances: 6 });
    expect(rig.patches("grow")).toBe(1);
    // Google wants both bounds in the PATCH; the simulator refuses one alone, so OK means both were sent.
    expect(rig.sim.control.requests({ method: "PatchConnector" }).map((r) => r.code)).toEqual(["OK"]);
    const updated = (await rig.events("grow")).find((e) => e.reason === "Updated");
    expect(updated?.note).toBe("Applied 1 field: maxInstances 3 → 6");
  });

  it("fixes minInstances alone, sending the unchanged maxInstances beside it", async () => {
    rig = await ConnectorRig.start("vpcc-floor", [
      { id: "floor", machineType: "e2-micro", minInstances: 2, maxInstances: 5, loadMbps: 0 },
    ]);
    await rig.create(
      "floor",
      connectorSpec("floor", { minInstances: 3, maxInstances: 5, autoscaling: NO_AUTOSCALING }),
    );
    const ready = await rig.waitFor("floor", (o) => conditionOf(o, "Ready")?.status === "True");
    expect(ready.status?.live).toEqual({ machineType: "e2-micro", minInstances: 3, maxInstances: 5 });
    expect(rig.sim.control.requests({ method: "PatchConnector" }).map((r) => r.code)).toEqual(["OK"]);
    const updated = (await rig.events("floor")).find((e) => e.reason === "Updated");
    expect(updated?.note).toBe("Applied 1 field: minInstances 2 → 3");
  });

  it("in Observe mode computes the raise but changes nothing", async () => {
    rig = await ConnectorRig.start("vpcc-observe", [
      { id: "watch", machineType: "e2-micro", minInstances: 2, maxInstances: 3, loadMbps: 290 },
    ]);
    await rig.create("watch", connectorSpec("watch", { managementPolicy: "Observe" }));
    const seen = await rig.waitFor("watch", (o) => autoscalingOf(o).lastDecision?.action === "ScaleUp", 15_000);
    expect(autoscalingOf(seen).raised).toBeUndefined();
    expect(autoscalingOf(seen).lastScaleTime).toBeUndefined();
    await sleep(2_000);
    expect(rig.patches("watch")).toBe(0);
    expect(rig.scaleEvents).toEqual([]);
    const recommended = (await rig.events("watch")).filter((e) => e.reason === "ScaleUpRecommended");
    expect(recommended).toHaveLength(1);
    expect(recommended[0]?.note).toMatch(/^Observe policy, nothing changed: utilization above 70%/);
  });

  it("a scale-up over REST is what gcloud describes", async () => {
    rig = await ConnectorRig.start(
      "vpcc-gcloud",
      [{ id: "edge", machineType: "e2-micro", minInstances: 2, maxInstances: 3, loadMbps: 290 }],
      "rest",
    );
    await rig.create("edge", connectorSpec("edge"));
    const raised = await rig.waitFor("edge", (o) => autoscalingOf(o).raised !== undefined, 15_000);
    const wanted = autoscalingOf(raised).lastDecision?.to ?? {};
    await rig.waitFor("edge", (o) => conditionOf(o, "Ready")?.status === "True");

    const described = await gcloudDescribe(rig.sim.restPort, "edge");
    expect(described).toMatchObject({ state: "READY", machineType: "e2-micro", ...wanted });
    expect(Number(described.maxInstances)).toBeGreaterThan(3);
    expect(rig.sim.control.requests({ method: "PatchConnector" }).every((r) => r.transport === "rest")).toBe(true);
    expect(rig.sim.control.requests({ method: "ListTimeSeries" }).every((r) => r.transport === "rest")).toBe(true);
  });
});

async function gcloudDescribe(restPort: number, id: string): Promise<Record<string, unknown>> {
  const home = mkdtempSync(join(tmpdir(), "driftguard-gcloud-"));
  writeFileSync(join(home, "token"), "sim-token\n");
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    CLOUDSDK_CONFIG: join(home, "gcloud"),
    CLOUDSDK_API_ENDPOINT_OVERRIDES_VPCACCESS: `http://127.0.0.1:${restPort}/`,
    CLOUDSDK_CORE_DISABLE_PROMPTS: "1",
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: "true",
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: "true",
    CLOUDSDK_CORE_CHECK_GCE_METADATA: "false",
  };
  const args = ["compute", "networks", "vpc-access", "connectors", "describe", id, "--region", REGION];
  const common = ["--project", PROJECT, "--access-token-file", join(home, "token"), "--quiet", "--format=json"];
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile("gcloud", [...args, ...common], { env, timeout: 60_000 }, (err, out, stderr) =>
        err ? reject(new Error(`gcloud failed: ${stderr}`, { cause: err })) : resolve(out),
      );
    });
    return JSON.parse(stdout) as Record<string, unknown>;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
