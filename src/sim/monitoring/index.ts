// Cloud Monitoring API v3, MetricService.ListTimeSeries, for Serverless VPC Access connector metrics.
// Stateless: every answer is derived from the VPC Access module's load history, of which only points
// older than the ingestion delay are visible, as at Google.

import { SimError } from "../core/errors.ts";
import type { JsonObject, SimContext, SimModule } from "../core/module.ts";
import type { VpcAccessModule } from "../vpcaccess/index.ts";
import { alignSeries, parseAggregation, reduceSeries, type Aggregation } from "./aggregation.ts";
import { matchesFilter, parseFilter, selectMetricType } from "./filter.ts";
import {
  CONNECTOR_METRICS,
  RESOURCE_LABEL_KEYS,
  connectorIdentity,
  rawSeries,
  type ConnectorMetric,
} from "./metrics.ts";
import { CONNECTOR_INGEST_DELAY_SECONDS, MAX_TIME_SERIES_PAGE_SIZE } from "./google-facts.ts";
import { timeSeriesJson, type Series } from "./series.ts";

export const METRIC_SERVICE = "google.monitoring.v3.MetricService";
const MAX_PAGE_SIZE = MAX_TIME_SERIES_PAGE_SIZE;

function invalid(field: string, description: string): SimError {
  return SimError.invalidArgument(`Field ${field} ${description}`, [{ field, description }]);
}

function parseProject(name: unknown): string {
  const project = typeof name === "string" ? /^projects\/([^/]+)$/.exec(name)?.[1] : undefined;
  if (!project) throw invalid("name", `must have the form projects/{project}, got ${JSON.stringify(name)}`);
  return project;
}

function parseTime(value: unknown, field: string): number {
  const ms = typeof value === "string" ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw invalid(field, `must be an RFC 3339 timestamp, got ${JSON.stringify(value)}`);
  return ms;
}

/** `interval.endTime` is required; a missing start means the instant at the end (as for GAUGE queries). */
export function parseInterval(raw: unknown): { startMs: number; endMs: number } {
  const interval = (typeof raw === "object" && raw !== null ? raw : {}) as JsonObject;
  if (interval.endTime === undefined) throw invalid("interval.end_time", "is required");
  const endMs = parseTime(interval.endTime, "interval.end_time");
  const startMs = interval.startTime === undefined ? endMs : parseTime(interval.startTime, "interval.start_time");
  if (startMs > endMs) throw invalid("interval.start_time", "must not be later than interval.end_time");
  return { startMs, endMs };
}

function parseView(view: unknown): "FULL" | "HEADERS" {
  if (view === undefined || view === "FULL" || view === 0 || view === "0") return "FULL";
  if (view === "HEADERS" || view === 1 || view === "1") return "HEADERS";
  throw invalid("view", `must be FULL or HEADERS, got ${JSON.stringify(view)}`);
}

/** Whether a proto3 JSON field holds something other than its default (or an explicit *_NONE enum). */
function isSetField(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "string") return value !== "" && value !== "0" && !value.endsWith("_NONE");
  return value !== undefined && value !== null && value !== 0;
}

function rejectUnsupported(request: JsonObject): void {
  if (isSetField(request.orderBy)) throw invalid("order_by", "is not supported; results come in connector name order");
  const secondary = (request.secondaryAggregation ?? {}) as JsonObject;
  if (Object.values(secondary).some(isSetField)) {
    throw invalid("secondary_aggregation", "is not supported; use aggregation only");
  }
}

function paginate(series: Series[], request: JsonObject): { page: Series[]; nextPageToken?: string } {
  const size =
    request.pageSize === undefined || Number(request.pageSize) === 0 ? MAX_PAGE_SIZE : Number(request.pageSize);
  if (!Number.isInteger(size) || size < 0)
    throw invalid("page_size", `must be a non-negative integer, got ${String(request.pageSize)}`);
  const token = typeof request.pageToken === "string" ? request.pageToken : "";
  const offset = token === "" ? 0 : Number(Buffer.from(token, "base64url").toString());
  if (!Number.isInteger(offset) || offset < 0)
    throw invalid("page_token", "must be a next_page_token from an earlier response");
  const page = series.slice(offset, offset + Math.min(size, MAX_PAGE_SIZE));
  const next = offset + page.length;
  return next < series.length ? { page, nextPageToken: Buffer.from(String(next)).toString("base64url") } : { page };
}

