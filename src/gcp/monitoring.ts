// Connector utilization from Cloud Monitoring: CPU as the 99th percentile across the connector's
// instances, throughput as the busier direction's byte rate over the capacity of the instances running
// (per-instance capacity from the autoscaler's machine table). A failed or empty read is reported as
// unavailable with the reason, never filled in with a guess.

import { MetricServiceClient, type protos } from "@google-cloud/monitoring";
import { MACHINE_CAPACITY_MBPS } from "../autoscale/decide.ts";
import { clientOptions, type GcpConnection } from "./connection.ts";
import { GoogleCallError } from "./errors.ts";
import type { CallGuard } from "./guard.ts";

type ITimeSeries = protos.google.monitoring.v3.ITimeSeries;
type IPoint = protos.google.monitoring.v3.IPoint;

const METRIC_PREFIX = "vpcaccess.googleapis.com/connector/";
const RESOURCE_TYPE = "vpc_access_connector";
const BITS_PER_BYTE = 8;

export interface ConnectorTarget {
  project: string;
  region: string;
  name: string;
}

export interface ConnectorUtilization {
  /** 99th percentile CPU utilization across instances, 0..1. */
  cpu: number;
  /** Throughput of the busier direction as a fraction of the running instances' capacity. */
  throughput: number;
  /** Instances that ran during the newest period. */
  instances: number;
  /** How old the newest complete reading is (Monitoring's ingestion delay). */
  ageMs: number;
}

export type MetricsProblem = "ReadFailed" | "NoData" | "UnknownMachineType";

export type MetricsReading =
  { ok: true; utilization: ConnectorUtilization } | { ok: false; reason: MetricsProblem; problem: string };

export interface ConnectorMetricsOptions {
  /** Alignment period; Monitoring's minimum and the connectors' sampling period is 60s. */
  alignmentPeriodSeconds?: number;
  /** How many periods back a query looks for the newest point (metrics arrive with some delay). */
  lookbackPeriods?: number;
  /** Deadline of one query. Default 10s: a slow read only delays the decision, the next poll tries again. */
  callTimeoutMs?: number;
  /** The clock query intervals are computed on; default Date.now. */
  now?: () => number;
  /**
   * How many milliseconds pass on `now` per millisecond of the controller's own clock; default 1. Only a
   * simulated Google whose clock runs faster (the demo, tests) sets it, so that data ages, and with them the
   * metricsDelay and stale-metrics checks, are measured in the controller's time.
   */
  clockRate?: number;
}

interface Query {
  metric: string;
  aligner: "ALIGN_PERCENTILE_99" | "ALIGN_RATE" | "ALIGN_MAX";
}

const CPU: Query = { metric: "cpu/utilizations", aligner: "ALIGN_PERCENTILE_99" };
const SENT: Query = { metric: "sent_bytes_count", aligner: "ALIGN_RATE" };
const RECEIVED: Query = { metric: "received_bytes_count", aligner: "ALIGN_RATE" };
const INSTANCES: Query = { metric: "instances", aligner: "ALIGN_MAX" };

/** The newest aligned value of one metric and when its period ended. */
interface Newest {
  value: number;
  endMs: number;
}

export class ConnectorMetrics {
  readonly #client: MetricServiceClient;
  readonly #guard: CallGuard;
  readonly #periodSeconds: number;
  readonly #lookbackPeriods: number;
  readonly #callTimeoutMs: number;
  readonly #now: () => number;
  readonly #clockRate: number;

