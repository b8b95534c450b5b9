import { describe, expect, it } from "vitest";
import { readWindow, utilizationOf, type UtilizationSample } from "./window.ts";

const NOW = 1_000_000;
const sample = (at: number, cpu: number, throughput = 0): UtilizationSample => ({ at, cpu, throughput });

describe("readWindow", () => {
  it("summarises the samples from the window start to now", () => {
    const reading = readWindow(
      [sample(NOW - 60_000, 0.5), sample(NOW - 30_000, 0.2, 0.8), sample(NOW, 0.6)],
      NOW,
      60_000,
      30_000,
    );
    expect(reading).toEqual({ ok: true, summary: { min: 0.5, max: 0.8, latest: 0.6, samples: 3 } });
  });

  it("starts from the last sample at or before the window start and ignores older ones", () => {
    const samples = [
      sample(NOW - 200_000, 0.01),
      sample(NOW - 70_000, 0.4),
      sample(NOW - 30_000, 0.5),
      sample(NOW, 0.5),
    ];
    expect(readWindow(samples, NOW, 60_000, 30_000)).toEqual({
      ok: true,
      summary: { min: 0.4, max: 0.5, latest: 0.5, samples: 3 },
    });
  });

  it.each<[string, UtilizationSample[], RegExp]>([
    ["no samples", [], /no utilization samples/],
    ["only future samples", [sample(NOW + 1, 0.5)], /no utilization samples/],
    [
      "a stale newest sample",
      [sample(NOW - 120_000, 0.5), sample(NOW - 60_001, 0.5)],
      /newest sample is 60.001s old \(limit 60s\)/,
    ],
    [
      "no sample at the window start",
      [sample(NOW - 30_000, 0.5), sample(NOW, 0.5)],
      /samples cover only 30s of the 60s window/,
    ],
    ["a gap", [sample(NOW - 60_001, 0.5), sample(NOW, 0.5)], /60.001s gap between samples \(limit 60s\)/],
    [
      "an invalid value",
      [sample(NOW - 60_000, 0.5), sample(NOW, Number.NaN)],
      /invalid sample at 1970-01-01T00:16:40.000Z/,
    ],
  ])("reports %s", (_name, samples, problem) => {
    const reading = readWindow(samples, NOW, 60_000, 30_000);
    expect(reading.ok).toBe(false);
    if (!reading.ok) expect(reading.problem).toMatch(problem);
  });
});

describe("utilizationOf", () => {
  it.each<[number, number, number | undefined]>([
    [0.2, 0.9, 0.9],
    [0.9, 0.2, 0.9],
    [1.3, 0, 1.3],
    [Number.NaN, 0.5, undefined],
    [0.5, Number.POSITIVE_INFINITY, undefined],
    [-0.01, 0.5, undefined],
  ])("cpu %s, throughput %s -> %s", (cpu, throughput, expected) => {
    expect(utilizationOf(sample(0, cpu, throughput))).toBe(expected);
  });
});
