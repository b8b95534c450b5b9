import { beforeEach, describe, expect, it } from "vitest";
import { SimError } from "../core/errors.ts";
import type { JsonObject, SimModule } from "../core/module.ts";
import { OperationStore } from "../core/operations.ts";
import { createVpcAccessModule, type VpcAccessModule } from "../vpcaccess/index.ts";
import { createMonitoringModule } from "./index.ts";

const START = Date.parse("2025-01-01T00:00:00Z");
const CONNECTOR = "projects/p/locations/us-central1/connectors/web";
const metric = (name: string) => `metric.type = "vpcaccess.googleapis.com/connector/${name}"`;
const iso = (ms: number) => new Date(ms).toISOString();

let now: number;
let vpc: VpcAccessModule;
let monitoring: SimModule;

async function list(request: JsonObject): Promise<JsonObject> {
  const handler = monitoring.services[0]?.methods.ListTimeSeries;
  if (!handler) throw new Error("ListTimeSeries missing");
  return await handler({ name: "projects/p", interval: { startTime: iso(START), endTime: iso(now) }, ...request });
}

async function failure(request: JsonObject): Promise<SimError> {
  try {
    await list(request);
  } catch (err) {
    if (err instanceof SimError) return err;
    throw err;
  }
  throw new Error("request succeeded");
}

const series = (response: JsonObject) => response.timeSeries as JsonObject[];
const points = (response: JsonObject, index = 0) =>
  series(response)[index]?.points as Array<{ interval: JsonObject; value: JsonObject }>;

beforeEach(() => {
  now = START;
  // Query mechanics are easier to see with a point every 10 s and no ingestion delay; Google's 60 s and
  // 180 s have their own tests below.
  vpc = createVpcAccessModule({ operations: new OperationStore(0), now: () => now }, { samplePeriodSeconds: 10 });
  monitoring = createMonitoringModule({ operations: new OperationStore(0), now: () => now }, vpc, {
    ingestDelaySeconds: 0,
  });
  vpc.seed({
    connectors: [
      { name: CONNECTOR, machineType: "e2-micro", minInstances: 2, maxInstances: 4, loadMbps: 100 },
      {
        name: "projects/p/locations/europe-west1/connectors/api",
        machineType: "e2-standard-4",
        minInstances: 2,
        maxInstances: 3,
      },
      {
        name: "projects/other/locations/us-central1/connectors/web",
        machineType: "e2-micro",
        minInstances: 2,
        maxInstances: 3,
      },
    ],
  });
  now += 120_000;
});

describe("ListTimeSeries", () => {
  it("returns raw CPU distributions per connector of the project, newest first", async () => {
    const response = await list({ filter: `${metric("cpu/utilizations")} AND resource.labels.connector_name = "web"` });
    expect(series(response)).toHaveLength(1);
    expect(series(response)[0]).toMatchObject({
      metric: { type: "vpcaccess.googleapis.com/connector/cpu/utilizations" },
      resource: {
        type: "vpc_access_connector",
        labels: { project_id: "p", location: "us-central1", connector_name: "web" },
      },
      metricKind: "GAUGE",
      valueType: "DISTRIBUTION",
    });
    expect(points(response)).toHaveLength(12);
    expect(points(response)[0]).toEqual({
      interval: { startTime: iso(now), endTime: iso(now) },
      value: {
        distributionValue: {
          count: "2",
          mean: 0.5,
          sumOfSquaredDeviation: 0,
          bucketOptions: { linearBuckets: { numFiniteBuckets: 100, width: 0.01, offset: 0 } },
          // Underflow, 100 buckets of 1%, overflow: both instances at 50% in [0.50, 0.51).
          bucketCounts: Array.from({ length: 102 }, (_, i) => (i === 51 ? "2" : "0")),
        },
      },
    });
  });

  it("reports byte deltas as int64 strings and their rate as doubles", async () => {
    const raw = await list({ filter: `${metric("sent_bytes_count")} AND resource.label.location = "us-central1"` });
    expect(points(raw)[0]).toEqual({
      interval: { startTime: iso(now - 10_000), endTime: iso(now) },
      value: { int64Value: String(100 * 125_000 * 10) },
    });
    const rate = await list({
      filter: `${metric("received_bytes_count")} AND resource.labels.connector_name = "web"`,
      aggregation: { alignmentPeriod: "60s", perSeriesAligner: "ALIGN_RATE" },
    });
    expect(series(rate)[0]).toMatchObject({ metricKind: "GAUGE", valueType: "DOUBLE", unit: "By/s" });
    expect(points(rate).map((p) => p.value.doubleValue)).toEqual([12_500_000, 12_500_000]);
  });

  it("shows instances scaling out as load rises", async () => {
    await vpc.controlRoutes?.find((r) => r.method.endsWith("/SetLoad"))?.handler({ name: CONNECTOR, mbps: 300 });
    now += 60_000;
    const response = await list({
      filter: `${metric("instances")} AND resource.labels.connector_name = "web"`,
      aggregation: { alignmentPeriod: "60s", perSeriesAligner: "ALIGN_MAX" },
    });
    expect(points(response).map((p) => p.value)).toEqual([
      { int64Value: "4" },
      { int64Value: "2" },
      { int64Value: "2" },
    ]);
  });

  it("aligns CPU with mean, max and p99, and reduces across connectors", async () => {
    const cpu = async (aligner: string, extra: JsonObject = {}) =>
      await list({
        filter: metric("cpu/utilizations"),
        aggregation: { alignmentPeriod: "120s", perSeriesAligner: aligner, ...extra },
      });
    expect(points(await cpu("ALIGN_MEAN"), 1)[0]?.value).toEqual({ doubleValue: 0.5 });
    expect(points(await cpu("ALIGN_MAX"), 1)[0]?.value).toEqual({ doubleValue: 0.5 });
    // Estimated from the 1% bucket holding 0.5, so a little above it.
    const p99 = points(await cpu("ALIGN_PERCENTILE_99"), 1)[0]?.value.doubleValue as number;
    expect(p99).toBeGreaterThan(0.5);
    expect(p99).toBeLessThan(0.51);
    const reduced = await cpu("ALIGN_MEAN", {
      crossSeriesReducer: "REDUCE_MAX",
      groupByFields: ["resource.labels.project_id"],
    });
    expect(series(reduced)).toHaveLength(1);
    expect(series(reduced)[0]).toMatchObject({
      resource: { labels: { project_id: "p" } },
      points: [{ value: { doubleValue: 0.5 } }],
    });
  });

  it("returns headers only and pages through series", async () => {
    const first = await list({ filter: metric("instances"), view: "HEADERS", pageSize: 1 });
    expect(series(first)).toHaveLength(1);
    expect(points(first)).toEqual([]);
    const second = await list({
      filter: metric("instances"),
      view: "HEADERS",
      pageSize: 1,
      pageToken: first.nextPageToken,
    });
    expect(second.nextPageToken).toBeUndefined();
    const names = [...series(first), ...series(second)].map(
      (s) => (s.resource as { labels: JsonObject }).labels.connector_name,
    );
    expect(names).toEqual(["api", "web"]);
  });

  it("rejects what it cannot answer with INVALID_ARGUMENT", async () => {
    const cases: Array<[JsonObject, string]> = [
      [{ filter: 'resource.type = "vpc_access_connector"' }, "must name a metric type"],
      [{ filter: metric("nope") }, "Cannot find metric(s)"],
      [
        { filter: metric("instances"), aggregation: { alignmentPeriod: "60s", perSeriesAligner: "ALIGN_RATE" } },
        "ALIGN_RATE applies to DELTA",
      ],
      [{ filter: metric("instances"), interval: { startTime: iso(now) } }, "interval.end_time is required"],
      [{ filter: metric("instances"), interval: { startTime: iso(now), endTime: iso(START) } }, "must not be later"],
      [{ filter: metric("instances"), orderBy: "value" }, "order_by is not supported"],
      [{ filter: metric("instances"), name: "organizations/1" }, "projects/{project}"],
    ];
    for (const [request, message] of cases) {
      const error = await failure(request);
      expect(error.code).toBe("INVALID_ARGUMENT");
      expect(error.message).toContain(message);
    }
  });
});