  constructor(connection: GcpConnection, guard: CallGuard, options: ConnectorMetricsOptions = {}) {
    this.#callTimeoutMs = options.callTimeoutMs ?? 10_000;
    // Over REST the per-call timeout below is not applied by the client (google-gax's REST fallback drops
    // it), so the same deadline bounds each exchange.
    this.#client = new MetricServiceClient(clientOptions({ ...connection, restTimeoutMs: this.#callTimeoutMs }));
    this.#guard = guard;
    this.#periodSeconds = options.alignmentPeriodSeconds ?? 60;
    this.#lookbackPeriods = options.lookbackPeriods ?? 5;
    this.#now = options.now ?? Date.now;
    this.#clockRate = options.clockRate ?? 1;
    if (!(this.#clockRate > 0)) throw new Error(`clockRate must be a positive number, got ${this.#clockRate}`);
  }

  /** Reads the newest utilization of `connector`, whose live machine type is `machineType`. */
  async read(connector: ConnectorTarget, machineType: string): Promise<MetricsReading> {
    const perInstanceMbps = MACHINE_CAPACITY_MBPS[machineType];
    if (perInstanceMbps === undefined)
      return { ok: false, reason: "UnknownMachineType", problem: `no known capacity for machine type ${machineType}` };
    const now = this.#now();
    let newest: Array<Newest | undefined>;
    try {
      newest = await Promise.all([CPU, SENT, RECEIVED, INSTANCES].map((q) => this.#newest(connector, q, now)));
    } catch (err) {
      if (err instanceof GoogleCallError)
        return { ok: false, reason: "ReadFailed", problem: `reading Cloud Monitoring failed: ${err.message}` };
      throw err;
    }
    const [cpu, sent, received, instances] = newest;
    if (!cpu || !sent || !received || !instances) {
      const missing = [CPU, SENT, RECEIVED, INSTANCES]
        .filter((_, i) => !newest[i])
        .map((q) => METRIC_PREFIX + q.metric);
      const minutes = (this.#lookbackPeriods * this.#periodSeconds) / 60;
      return { ok: false, reason: "NoData", problem: `no data for ${missing.join(", ")} in the last ${minutes} min` };
    }
    if (!(instances.value >= 1))
      return { ok: false, reason: "NoData", problem: `connector reports ${instances.value} running instances` };
    const bytesPerSecond = Math.max(sent.value, received.value);
    const capacityBytesPerSecond = (instances.value * perInstanceMbps * 1e6) / BITS_PER_BYTE;
    const oldestEnd = Math.min(cpu.endMs, sent.endMs, received.endMs, instances.endMs);
    return {
      ok: true,
      utilization: {
        cpu: cpu.value,
        throughput: bytesPerSecond / capacityBytesPerSecond,
        instances: Math.round(instances.value),
        ageMs: Math.max(0, now - oldestEnd) / this.#clockRate,
      },
    };
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  async #newest(connector: ConnectorTarget, query: Query, nowMs: number): Promise<Newest | undefined> {
    const request: protos.google.monitoring.v3.IListTimeSeriesRequest = {
      name: `projects/${connector.project}`,
      filter: connectorFilter(connector, METRIC_PREFIX + query.metric),
      interval: {
        startTime: timestamp(nowMs - this.#lookbackPeriods * this.#periodSeconds * 1000),
        endTime: timestamp(nowMs),
      },
      aggregation: { alignmentPeriod: { seconds: this.#periodSeconds }, perSeriesAligner: query.aligner },
      view: "FULL",
    };
    const [series] = await this.#guard.call(
      "listTimeSeries",
      // No client-side retries: the next poll is the retry, and a failure must show up as one.
      () => this.#client.listTimeSeries(request, { retry: null, timeout: this.#callTimeoutMs }),
      `${connector.name} ${query.metric}`,
    );
    return newestPoint(series);
  }
}

export function connectorFilter(connector: ConnectorTarget, metricType: string): string {
  return [
    `metric.type = ${quote(metricType)}`,
    `resource.type = ${quote(RESOURCE_TYPE)}`,
    `resource.labels.location = ${quote(connector.region)}`,
    `resource.labels.connector_name = ${quote(connector.name)}`,
  ].join(" AND ");
}

/** The newest finite point over all returned series (one per connector; more only if names repeat). */
export function newestPoint(series: ITimeSeries[]): Newest | undefined {
  let newest: Newest | undefined;
  for (const point of series.flatMap((s) => s.points ?? [])) {
    const value = pointValue(point);
    const endMs = timestampMs(point.interval?.endTime);
    if (value === undefined || endMs === undefined) continue;
    if (!newest || endMs > newest.endMs) newest = { value, endMs };
  }
  return newest;
}

function pointValue(point: IPoint): number | undefined {
  const value = point.value;
  const raw = value?.doubleValue ?? value?.int64Value ?? undefined;
  const number = raw === undefined || raw === null ? NaN : Number(raw);
  return Number.isFinite(number) ? number : undefined;
}

function timestampMs(time: protos.google.protobuf.ITimestamp | null | undefined): number | undefined {
  if (!time) return undefined;
  const ms = Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6);
  return Number.isFinite(ms) ? ms : undefined;
}

function timestamp(ms: number): protos.google.protobuf.ITimestamp {
  const whole = Math.floor(ms);
  return { seconds: Math.floor(whole / 1000), nanos: (whole % 1000) * 1e6 };
}

function quote(value: string): string {
  return JSON.stringify(value);
}
