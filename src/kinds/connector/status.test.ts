import { describe, expect, it } from "vitest";
import type { ScaleDecision } from "../../autoscale/decide.ts";
import {
  readPreviousStatus,
  renderAutoscaling,
  renderDecision,
  renderUtilization,
  roundRatio,
  summariseWindow,
  type DecisionStatus,
} from "./status.ts";

const T0 = new Date("2025-03-01T12:00:00Z");
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const small = { machineType: "e2-micro", minInstances: 2, maxInstances: 3 };
const big = { machineType: "e2-micro", minInstances: 4, maxInstances: 5 };

describe("renderUtilization", () => {
  it.each([
    [{ cpu: 0.734, throughput: 0.5 }, { cpu: 0.73, throughput: 0.5 }, "73%"],
    [{ cpu: 0.2, throughput: 1.254 }, { cpu: 0.2, throughput: 1.25 }, "125%"],
    [{ cpu: 0, throughput: 0 }, { cpu: 0, throughput: 0 }, "0%"],
    [{ cpu: 0.005, throughput: 0.0049 }, { cpu: 0.01, throughput: 0 }, "1%"],
  ])("%o -> %o, %s", (sample, rounded, percent) => {
    const rendered = renderUtilization(sample, T0, undefined);
    expect(rendered.utilization).toEqual({ ...rounded, sampledAt: T0.toISOString() });
    expect(rendered.utilizationPercent).toBe(percent);
  });

  it("keeps sampledAt while the rounded values stay the same, so quiet polls write nothing", () => {
    const first = renderUtilization({ cpu: 0.731, throughput: 0.2 }, T0, undefined).utilization;
    const again = renderUtilization({ cpu: 0.7349, throughput: 0.2001 }, later(30), first).utilization;
    expect(again).toBe(first);
    const moved = renderUtilization({ cpu: 0.74, throughput: 0.2 }, later(60), first).utilization;
    expect(moved).toEqual({ cpu: 0.74, throughput: 0.2, sampledAt: later(60).toISOString() });
  });
});

describe("renderDecision", () => {
  const scaleUp: ScaleDecision = {
    action: "scaleUp",
    reason: "SustainedHighUtilization",
    message: "raise",
    from: small,
    to: big,
    utilization: { min: 0.9, max: 0.95, latest: 0.92, samples: 4 },
    threshold: 0.7,
  };
  const summary = { count: 4, mean: 0.92, max: 0.95 };

  it("records a raise with sizes, samples and threshold", () => {
    expect(renderDecision(scaleUp, summary, T0, undefined)).toEqual({
      action: "ScaleUp",
      reason: "SustainedHighUtilization",
      from: small,
      to: big,
      samples: summary,
      threshold: 0.7,
      at: T0.toISOString(),
    });
  });

  it("keeps the earlier entry (and its time) for the same decision", () => {
    const first = renderDecision(scaleUp, summary, T0, undefined);
    expect(renderDecision(scaleUp, { ...summary, mean: 0.93 }, later(30), first)).toBe(first);
  });

  it.each<[string, Partial<ScaleDecision>]>([
    ["another reason", { action: "hold", reason: "Cooldown", to: small }],
    ["another target", { to: { ...big, maxInstances: 6 } }],
    ["another starting size", { from: { ...small, maxInstances: 4 } }],
  ])("starts a new entry for %s", (_, change) => {
    const first = renderDecision(scaleUp, summary, T0, undefined);
    const next = renderDecision({ ...scaleUp, ...change }, summary, later(30), first);
    expect(next).not.toBe(first);
    expect(next.at).toBe(later(30).toISOString());
  });

  it.each<[ScaleDecision["action"], DecisionStatus["action"]]>([
    ["changeMachineType", "ScaleUp"],
    ["hold", "Hold"],
    ["overprovisioned", "Hold"],
  ])("%s is reported as %s", (action, expected) => {
    const rendered = renderDecision({ ...scaleUp, action }, undefined, T0, undefined);
    expect(rendered.action).toBe(expected);
    expect(rendered.to).toEqual(expected === "ScaleUp" ? big : small);
  });
});

describe("summariseWindow", () => {
  const at = (seconds: number, cpu: number, throughput = 0) => ({ at: later(seconds).getTime(), cpu, throughput });

  it("summarises the window's samples from the one at its start", () => {
    const samples = [at(0, 0.1), at(10, 0.8), at(20, 0.6, 0.9), at(30, 0.7)];
    expect(summariseWindow(samples, later(30).getTime(), 20_000, 10_000)).toEqual({ count: 3, mean: 0.8, max: 0.9 });
  });

  it("is undefined while the window is not covered", () => {
    expect(summariseWindow([at(20, 0.5), at(30, 0.5)], later(30).getTime(), 20_000, 10_000)).toBeUndefined();
    expect(summariseWindow([], later(30).getTime(), 20_000, 10_000)).toBeUndefined();
  });
});

describe("readPreviousStatus", () => {
  it("reads what the kind wrote", () => {
    const previous = readPreviousStatus({
      live: { machineType: "e2-micro", minInstances: 2, maxInstances: 5, instances: 4 },
      utilization: { cpu: 0.5, throughput: 0.2, sampledAt: T0.toISOString() },
      autoscaling: { lastScaleTime: T0.toISOString(), raised: { maxInstances: 5 } },
      conditions: [{ type: "Ready", status: "True" }],
    });
    expect(previous).toEqual({
      autoscaling: { lastScaleTime: T0.toISOString(), raised: { maxInstances: 5 } },
      utilization: { cpu: 0.5, throughput: 0.2, sampledAt: T0.toISOString() },
      liveInstances: 4,
      conditions: [{ type: "Ready", status: "True" }],
    });
  });

  it("ignores malformed fields instead of trusting them", () => {
    const previous = readPreviousStatus({
      autoscaling: { raised: { maxInstances: "7", minInstances: 2.5, machineType: "" }, lastScaleTime: 5 },
      utilization: { cpu: 1 },
      conditions: "Ready",
    });
    expect(previous).toEqual({ autoscaling: {}, conditions: [] });
    expect(readPreviousStatus(undefined)).toEqual({ autoscaling: {}, conditions: [] });
  });
});

describe("renderAutoscaling", () => {
  it("drops unset fields so equal statuses compare equal", () => {
    expect(renderAutoscaling({ raised: undefined, lastScaleTime: T0.toISOString() })).toEqual({
      lastScaleTime: T0.toISOString(),
    });
    expect(Object.keys(renderAutoscaling({ raised: undefined }))).toEqual([]);
  });
});

describe("roundRatio", () => {
  it.each([
    [0.125, 0.13],
    [0.7349, 0.73],
    [1.005, 1],
  ])("%f -> %f", (value, rounded) => {
    expect(roundRatio(value)).toBe(rounded);
  });
});
