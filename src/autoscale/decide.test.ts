import { describe, expect, it } from "vitest";
import {
  decideScale,
  type AutoscalingPolicy,
  type DecisionInput,
  type LiveConnector,
  type ScaleDecision,
  type UtilizationSample,
} from "./decide.ts";

const NOW = Date.parse("2025-06-01T12:00:00Z");
const POLL = 30_000;
const WINDOW = 60_000;

const policy: AutoscalingPolicy = {
  pollIntervalMs: POLL,
  scaleUpThreshold: 0.7,
  targetUtilization: 0.6,
  scaleDownThreshold: 0.3,
  stabilizationWindowMs: WINDOW,
  cooldownMs: 300_000,
  maxStep: 2,
  ceiling: 10,
  machineTypeLadder: ["e2-micro", "e2-standard-4"],
  raiseMinInstances: false,
};
const live: LiveConnector = { machineType: "e2-micro", minInstances: 2, maxInstances: 3, instances: 3 };
const floors = { machineType: "e2-micro", minInstances: 2, maxInstances: 3 };

/** One sample per poll from `now - WINDOW` to `now`, with the given utilizations (oldest first). */
function series(values: number[], { end = NOW, every = POLL } = {}): UtilizationSample[] {
  return values.map((value, i) => ({ at: end - (values.length - 1 - i) * every, cpu: value, throughput: value / 2 }));
}
const steady = (value: number) => series([value, value, value]);

function decide(
  change: Partial<Omit<DecisionInput, "policy" | "live">> & {
    policy?: Partial<AutoscalingPolicy>;
    live?: Partial<LiveConnector>;
  } = {},
): ScaleDecision {
  return decideScale({
    samples: steady(0.9),
    now: NOW,
    floors,
    ...change,
    policy: { ...policy, ...change.policy },
    live: { ...live, ...change.live },
  });
}

type Expect = Partial<Pick<ScaleDecision, "action" | "reason">> & {
  to?: Partial<ScaleDecision["to"]>;
  message?: RegExp;
};
type Row = [name: string, change: Parameters<typeof decide>[0], expected: Expect];

