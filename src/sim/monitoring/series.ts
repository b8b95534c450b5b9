// Time series in the simulator's internal form and their google.monitoring.v3.TimeSeries proto3 JSON.

import type { JsonObject } from "../core/module.ts";
import { bucketCounts } from "./distribution.ts";
import type { SeriesIdentity } from "./filter.ts";
import { CPU_UTILIZATION_BUCKETS } from "./google-facts.ts";

export type { MetricKind, ValueType } from "./google-facts.ts";
import type { MetricKind, ValueType } from "./google-facts.ts";

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

/** A CPU utilization distribution (0..1 fractions) in google.api.Distribution proto3 JSON. */
export function distributionJson(values: number[]): JsonObject {
  const count = values.length;
  const mean = count === 0 ? 0 : values.reduce((a, b) => a + b, 0) / count;
  return {
    count: String(count),
    mean,
    sumOfSquaredDeviation: values.reduce((sum, v) => sum + (v - mean) ** 2, 0),
    bucketOptions: { linearBuckets: { ...CPU_UTILIZATION_BUCKETS } },
    bucketCounts: bucketCounts(values, CPU_UTILIZATION_BUCKETS).map(String),
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
