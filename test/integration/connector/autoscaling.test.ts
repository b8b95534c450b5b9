// Utilization-driven scaling end to end: simulated load, Cloud Monitoring queries and the VPC Access PATCH
// through the real clients, decisions and status through the real reconciler and kube-apiserver.

import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { autoscalingOf, conditionOf, ConnectorRig, connectorName, connectorSpec, METRICS_DELAY, SPEED } from "./rig.ts";

let rig: ConnectorRig | undefined;

afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

/** e2-micro 2..3 at 120 Mbps: two instances at 60%, inside the thresholds. */
const steady = (id: string) => ({ id, machineType: "e2-micro", minInstances: 2, maxInstances: 3, loadMbps: 120 });

/** Waits until the autoscaler has a complete window and holds (the baseline of every scenario). */
async function settled(r: ConnectorRig, name: string) {
  return await r.waitFor(name, (o) => autoscalingOf(o).lastDecision?.reason === "WithinThresholds");
}

describe("connector autoscaling", () => {
  it("raises maxInstances within pollInterval + stabilizationWindow of a sustained ramp", async () => {
    rig = await ConnectorRig.start("vpcc-ramp", [steady("ramp")]);
    await rig.create("ramp", connectorSpec("ramp"));
    const before = await settled(rig, "ramp");
    // 60% on every instance; Monitoring's p99 is estimated within its 1% bucket, so it reads 61%.
    expect(before.status?.utilizationPercent).toBe("61%");
    expect(before.status?.live).toMatchObject({
      machineType: "e2-micro",
      minInstances: 2,
      maxInstances: 3,
      instances: 2,
    });

    const rampStart = Date.now();
    // 120 -> 290 Mbps over one second: 3 instances (the maximum) at 97%.
    await rig.setLoad("ramp", { fromMbps: 120, toMbps: 290, seconds: 1 });
    const after = await rig.waitFor("ramp", (o) => autoscalingOf(o).raised !== undefined, 15_000);
    let live = await rig.live("ramp");
    const deadline = Date.now() + 5_000;
    while (live.maxInstances === 3 && Date.now() < deadline) {
      await sleep(100);
      live = await rig.live("ramp");
    }
    // Monitoring's lag (metricsDelay 3s) + pollInterval 1s + stabilizationWindow 3s + the 1s ramp, plus a few
    // seconds for alignment and the operation.
    expect(Date.now() - rampStart).toBeLessThan(3_000 + 1_000 + 3_000 + 1_000 + 4_000);
    // How far it goes depends on the lowest sample in the window (the ramp's tail): at least one more.
    expect(live).toMatchObject({ state: "READY", machineType: "e2-micro" });
    expect(live.maxInstances).toBeGreaterThan(3);

    const autoscaling = autoscalingOf(after);
    expect(autoscaling.raised).toMatchObject({ maxInstances: live.maxInstances });
    expect(autoscaling.lastScaleTime).toEqual(expect.any(String));
    expect(autoscaling.lastDecision).toMatchObject({
      action: "ScaleUp",
      reason: "SustainedHighUtilization",
      from: { machineType: "e2-micro", minInstances: 2, maxInstances: 3 },
      to: { machineType: "e2-micro", minInstances: live.minInstances, maxInstances: live.maxInstances },
      threshold: 0.7,
    });
    const scaled = (await rig.events("ramp")).find((e) => e.reason === "ScaledUp");
    expect(scaled?.note).toContain(`maxInstances 3 -> ${live.maxInstances}`);
    expect(rig.scaleEvents).toEqual([{ connector: connectorName("ramp"), action: "scaleUp" }]);
    expect(rig.utilization.some((u) => u.signal === "cpu" && u.value > 0.9)).toBe(true);

    // The raised connector is Ready, and re-applying the same spec (as a Git sync would) changes nothing.
    await rig.waitFor("ramp", (o) => conditionOf(o, "Ready")?.status === "True");
    await rig.replaceSpec("ramp", connectorSpec("ramp", { resyncInterval: "31s" }));
    await sleep(3_000);
    expect(rig.patches("ramp")).toBe(1);
    expect(await rig.live("ramp")).toMatchObject({ minInstances: live.minInstances, maxInstances: live.maxInstances });
  });

  it("raises on CPU driven by the packet rate while throughput stays moderate", async () => {
    rig = await ConnectorRig.start("vpcc-packets", [steady("packets")]);
    await rig.create("packets", connectorSpec("packets"));
    await settled(rig, "packets");

    // The same 120 Mbps (60% of two e2-micro) in 300-byte packets: over three times the packets, so CPU
    // saturates while the byte throughput is unchanged.
    await rig.setLoad("packets", { mbps: 120, packetBytes: 300 });
    const raised = await rig.waitFor("packets", (o) => autoscalingOf(o).raised !== undefined, 15_000);
    expect(autoscalingOf(raised).lastDecision).toMatchObject({ action: "ScaleUp", reason: "SustainedHighUtilization" });
    const reads = rig.utilization.filter((u) => u.connector === connectorName("packets"));
    expect(reads.some((u) => u.signal === "cpu" && u.value > 0.9)).toBe(true);
    expect(Math.max(...reads.filter((u) => u.signal === "throughput").map((u) => u.value))).toBeLessThan(0.7);
  });

  it("ignores a spike shorter than the stabilization window", async () => {
    rig = await ConnectorRig.start("vpcc-spike", [steady("spike")]);
    const spec = connectorSpec("spike", {
      autoscaling: {
        enabled: true,
        pollInterval: "1s",
        metricsDelay: METRICS_DELAY,
        stabilizationWindow: "5s",
        cooldown: "0s",
      },
    });
    await rig.create("spike", spec);
    await settled(rig, "spike");

    // Long enough for polls (1 s) to see it on a busy machine, shorter than the 5 s window.
    await rig.setLoad("spike", { mbps: 290 });
    await sleep(2_500);
    await rig.setLoad("spike", { mbps: 120 });
    const spiked = await rig.waitFor("spike", (o) => autoscalingOf(o).lastDecision?.reason === "NotSustained", 8_000);
    expect(autoscalingOf(spiked).lastDecision?.action).toBe("Hold");
    await settled(rig, "spike");
    await sleep(3_000);
    expect(rig.patches("spike")).toBe(0);
    expect(autoscalingOf(await rig.get("spike")).raised).toBeUndefined();
    expect(rig.scaleEvents).toEqual([]);
  });

  it("holds and reports MetricsUnavailable while Monitoring fails", async () => {
    rig = await ConnectorRig.start("vpcc-outage", [steady("outage")]);
    await rig.create("outage", connectorSpec("outage"));
    await settled(rig, "outage");
    expect(conditionOf(await rig.get("outage"), "MetricsUnavailable")).toMatchObject({ status: "False" });

    rig.sim.control.addFault({ method: "ListTimeSeries", code: "UNAVAILABLE", message: "monitoring is down" });
    await rig.setLoad("outage", { mbps: 290 });
    const down = await rig.waitFor("outage", (o) => conditionOf(o, "MetricsUnavailable")?.status === "True");
    expect(conditionOf(down, "MetricsUnavailable")).toMatchObject({ reason: "ReadFailed" });
    expect(conditionOf(down, "MetricsUnavailable")?.message).toMatch(/Monitoring.*autoscaling holds/);
    expect(autoscalingOf(down).lastDecision).toMatchObject({ action: "Hold", reason: "MetricsUnavailable" });
    // High load while blind: nothing is raised on a guess.
    await sleep(5_000);
    expect(rig.patches("outage")).toBe(0);
    expect(conditionOf(await rig.get("outage"), "Ready")?.status).toBe("True");

    rig.sim.control.clearFaults();
    const back = await rig.waitFor("outage", (o) => conditionOf(o, "MetricsUnavailable")?.status === "False", 10_000);
    expect(conditionOf(back, "MetricsUnavailable")?.reason).toBe("MetricsAvailable");
    // After the gap the window refills before the sustained load counts.
    await rig.waitFor("outage", (o) => autoscalingOf(o).raised !== undefined, 15_000);
  });

  it("holds on StaleMetrics while Monitoring lags more than metricsDelay, and acts once it catches up", async () => {
    rig = await ConnectorRig.start("vpcc-stale", [steady("stale")]);
    await rig.create("stale", connectorSpec("stale"));
    await settled(rig, "stale");
    expect(conditionOf(await rig.get("stale"), "MetricsUnavailable")?.status).toBe("False");

    // Seven minutes of lag (7 s of wall time) against the declared 3 s, plus two polls of tolerance.
    const laggingSeconds = 7 * SPEED;
    rig.sim.control.setMonitoringDelay(laggingSeconds);
    await rig.setLoad("stale", { mbps: 290 });
    const stale = await rig.waitFor("stale", (o) => conditionOf(o, "MetricsUnavailable")?.status === "True", 10_000);
    expect(conditionOf(stale, "MetricsUnavailable")).toMatchObject({ reason: "StaleMetrics" });
    expect(conditionOf(stale, "MetricsUnavailable")?.message).toMatch(
      /newest utilization is \d+s old \(limit 5s\); autoscaling holds/,
    );
    // Old data does not count as the window: the hot load it will show is not acted on while stale.
    await sleep(4_000);
    expect(conditionOf(await rig.get("stale"), "MetricsUnavailable")?.reason).toBe("StaleMetrics");
    expect(rig.patches("stale")).toBe(0);

    rig.sim.control.setMonitoringDelay(3 * SPEED);
    const fresh = await rig.waitFor("stale", (o) => conditionOf(o, "MetricsUnavailable")?.status === "False", 10_000);
    expect(conditionOf(fresh, "MetricsUnavailable")?.reason).toBe("MetricsAvailable");
    await rig.waitFor("stale", (o) => autoscalingOf(o).raised !== undefined, 15_000);
    expect(rig.patches("stale")).toBe(1);
  });

  it("moves up the machine type ladder at the ceiling", async () => {
    rig = await ConnectorRig.start("vpcc-ladder", [steady("ladder")]);
    const spec = connectorSpec("ladder", {
      autoscaling: {
        enabled: true,
        pollInterval: "1s",
        metricsDelay: METRICS_DELAY,
        stabilizationWindow: "3s",
        cooldown: "0s",
        ceiling: 3,
        machineTypeLadder: ["e2-micro", "e2-standard-4"],
      },
    });
    await rig.create("ladder", spec);
    await settled(rig, "ladder");

    await rig.setLoad("ladder", { mbps: 290 });
    const raised = await rig.waitFor("ladder", (o) => autoscalingOf(o).raised !== undefined, 15_000);
    expect(autoscalingOf(raised).raised).toEqual({ machineType: "e2-standard-4" });
    expect(autoscalingOf(raised).lastDecision).toMatchObject({ action: "ScaleUp", reason: "AtCeilingStillHot" });
    await rig.waitFor("ladder", (o) => conditionOf(o, "Ready")?.status === "True");
    expect(await rig.live("ladder")).toMatchObject({ machineType: "e2-standard-4", minInstances: 2, maxInstances: 3 });
    expect(rig.scaleEvents.map((e) => e.action)).toEqual(["changeMachineType"]);
    // 290 Mbps on two e2-standard-4 instances (3200 Mbps, 9%) is far below the scale-down threshold; the
    // p99 estimated from 1% buckets reads 10%.
    const calm = await rig.waitFor(
      "ladder",
      (o) => conditionOf(o, "Overprovisioned")?.reason === "AtMinimumSize",
      15_000,
    );
    expect(conditionOf(calm, "Overprovisioned")?.status).toBe("False");
    expect(calm.status?.utilizationPercent).toBe("10%");
  });
});
