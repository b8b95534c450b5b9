// Aggregation as Cloud Monitoring does it: align each series into periods ending at the interval's end,
// then optionally reduce series into groups. Pure functions over the internal Series form.

import { SimError, type FieldViolation } from "../core/errors.ts";
import type { JsonObject } from "../core/module.ts";
import { bucketCounts, percentileFromBuckets } from "./distribution.ts";
import { CPU_UTILIZATION_BUCKETS, MIN_ALIGNMENT_PERIOD_SECONDS } from "./google-facts.ts";
import type { MetricKind, Point, Series, ValueType } from "./series.ts";

/** Supported aligners and reducers, with their proto enum numbers (REST clients may send either). */
const ALIGNERS = { ALIGN_NONE: 0, ALIGN_RATE: 2, ALIGN_MAX: 11, ALIGN_MEAN: 12, ALIGN_PERCENTILE_99: 18 } as const;
const REDUCERS = { REDUCE_NONE: 0, REDUCE_MEAN: 1, REDUCE_MAX: 3, REDUCE_SUM: 4 } as const;
export type Aligner = keyof typeof ALIGNERS;
export type Reducer = keyof typeof REDUCERS;

/** Monitoring refuses alignment periods below one minute. */
export const MIN_ALIGNMENT_PERIOD_MS = MIN_ALIGNMENT_PERIOD_SECONDS * 1000;

export interface Aggregation {
  aligner: Aligner;
  periodMs: number;
  reducer: Reducer;
  /** Resource label keys to group by when reducing. */
  groupBy: string[];
}

export interface MetricShape {
  type: string;
  kind: MetricKind;
  valueType: ValueType;
}

function enumName<T extends Record<string, number>>(table: T, value: unknown, fallback: keyof T): keyof T | undefined {
  if (value === undefined || value === null || value === "") return fallback;
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const text = String(value);
  if (/^\d+$/.test(text)) return Object.keys(table).find((name) => table[name] === Number(text));
  return Object.hasOwn(table, text) ? text : undefined;
}

function parseDuration(value: unknown): number | undefined {
  const match = typeof value === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(value) : null;
  return match ? Number(match[1]) * 1000 : undefined;
}

/** Validates a request's `aggregation` against the metric it applies to. */
export function parseAggregation(raw: unknown, metric: MetricShape, labelKeys: readonly string[]): Aggregation {
  const input = (typeof raw === "object" && raw !== null ? raw : {}) as JsonObject;
  const violations: FieldViolation[] = [];
  const aligner = enumName(ALIGNERS, input.perSeriesAligner, "ALIGN_NONE");
  const reducer = enumName(REDUCERS, input.crossSeriesReducer, "REDUCE_NONE");
  if (!aligner) {
    violations.push({
      field: "aggregation.per_series_aligner",
      description: `${JSON.stringify(input.perSeriesAligner)} is not supported; use one of ${Object.keys(ALIGNERS).join(", ")}`,
    });
  } else if (aligner === "ALIGN_RATE" && metric.kind === "GAUGE") {
    violations.push({
      field: "aggregation.per_series_aligner",
      description: `ALIGN_RATE applies to DELTA and CUMULATIVE metrics; ${metric.type} is a GAUGE metric`,
    });
  } else if (aligner === "ALIGN_PERCENTILE_99" && metric.valueType !== "DISTRIBUTION") {
    violations.push({
      field: "aggregation.per_series_aligner",
      description: `ALIGN_PERCENTILE_99 applies to DISTRIBUTION metrics; ${metric.type} has value type ${metric.valueType}`,
    });
  }
  const periodMs = parseDuration(input.alignmentPeriod) ?? 0;
  if (aligner && aligner !== "ALIGN_NONE" && periodMs < MIN_ALIGNMENT_PERIOD_MS) {
    violations.push({
      field: "aggregation.alignment_period",
      description: `must be a duration of at least 60s (such as "60s") when an aligner is set, got ${JSON.stringify(input.alignmentPeriod)}`,
    });
  }
  if (!reducer) {
    violations.push({
      field: "aggregation.cross_series_reducer",
      description: `${JSON.stringify(input.crossSeriesReducer)} is not supported; use one of ${Object.keys(REDUCERS).join(", ")}`,
    });
  } else if (reducer !== "REDUCE_NONE" && aligner === "ALIGN_NONE") {
    violations.push({
      field: "aggregation.cross_series_reducer",
      description: "needs a per_series_aligner other than ALIGN_NONE",
    });
  }
  const groupBy: string[] = [];
  for (const field of Array.isArray(input.groupByFields) ? (input.groupByFields as unknown[]) : []) {
    const key = /^resource\.labels?\.(.+)$/.exec(String(field))?.[1];
    if (key !== undefined && labelKeys.includes(key)) groupBy.push(key);
    else {
      violations.push({
        field: "aggregation.group_by_fields",
        description: `${JSON.stringify(field)} is not a resource label; use resource.labels.<key> with key one of ${labelKeys.join(", ")}`,
      });
    }
  }
  if (violations.length > 0) {
    throw SimError.invalidArgument(violations.map((v) => `${v.field}: ${v.description}`).join("; "), violations);
  }
  return { aligner: aligner ?? "ALIGN_NONE", periodMs, reducer: reducer ?? "REDUCE_NONE", groupBy };
}