describe("ListTimeSeries as Google serves connector metrics", () => {
  let clock: number;
  let google: ReturnType<typeof createMonitoringModule>;

  const listAt = async (request: JsonObject) => {
    const handler = google.services[0]?.methods.ListTimeSeries;
    if (!handler) throw new Error("ListTimeSeries missing");
    return await handler({
      name: "projects/p",
      interval: { startTime: iso(START), endTime: iso(clock) },
      filter: `${metric("cpu/utilizations")} AND resource.labels.connector_name = "web"`,
      ...request,
    });
  };
  const endTimes = (response: JsonObject) => points(response).map((p) => Date.parse(String(p.interval.endTime)));

  beforeEach(() => {
    clock = START;
    const ctx = { operations: new OperationStore(0), now: () => clock };
    const connectors = createVpcAccessModule(ctx);
    google = createMonitoringModule(ctx, connectors);
    connectors.seed({
      connectors: [{ name: CONNECTOR, machineType: "e2-micro", minInstances: 2, maxInstances: 4, loadMbps: 100 }],
    });
    clock += 10 * 60_000;
  });

  it("samples every 60 s and shows a point only once 180 s have passed since it was taken", async () => {
    expect(google.ingestDelaySeconds).toBe(180);
    const times = endTimes(await listAt({}));
    expect(times[0]).toBe(clock - 180_000);
    expect(times.slice(0, -1).map((t, i) => t - (times[i + 1] ?? 0))).toEqual(new Array(times.length - 1).fill(60_000));
    clock += 59_000;
    expect(endTimes(await listAt({}))[0]).toBe(clock - 59_000 - 180_000);
    clock += 1_000;
    expect(endTimes(await listAt({}))[0]).toBe(clock - 180_000);
  });

  it("aligned queries see the lag as periods without data", async () => {
    const aligned = await listAt({ aggregation: { alignmentPeriod: "60s", perSeriesAligner: "ALIGN_MEAN" } });
    // Periods ending now, 60 s and 120 s ago hold no visible point yet.
    expect(endTimes(aligned)[0]).toBe(clock - 180_000);
    google.setIngestDelay(0);
    expect(endTimes(await listAt({}))[0]).toBe(clock);
    expect(() => google.setIngestDelay(-1)).toThrow("ingestDelaySeconds");
  });

  it("serves the packet counts beside the byte counts", async () => {
    const packets = await listAt({
      filter: `${metric("received_packets_count")} AND resource.labels.connector_name = "web"`,
    });
    const bytes = await listAt({
      filter: `${metric("received_bytes_count")} AND resource.labels.connector_name = "web"`,
    });
    expect(series(packets)[0]).toMatchObject({ metricKind: "DELTA", valueType: "INT64" });
    // 100 Mbps for 60 s is 750,000,000 bytes, in 1000-byte packets.
    expect(points(bytes)[0]?.value).toEqual({ int64Value: "750000000" });
    expect(points(packets)[0]?.value).toEqual({ int64Value: "750000" });
    const sent = await listAt({ filter: `${metric("sent_packets_count")} AND resource.labels.connector_name = "web"` });
    expect(points(sent)[0]?.value).toEqual({ int64Value: "750000" });
  });
});
