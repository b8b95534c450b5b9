// Time series in the simulator's internal form and their google.monitoring.v3.TimeSeries proto3 JSON.

import type { JsonObject } from "../core/module.ts";
import type { SeriesIdentity } from "./filter.ts";

export type MetricKind = "GAUGE" | "DELTA";
export type ValueType = "DOUBLE" | "INT64" | "DISTRIBUTION";

/** One point: a scalar has one value; a distribution keeps every underlying value (one per instance). */
export interface Point {
  startMs: number;
  endMs: number;
  values: number[];
}

export interface Series {
  identity: SeriesIdentity;
  /** Resource labels the response shows (all of them, or only the group-by fields after reduction). */
  labels: Record<string, string>;
  kind: MetricKind;
  valueType: ValueType;
  unit: string;
  /** Newest first, as Monitoring returns them. */
  points: Point[];
}

/** CPU utilization is a 0..1 fraction: ten 10% buckets, plus underflow and overflow. */
const UTILIZATION_BUCKETS = { numFiniteBuckets: 10, width: 0.1, offset: 0 };

export function distributionJson(values: number[]): JsonObject {
  const count = values.length;
  const mean = count === 0 ? 0 : values.reduce((a, b) => a + b, 0) / count;
  const { numFiniteBuckets, width, offset } = UTILIZATION_BUCKETS;
  const buckets = new Array<number>(numFiniteBuckets + 2).fill(0);
  for (const value of values) {
    const index = value < offset ? 0 : Math.min(numFiniteBuckets + 1, Math.floor((value - offset) / width) + 1);
    buckets[index] = (buckets[index] ?? 0) + 1;
  }
  return {
    count: String(count),
    mean,
    sumOfSquaredDeviation: values.reduce((sum, v) => sum + (v - mean) ** 2, 0),
    bucketOptions: { linearBuckets: { ...UTILIZATION_BUCKETS } },
    bucketCounts: buckets.map(String),
  };
}

function valueJson(valueType: ValueType, values: number[]): JsonObject {
  switch (valueType) {
    case "DISTRIBUTION":
      return { distributionValue: distributionJson(values) };
    case "INT64":
      return { int64Value: String(Math.round(values[0] ?? 0)) };
    case "DOUBLE":
      return { doubleValue: values[0] ?? 0 };
  }
}

export function pointJson(series: Series, point: Point): JsonObject {
  const endTime = new Date(point.endMs).toISOString();
  const startTime = series.kind === "GAUGE" ? endTime : new Date(point.startMs).toISOString();
  return { interval: { startTime, endTime }, value: valueJson(series.valueType, point.values) };
}

export function timeSeriesJson(series: Series, withPoints: boolean): JsonObject {
  return {
    metric: { type: series.identity.metricType, labels: {} },
    resource: { type: series.identity.resourceType, labels: { ...series.labels } },
    metricKind: series.kind,
    valueType: series.valueType,
    points: withPoints ? series.points.map((point) => pointJson(series, point)) : [],
    unit: series.unit,
  };
}