/**
 * The `p`th percentile (0..100) of a period's distribution values, estimated from their merged bucket
 * counts the way Monitoring must: the raw values are not kept, only the buckets.
 */
export function distributionPercentile(values: number[], p: number): number {
  return percentileFromBuckets(bucketCounts(values, CPU_UTILIZATION_BUCKETS), CPU_UTILIZATION_BUCKETS, p) ?? 0;
}

function alignedValue(aligner: Exclude<Aligner, "ALIGN_NONE">, values: number[], periodMs: number): number {
  switch (aligner) {
    case "ALIGN_MEAN":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "ALIGN_MAX":
      return Math.max(...values);
    case "ALIGN_PERCENTILE_99":
      return distributionPercentile(values, 99);
    case "ALIGN_RATE":
      return values.reduce((a, b) => a + b, 0) / (periodMs / 1000);
  }
}

/** Aligns one series into periods (end - P, end] stepping back from `endMs` over the interval, newest first. */
export function alignSeries(
  series: Series,
  aggregation: Aggregation,
  window: { startMs: number; endMs: number },
): Series {
  const { aligner, periodMs } = aggregation;
  if (aligner === "ALIGN_NONE") return series;
  const periods = Math.max(1, Math.ceil((window.endMs - window.startMs) / periodMs));
  const points: Point[] = [];
  for (let i = 0; i < periods; i++) {
    const endMs = window.endMs - i * periodMs;
    const startMs = endMs - periodMs;
    const values = series.points.filter((p) => p.endMs > startMs && p.endMs <= endMs).flatMap((p) => p.values);
    if (values.length > 0) points.push({ startMs, endMs, values: [alignedValue(aligner, values, periodMs)] });
  }
  const gauge = aligner === "ALIGN_RATE" || aligner === "ALIGN_PERCENTILE_99";
  const keepsType = aligner === "ALIGN_MAX" && series.valueType !== "DISTRIBUTION";
  return {
    ...series,
    kind: gauge ? "GAUGE" : series.kind,
    valueType: keepsType ? series.valueType : "DOUBLE",
    unit: aligner === "ALIGN_RATE" ? `${series.unit}/s` : series.unit,
    points,
  };
}

function reducedValue(reducer: Exclude<Reducer, "REDUCE_NONE">, values: number[]): number {
  switch (reducer) {
    case "REDUCE_MEAN":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "REDUCE_MAX":
      return Math.max(...values);
    case "REDUCE_SUM":
      return values.reduce((a, b) => a + b, 0);
  }
}

/** Combines aligned series sharing the group-by label values, point by point; labels shrink to the group. */
export function reduceSeries(seriesList: Series[], aggregation: Aggregation): Series[] {
  const { reducer, groupBy } = aggregation;
  if (reducer === "REDUCE_NONE") return seriesList;
  const groups = new Map<string, Series[]>();
  for (const series of seriesList) {
    const key = JSON.stringify(groupBy.map((k) => series.labels[k] ?? ""));
    groups.set(key, [...(groups.get(key) ?? []), series]);
  }
  return [...groups.values()].map((members) => {
    const first = members[0] as Series;
    const byEnd = new Map<number, Point[]>();
    for (const point of members.flatMap((m) => m.points))
      byEnd.set(point.endMs, [...(byEnd.get(point.endMs) ?? []), point]);
    const points = [...byEnd.entries()]
      .sort(([a], [b]) => b - a)
      .map(([endMs, group]) => ({
        startMs: group[0]?.startMs ?? endMs,
        endMs,
        values: [
          reducedValue(
            reducer,
            group.map((p) => p.values[0] ?? 0),
          ),
        ],
      }));
    return {
      ...first,
      labels: Object.fromEntries(groupBy.map((k) => [k, first.labels[k] ?? ""])),
      valueType: reducer === "REDUCE_MEAN" ? "DOUBLE" : first.valueType,
      points,
    };
  });
}