/** The earliest sample time a query needs: aligned periods may reach back before the interval's start. */
function fetchStart(window: { startMs: number; endMs: number }, aggregation: Aggregation): number {
  if (aggregation.aligner === "ALIGN_NONE") return window.startMs;
  const periods = Math.max(1, Math.ceil((window.endMs - window.startMs) / aggregation.periodMs));
  return window.endMs - periods * aggregation.periodMs + 1;
}

export interface MonitoringOptions {
  /** Seconds after sampling before a point is visible; default Google's 180. */
  ingestDelaySeconds?: number;
}

export interface MonitoringModule extends SimModule {
  /** Seconds after sampling before a point is visible. */
  readonly ingestDelaySeconds: number;
  setIngestDelay(seconds: number): void;
}

export function ingestDelayProblem(seconds: unknown): string | undefined {
  return typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0
    ? undefined
    : `ingestDelaySeconds: expected a non-negative number of seconds, got ${JSON.stringify(seconds)}`;
}

export function createMonitoringModule(
  ctx: SimContext,
  connectors: VpcAccessModule,
  options: MonitoringOptions = {},
): MonitoringModule {
  const periodMs = connectors.samplePeriodSeconds * 1000;
  let ingestDelaySeconds = CONNECTOR_INGEST_DELAY_SECONDS;
  const setIngestDelay = (seconds: number) => {
    const problem = ingestDelayProblem(seconds);
    if (problem) throw new Error(problem);
    ingestDelaySeconds = seconds;
  };
  if (options.ingestDelaySeconds !== undefined) setIngestDelay(options.ingestDelaySeconds);

  const listTimeSeries = (request: JsonObject): JsonObject => {
    const project = parseProject(request.name);
    rejectUnsupported(request);
    const filter = parseFilter(typeof request.filter === "string" ? request.filter : "", RESOURCE_LABEL_KEYS);
    const metricType = selectMetricType(
      filter,
      CONNECTOR_METRICS.map((m) => m.type),
    );
    const metric = CONNECTOR_METRICS.find((m) => m.type === metricType) as ConnectorMetric;
    const window = parseInterval(request.interval);
    const view = parseView(request.view);
    const aggregation = parseAggregation(request.aggregation, metric, RESOURCE_LABEL_KEYS);
    const from = fetchStart(window, aggregation);
    // Points sampled within the ingestion delay are not readable yet, whatever the interval asks for.
    const visibleUntil = Math.min(window.endMs, ctx.now() - ingestDelaySeconds * 1000);
    const aligned = connectors
      .connectors()
      .filter((connector) => connector.project === project)
      .map((connector) => ({ name: connector.name, identity: connectorIdentity(metric, connector) }))
      .filter(({ identity }) => matchesFilter(filter, identity))
      .map(({ name, identity }) => rawSeries(metric, identity, connectors.samples(name, from, visibleUntil), periodMs))
      .map((series) => alignSeries(series, aggregation, window))
      .filter((series) => series.points.length > 0);
    const { page, nextPageToken } = paginate(reduceSeries(aligned, aggregation), request);
    return {
      timeSeries: page.map((series) => timeSeriesJson(series, view === "FULL")),
      ...(nextPageToken ? { nextPageToken } : {}),
    };
  };

  return {
    get ingestDelaySeconds() {
      return ingestDelaySeconds;
    },
    setIngestDelay,
    services: [{ name: METRIC_SERVICE, methods: { ListTimeSeries: listTimeSeries } }],
    // Monitoring keeps no state of its own: seeds, snapshots and resets belong to the connectors.
    seed: () => undefined,
    snapshot: () => ({}),
    restore: () => undefined,
    reset: () => undefined,
  };
}