const rows: Row[] = [
  // Scale-up arithmetic: desired = ceil(instances x min utilization / target).
  [
    "sustained 90% on 3 instances: max 3 -> 5, min kept (a raised minimum is a permanent cost)",
    {},
    {
      action: "scaleUp",
      reason: "SustainedHighUtilization",
      to: { maxInstances: 5, minInstances: 2, machineType: "e2-micro" },
    },
  ],
  [
    "warm capacity asked for: max 3 -> 5 and min 2 -> 4",
    { policy: { raiseMinInstances: true } },
    { action: "scaleUp", to: { maxInstances: 5, minInstances: 4 }, message: /minInstances 2 -> 4/ },
  ],
  [
    "uses the window minimum, not the peak",
    { samples: series([0.8, 1.5, 0.8]) },
    { action: "scaleUp", to: { maxInstances: 4 } },
  ],
  [
    "utilization is the larger of cpu and throughput",
    { samples: steady(0.1).map((s) => ({ ...s, throughput: 0.9 })) },
    { action: "scaleUp", to: { maxInstances: 5 } },
  ],
  [
    "at most maxStep instances per change",
    { samples: steady(1.5) },
    { action: "scaleUp", to: { maxInstances: 5 }, message: /wanted 8/ },
  ],
  [
    "maxStep 1",
    { samples: steady(1.5), policy: { maxStep: 1 } },
    { action: "scaleUp", to: { maxInstances: 4, minInstances: 2 } },
  ],
  [
    "never above the ceiling",
    { samples: steady(0.9), live: { minInstances: 2, maxInstances: 9, instances: 9 } },
    { action: "scaleUp", to: { maxInstances: 10 } },
  ],
  [
    "a lower configured ceiling",
    { samples: steady(0.9), policy: { ceiling: 4, raiseMinInstances: true } },
    { action: "scaleUp", to: { maxInstances: 4, minInstances: 3 } },
  ],
  [
    "minInstances stays below the new max",
    {
      samples: steady(1.5),
      live: { minInstances: 2, maxInstances: 3, instances: 3 },
      policy: { maxStep: 5, raiseMinInstances: true },
    },
    { action: "scaleUp", to: { maxInstances: 8, minInstances: 7 } },
  ],
  [
    "minInstances never above 9",
    { live: { minInstances: 8, maxInstances: 9, instances: 9 }, policy: { raiseMinInstances: true } },
    { action: "scaleUp", to: { maxInstances: 10, minInstances: 9 } },
  ],
  [
    "minInstances rises by at most maxStep",
    {
      live: { minInstances: 6, maxInstances: 7, instances: 7 },
      samples: steady(0.75),
      policy: { raiseMinInstances: true },
    },
    { action: "scaleUp", to: { maxInstances: 9, minInstances: 8 } },
  ],
  [
    "never below the spec floors",
    { floors: { machineType: "e2-micro", minInstances: 3, maxInstances: 8 }, policy: { raiseMinInstances: true } },
    { action: "scaleUp", to: { maxInstances: 8, minInstances: 4 } },
  ],
  [
    "the connector can still add instances below its max",
    { live: { maxInstances: 6, instances: 3 } },
    { action: "hold", reason: "ConnectorCanGrow", message: /up to 6/ },
  ],
  // Machine type ladder.
  [
    "at the ceiling and still hot: next machine type, counts kept",
    { live: { minInstances: 4, maxInstances: 10, instances: 10 } },
    {
      action: "changeMachineType",
      reason: "AtCeilingStillHot",
      to: { machineType: "e2-standard-4", minInstances: 4, maxInstances: 10 },
      message: /100 Mbps\) -> e2-standard-4 \(1600 Mbps/,
    },
  ],
  [
    "at a configured ceiling of 5",
    { policy: { ceiling: 5 }, live: { maxInstances: 5, instances: 5 } },
    { action: "changeMachineType", to: { machineType: "e2-standard-4", maxInstances: 5 } },
  ],
  [
    "at the ceiling on the largest machine type",
    { live: { machineType: "e2-standard-4", maxInstances: 10, instances: 10 } },
    { action: "hold", reason: "AtCeiling", message: /consider a second connector/ },
  ],
  [
    "at the ceiling with a machine type off the ladder",
    { live: { machineType: "f1-micro", maxInstances: 10, instances: 10 } },
    { action: "hold", reason: "MachineTypeNotOnLadder" },
  ],
  [
    "at the ceiling with an empty ladder",
    { policy: { machineTypeLadder: [] }, live: { maxInstances: 10, instances: 10 } },
    { action: "hold", reason: "MachineTypeNotOnLadder" },
  ],
  // Thresholds and tolerance.
  [
    "exactly at the scale-up threshold is not above it",
    { samples: steady(0.7) },
    { action: "hold", reason: "WithinThresholds" },
  ],
  ["between the thresholds", { samples: steady(0.5) }, { action: "hold", reason: "WithinThresholds" }],
  [
    "within 10% of target (boundary 1.1 exactly)",
    { samples: steady(0.66), policy: { scaleUpThreshold: 0.65 } },
    { action: "hold", reason: "WithinTolerance" },
  ],
  [
    "just outside the tolerance",
    { samples: steady(0.67), policy: { scaleUpThreshold: 0.65 } },
    { action: "scaleUp", to: { maxInstances: 4 } },
  ],
  // Noisy load.
  [
    "a spike shorter than the window does nothing",
    { samples: series([0.4, 0.95, 0.95]) },
    { action: "hold", reason: "NotSustained" },
  ],
  [
    "a single dip inside the window blocks scale-up",
    { samples: series([0.9, 0.9, 0.5, 0.9, 0.9], { every: 15_000 }) },
    { action: "hold", reason: "NotSustained" },
  ],
  [
    "a cool sample just before the window start still counts for the start",
    { samples: [{ at: NOW - WINDOW - 10_000, cpu: 0.4, throughput: 0 }, ...series([0.9, 0.9], { every: 25_000 })] },
    { action: "hold", reason: "NotSustained" },
  ],
  [
    "a hot sample just before the window start covers it",
    { samples: [{ at: NOW - WINDOW - 10_000, cpu: 0.9, throughput: 0 }, ...series([0.9, 0.9], { every: 25_000 })] },
    { action: "scaleUp" },
  ],
  // Cooldown.
  ["within the cooldown", { lastScaleTime: NOW - 299_999 }, { action: "hold", reason: "Cooldown", message: /1s left/ }],
  ["exactly one cooldown after the last change", { lastScaleTime: NOW - 300_000 }, { action: "scaleUp" }],
  ["no cooldown configured", { lastScaleTime: NOW, policy: { cooldownMs: 0 } }, { action: "scaleUp" }],
  // Missing, stale and invalid metrics.
  ["no samples", { samples: [] }, { action: "hold", reason: "MetricsUnavailable", message: /no utilization samples/ }],
  ["samples exactly from the window boundary", { samples: series([0.9, 0.9, 0.9]) }, { action: "scaleUp" }],
  [
    "samples starting 1ms inside the window",
    { samples: series([0.9, 0.9, 0.9]).map((s, i) => (i === 0 ? { ...s, at: s.at + 1 } : s)) },
    { action: "hold", reason: "MetricsUnavailable", message: /cover only 59.999s of the 60s window/ },
  ],
  [
    "only one sample",
    { samples: [{ at: NOW, cpu: 0.9, throughput: 0 }] },
    { action: "hold", reason: "MetricsUnavailable" },
  ],
  [
    "newest sample two polls old is still fresh",
    { samples: series([0.9, 0.9, 0.9], { end: NOW - 60_000 }) },
    { action: "scaleUp" },
  ],
  [
    "newest sample older than two polls",
    { samples: series([0.9, 0.9, 0.9, 0.9], { end: NOW - 60_001 }) },
    { action: "hold", reason: "MetricsUnavailable", message: /newest sample is 60.001s old/ },
  ],
  [
    "a gap of more than two polls",
    {
      samples: [
        { at: NOW - 70_000, cpu: 0.9, throughput: 0 },
        { at: NOW - 5000, cpu: 0.9, throughput: 0 },
      ],
    },
    { action: "hold", reason: "MetricsUnavailable", message: /65s gap between samples/ },
  ],
  [
    "an anchor too far before the window start",
    { samples: [{ at: NOW - WINDOW - 60_001, cpu: 0.9, throughput: 0 }, ...series([0.9, 0.9])] },
    { action: "hold", reason: "MetricsUnavailable", message: /no sample within 60s before the window start/ },
  ],
  [
    "a NaN sample",
    { samples: series([0.9, Number.NaN, 0.9]) },
    { action: "hold", reason: "MetricsUnavailable", message: /invalid sample at 2025-06-01T11:59:30.000Z/ },
  ],
  ["a negative sample", { samples: series([0.9, -0.1, 0.9]) }, { action: "hold", reason: "MetricsUnavailable" }],
  [
    "an infinite throughput",
    { samples: steady(0.9).map((s) => ({ ...s, throughput: Number.POSITIVE_INFINITY })) },
    { action: "hold", reason: "MetricsUnavailable" },
  ],
  [
    "samples from the future are ignored",
    { samples: [...steady(0.5), { at: NOW + 1000, cpu: 0.99, throughput: 0 }] },
    { action: "hold", reason: "WithinThresholds" },
  ],
  ["unsorted samples are read in time order", { samples: steady(0.9).reverse() }, { action: "scaleUp" }],
  // Sustained low load.
  [
    "sustained low load on a big connector: recommendation only",
    { samples: steady(0.1), live: { minInstances: 4, maxInstances: 8, instances: 6 } },
    {
      action: "overprovisioned",
      reason: "SustainedLowUtilization",
      to: { minInstances: 2, maxInstances: 3 },
      message: /replacing the connector \(no action taken\)/,
    },
  ],
  [
    "the recommendation respects the spec floors",
    {
      samples: steady(0.2),
      live: { minInstances: 4, maxInstances: 10, instances: 10 },
      floors: { machineType: "e2-micro", minInstances: 3, maxInstances: 4 },
    },
    { action: "overprovisioned", to: { minInstances: 3, maxInstances: 4 } },
  ],
  [
    "the recommendation covers the peak at target",
    { samples: series([0.1, 0.25, 0.1]), live: { minInstances: 4, maxInstances: 10, instances: 10 } },
    { action: "overprovisioned", to: { minInstances: 2, maxInstances: 5 } },
  ],
  ["already at the smallest allowed size", { samples: steady(0.1) }, { action: "hold", reason: "AtMinimumSize" }],
  [
    "low but one sample at the threshold",
    { samples: series([0.1, 0.3, 0.1]), live: { minInstances: 4, maxInstances: 8, instances: 6 } },
    { action: "hold", reason: "WithinThresholds" },
  ],
];

