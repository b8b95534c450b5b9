import { describe, expect, it } from "vitest";
import type { SimError } from "../core/errors.ts";
import {
  alignSeries,
  parseAggregation,
  distributionPercentile,
  reduceSeries,
  type Aggregation,
  type MetricShape,
} from "./aggregation.ts";
import type { Point, Series } from "./series.ts";

const KEYS = ["project_id", "location", "connector_name"];
const cpu: MetricShape = { type: "cpu", kind: "GAUGE", valueType: "DISTRIBUTION" };
const bytes: MetricShape = { type: "bytes", kind: "DELTA", valueType: "INT64" };
const instances: MetricShape = { type: "instances", kind: "GAUGE", valueType: "INT64" };

function series(shape: MetricShape, points: Point[], connector = "a", unit = "By"): Series {
  return {
    identity: { metricType: shape.type, resourceType: "vpc_access_connector", project: "p", resourceLabels: {} },
    labels: { project_id: "p", location: "l", connector_name: connector },
    kind: shape.kind,
    valueType: shape.valueType,
    unit,
    points,
  };
}

const at = (endMs: number, values: number[], periodMs = 0): Point => ({ startMs: endMs - periodMs, endMs, values });
const agg = (
  aligner: Aggregation["aligner"],
  reducer: Aggregation["reducer"] = "REDUCE_NONE",
  groupBy: string[] = [],
): Aggregation => ({
  aligner,
  periodMs: 60_000,
  reducer,
  groupBy,
});

function violations(raw: unknown, shape: MetricShape): string[] {
  try {
    parseAggregation(raw, shape, KEYS);
  } catch (err) {
    expect((err as SimError).code).toBe("INVALID_ARGUMENT");
    return ((err as SimError).details[0]?.fieldViolations as Array<{ description: string }>).map((v) => v.description);
  }
  throw new Error("accepted");
}

describe("parseAggregation", () => {
  it("defaults to raw data", () => {
    expect(parseAggregation(undefined, cpu, KEYS)).toEqual({
      aligner: "ALIGN_NONE",
      periodMs: 0,
      reducer: "REDUCE_NONE",
      groupBy: [],
    });
  });

  it("reads names, enum numbers, the period and group-by labels", () => {
    const parsed = parseAggregation(
      {
        alignmentPeriod: "120s",
        perSeriesAligner: "12",
        crossSeriesReducer: "REDUCE_SUM",
        groupByFields: ["resource.label.location"],
      },
      bytes,
      KEYS,
    );
    expect(parsed).toEqual({ aligner: "ALIGN_MEAN", periodMs: 120_000, reducer: "REDUCE_SUM", groupBy: ["location"] });
  });

  it("rejects aligners that do not fit the metric", () => {
    expect(violations({ perSeriesAligner: "ALIGN_RATE", alignmentPeriod: "60s" }, instances)).toEqual([
      "ALIGN_RATE applies to DELTA and CUMULATIVE metrics; instances is a GAUGE metric",
    ]);
    expect(violations({ perSeriesAligner: "ALIGN_PERCENTILE_99", alignmentPeriod: "60s" }, bytes)).toEqual([
      "ALIGN_PERCENTILE_99 applies to DISTRIBUTION metrics; bytes has value type INT64",
    ]);
  });

  it("names the supported choices for unknown aligners and reducers", () => {
    const [aligner, reducer] = violations(
      { perSeriesAligner: "ALIGN_SUM", alignmentPeriod: "60s", crossSeriesReducer: "REDUCE_COUNT" },
      cpu,
    );
    expect(aligner).toBe(
      '"ALIGN_SUM" is not supported; use one of ALIGN_NONE, ALIGN_RATE, ALIGN_MAX, ALIGN_MEAN, ALIGN_PERCENTILE_99',
    );
    expect(reducer).toContain("REDUCE_NONE, REDUCE_MEAN, REDUCE_MAX, REDUCE_SUM");
  });

  it("requires a period of at least a minute, and an aligner for a reducer", () => {
    expect(violations({ perSeriesAligner: "ALIGN_MEAN", alignmentPeriod: "30s" }, cpu)[0]).toContain("at least 60s");
    expect(violations({ perSeriesAligner: "ALIGN_MEAN" }, cpu)[0]).toContain("at least 60s");
    expect(violations({ crossSeriesReducer: "REDUCE_MEAN" }, cpu)).toEqual([
      "needs a per_series_aligner other than ALIGN_NONE",
    ]);
    expect(
      violations({ perSeriesAligner: "ALIGN_MAX", alignmentPeriod: "60s", groupByFields: ["metric.label.x"] }, cpu)[0],
    ).toContain("is not a resource label");
  });
});

describe("distributionPercentile", () => {
  it("estimates from 1% buckets, as Monitoring does from a Distribution, not from the raw values", () => {
    // Raw p99 of [0.1, 0.503] would be ~0.499; the buckets only know one value in [0.10, 0.11) and one
    // in [0.50, 0.51), so the estimate lies inside the upper bucket.
    expect(distributionPercentile([0.1, 0.503], 99)).toBeCloseTo(0.5098, 6);
    expect(distributionPercentile([0.75, 0.75], 50)).toBeCloseTo(0.755, 6);
  });
});