describe("decideScale", () => {
  it.each(rows)("%s", (_name, change, expected) => {
    const decision = decide(change);
    if (expected.action) expect(decision.action).toBe(expected.action);
    if (expected.reason) expect(decision.reason).toBe(expected.reason);
    if (expected.to) expect(decision.to).toMatchObject(expected.to);
    if (expected.message) expect(decision.message).toMatch(expected.message);
    if (decision.action === "hold") expect(decision.to).toEqual(decision.from);
    expect(decision.from).toEqual({
      machineType: live.machineType,
      minInstances: live.minInstances,
      maxInstances: live.maxInstances,
      ...pickSize(change?.live),
    });
  });

  it("reports the window summary and the threshold it compared against", () => {
    const decision = decide({ samples: series([0.8, 1.2, 0.9]) });
    expect(decision.utilization).toEqual({ min: 0.8, max: 1.2, latest: 0.9, samples: 3 });
    expect(decision.threshold).toBe(0.7);
    expect(decide({ samples: steady(0.1), live: { minInstances: 4, maxInstances: 8, instances: 6 } }).threshold).toBe(
      0.3,
    );
  });

  it.each<[string, Partial<AutoscalingPolicy>, RegExp]>([
    [
      "threshold order",
      { scaleDownThreshold: 0.65 },
      /scaleDownThreshold < targetUtilization < scaleUpThreshold, got 0.65 < 0.6 < 0.7/,
    ],
    [
      "a threshold above 1",
      { scaleUpThreshold: 1.5 },
      /autoscaling.scaleUpThreshold must be a fraction in \(0, 1\], got 1.5/,
    ],
    ["a NaN target", { targetUtilization: Number.NaN }, /autoscaling.targetUtilization must be a fraction/],
    ["a zero window", { stabilizationWindowMs: 0 }, /autoscaling.stabilizationWindowMs must be a positive duration/],
    ["a zero poll interval", { pollIntervalMs: 0 }, /autoscaling.pollIntervalMs must be a positive duration/],
    ["a negative cooldown", { cooldownMs: -1 }, /autoscaling.cooldownMs must be a duration >= 0/],
    ["a fractional step", { maxStep: 1.5 }, /autoscaling.maxStep must be an integer >= 1, got 1.5/],
    ["a ceiling above 10", { ceiling: 11 }, /autoscaling.ceiling must be an integer from 3 to 10, got 11/],
    [
      "an unknown machine type",
      { machineTypeLadder: ["e2-micro", "n2-standard-8"] },
      /machineTypeLadder\[1\] must be one of f1-micro, e2-micro, e2-standard-4, got "n2-standard-8"/,
    ],
    [
      "a descending ladder",
      { machineTypeLadder: ["e2-standard-4", "e2-micro"] },
      /must go from smaller to larger machine types; e2-micro at \[1\] is not larger/,
    ],
  ])("rejects %s", (_name, change, error) => {
    expect(() => decide({ policy: change })).toThrow(error);
  });

  it("rejects an impossible live size", () => {
    expect(() => decide({ live: { minInstances: 3, maxInstances: 3 } })).toThrow(
      /live connector minInstances \(3\) must be below maxInstances \(3\)/,
    );
    expect(() => decide({ live: { instances: -1 } })).toThrow(
      /live connector instances must be an integer >= 0, got -1/,
    );
  });
});

function pickSize(change: Partial<LiveConnector> | undefined): Partial<LiveConnector> {
  const { instances: _ignored, ...size } = change ?? {};
  return size;
}