describe("alignSeries", () => {
  const window = { startMs: 0, endMs: 120_000 };
  // Samples every 20 s, newest first, over two minutes.
  const cpuSeries = series(
    cpu,
    [at(120_000, [0.9, 0.5]), at(100_000, [0.4, 0.4]), at(80_000, [0.3]), at(40_000, [0.2, 0.6]), at(20_000, [0.1])],
    "a",
    "10^2.%",
  );
  const bytesSeries = series(bytes, [
    at(120_000, [600], 20_000),
    at(100_000, [600], 20_000),
    at(60_000, [1200], 20_000),
  ]);

  it("averages and maximises distributions into doubles per period, newest first", () => {
    const mean = alignSeries(cpuSeries, agg("ALIGN_MEAN"), window);
    expect(mean).toMatchObject({ kind: "GAUGE", valueType: "DOUBLE" });
    expect(mean.points.map((p) => [p.endMs, p.values[0]])).toEqual([
      [120_000, expect.closeTo(0.5) as unknown],
      [60_000, expect.closeTo(0.3) as unknown],
    ]);
    const max = alignSeries(cpuSeries, agg("ALIGN_MAX"), window);
    expect(max.points.map((p) => p.values[0])).toEqual([0.9, 0.6]);
    expect(max.valueType).toBe("DOUBLE");
  });

  it("takes the 99th percentile of a distribution", () => {
    const p99 = alignSeries(cpuSeries, agg("ALIGN_PERCENTILE_99"), window);
    // Five values in the newest minute; rank 4.95 falls in the bucket [0.90, 0.91) holding 0.9.
    expect(p99.points[0]?.values[0]).toBeCloseTo(0.9 + 0.01 * 0.95, 6);
    expect(p99.points[1]?.values[0]).toBeCloseTo(distributionPercentile([0.2, 0.6, 0.1], 99), 9);
  });

  it("turns deltas into a per-second rate", () => {
    const rate = alignSeries(bytesSeries, agg("ALIGN_RATE"), window);
    expect(rate).toMatchObject({ kind: "GAUGE", valueType: "DOUBLE", unit: "By/s" });
    expect(rate.points.map((p) => p.values[0])).toEqual([20, 20]);
  });

  it("keeps INT64 for ALIGN_MAX and DELTA intervals for ALIGN_MEAN", () => {
    expect(alignSeries(bytesSeries, agg("ALIGN_MAX"), window)).toMatchObject({ kind: "DELTA", valueType: "INT64" });
    expect(alignSeries(bytesSeries, agg("ALIGN_MEAN"), window).points[0]).toEqual({
      startMs: 60_000,
      endMs: 120_000,
      values: [600],
    });
  });

  it("leaves raw data alone and skips empty periods", () => {
    expect(alignSeries(cpuSeries, agg("ALIGN_NONE"), window)).toBe(cpuSeries);
    expect(alignSeries(cpuSeries, agg("ALIGN_MEAN"), { startMs: 200_000, endMs: 300_000 }).points).toEqual([]);
  });
});

describe("reduceSeries", () => {
  const a = series(instances, [at(120_000, [2]), at(60_000, [3])], "a");
  const b = series(instances, [at(120_000, [5]), at(60_000, [4])], "b");
  const c = {
    ...series(instances, [at(120_000, [9])], "c"),
    labels: { project_id: "p", location: "m", connector_name: "c" },
  };

  it("sums, maximises and averages across all series", () => {
    expect(reduceSeries([a, b], agg("ALIGN_MAX", "REDUCE_SUM"))[0]).toMatchObject({
      labels: {},
      valueType: "INT64",
      points: [
        { endMs: 120_000, values: [7] },
        { endMs: 60_000, values: [7] },
      ],
    });
    expect(reduceSeries([a, b], agg("ALIGN_MAX", "REDUCE_MAX"))[0]?.points.map((p) => p.values[0])).toEqual([5, 4]);
    const mean = reduceSeries([a, b], agg("ALIGN_MAX", "REDUCE_MEAN"))[0];
    expect(mean?.valueType).toBe("DOUBLE");
    expect(mean?.points.map((p) => p.values[0])).toEqual([3.5, 3.5]);
  });

  it("groups by resource labels and keeps only those labels", () => {
    const reduced = reduceSeries([a, b, c], agg("ALIGN_MAX", "REDUCE_SUM", ["location"]));
    expect(reduced.map((s) => [s.labels, s.points.map((p) => p.values[0])])).toEqual([
      [{ location: "l" }, [7, 7]],
      [{ location: "m" }, [9]],
    ]);
  });

  it("passes series through without a reducer", () => {
    expect(reduceSeries([a, b], agg("ALIGN_MAX"))).toEqual([a, b]);
  });
});
