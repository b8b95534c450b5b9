// The simulated Cloud Monitoring ListTimeSeries driven by the real @google-cloud/monitoring client, on a
// simulator clock the test moves, so every sample and aligned value is known exactly. Sampling (60 s) and
// ingestion delay (180 s) are Google's, the simulator's defaults.

import { MetricServiceClient } from "@google-cloud/monitoring";
import { googleAuthLibrary, grpc } from "google-gax";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimControlClient } from "../../../src/sim/control/client.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";

const START_MS = Date.parse("2025-03-01T12:00:00Z");
const WEB = "projects/demo/locations/us-central1/connectors/web";
const CPU = 'metric.type = "vpcaccess.googleapis.com/connector/cpu/utilizations"';
const INSTANCES = 'metric.type = "vpcaccess.googleapis.com/connector/instances"';
const SENT = 'metric.type = "vpcaccess.googleapis.com/connector/sent_bytes_count"';
const RECEIVED_PACKETS = 'metric.type = "vpcaccess.googleapis.com/connector/received_packets_count"';
const DELAY_MS = 180_000;

let sim: Simulator;
let clock = START_MS;

const seconds = (ms: number) => ({ seconds: Math.floor(ms / 1000) });

function offlineAuth(): googleAuthLibrary.OAuth2Client {
  const auth = new googleAuthLibrary.OAuth2Client();
  auth.setCredentials({ access_token: "test-token", expiry_date: Date.now() + 3_600_000 });
  return auth;
}

function client(mode: "grpc" | "rest"): MetricServiceClient {
  return mode === "grpc"
    ? new MetricServiceClient({
        servicePath: "127.0.0.1",
        port: sim.grpcPort,
        sslCreds: grpc.credentials.createInsecure(),
      })
    : new MetricServiceClient({
        fallback: true,
        servicePath: "127.0.0.1",
        port: sim.restPort,
        protocol: "http",
        authClient: offlineAuth(),
      });
}

async function setLoad(mbps: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${sim.restPort}/control/v1/connectors/${WEB}:load`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ mbps }),
  });
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  sim = await startSimulator({
    now: () => clock,
    seed: {
      connectors: [
        { name: WEB, machineType: "e2-micro", minInstances: 2, maxInstances: 5, loadMbps: 100 },
        {
          name: "projects/demo/locations/europe-west1/connectors/api",
          machineType: "e2-standard-4",
          minInstances: 2,
          maxInstances: 3,
        },
      ],
    },
  });
  // Ten minutes at 100 Mbps, then ten at 300 Mbps: the connector scales from 2 to 4 instances.
  clock += 600_000;
  await setLoad(300);
  clock += 600_000;
});

afterAll(async () => {
  await sim.stop();
});

describe.each(["grpc", "rest"] as const)("MetricServiceClient over %s", (mode) => {
  const request = (filter: string, extra: Record<string, unknown> = {}) => ({
    name: "projects/demo",
    filter,
    interval: { startTime: seconds(START_MS), endTime: seconds(clock) },
    ...extra,
  });

  it("lists raw CPU distributions of one connector, newest first", async () => {
    const monitoring = client(mode);
    const [series] = await monitoring.listTimeSeries(request(`${CPU} AND resource.labels.connector_name = "web"`));
    expect(series).toHaveLength(1);
    const [web] = series;
    expect(web?.resource).toMatchObject({
      type: "vpc_access_connector",
      labels: { project_id: "demo", location: "us-central1", connector_name: "web" },
    });
    // One point a minute, the last three minutes not visible yet.
    expect(web?.points).toHaveLength((clock - DELAY_MS - START_MS) / 60_000);
    const newest = web?.points?.[0];
    expect(Number(newest?.interval?.endTime?.seconds)).toBe((clock - DELAY_MS) / 1000);
    expect(Number(web?.points?.[1]?.interval?.endTime?.seconds)).toBe((clock - DELAY_MS - 60_000) / 1000);
    // 300 Mbps over 4 e2-micro instances (400 Mbps) is 75% CPU each.
    const distribution = newest?.value?.distributionValue;
    expect(distribution?.mean).toBe(0.75);
    expect(distribution?.bucketCounts?.map(Number)).toEqual(Array.from({ length: 102 }, (_, i) => (i === 76 ? 4 : 0)));
    expect(distribution?.bucketOptions?.linearBuckets).toMatchObject({ numFiniteBuckets: 100, width: 0.01 });
    expect(Number(distribution?.count)).toBe(4);
    await monitoring.close();
  });

  it("aligns with mean, max, p99 and rate", async () => {
    const monitoring = client(mode);
    const aligned = async (filter: string, perSeriesAligner: string) => {
      const [series] = await monitoring.listTimeSeries(
        request(`${filter} AND resource.label.connector_name = "web"`, {
          aggregation: { alignmentPeriod: { seconds: 300 }, perSeriesAligner },
        }),
      );
      return series[0]?.points?.map((p) => p.value ?? {}) ?? [];
    };
    // Four five-minute periods: two at 300 Mbps (the newest holds only its visible first two minutes), two
    // at 100 Mbps.
    expect((await aligned(CPU, "ALIGN_MEAN")).map((v) => v.doubleValue)).toEqual([0.75, 0.75, 0.5, 0.5]);
    expect((await aligned(CPU, "ALIGN_MAX")).map((v) => v.doubleValue)).toEqual([0.75, 0.75, 0.5, 0.5]);
    // p99 is estimated from the distribution's 1% buckets, so it lands inside [0.75, 0.76) and [0.50, 0.51).
    const p99 = (await aligned(CPU, "ALIGN_PERCENTILE_99")).map((v) => v.doubleValue ?? 0);
    expect(p99.map((v) => Math.floor(v * 100))).toEqual([75, 75, 50, 50]);
    expect(p99[0]).toBeGreaterThan(0.75);
    expect((await aligned(INSTANCES, "ALIGN_MAX")).map((v) => Number(v.int64Value))).toEqual([4, 4, 2, 2]);
    // 300 Mbps is 37.5 MB/s, 100 Mbps 12.5 MB/s; in 1000-byte packets, 37,500 and 12,500 a second. The
    // newest period's rate counts only the two minutes already visible: 2/5 of it.
    expect((await aligned(SENT, "ALIGN_RATE")).map((v) => v.doubleValue)).toEqual([
      15_000_000, 37_500_000, 12_500_000, 12_500_000,
    ]);
    expect((await aligned(RECEIVED_PACKETS, "ALIGN_RATE")).map((v) => v.doubleValue)).toEqual([
      15_000, 37_500, 12_500, 12_500,
    ]);
    await monitoring.close();
  });

  it("reduces across connectors", async () => {
    const monitoring = client(mode);
    const [series] = await monitoring.listTimeSeries(
      request(INSTANCES, {
        aggregation: {
          alignmentPeriod: { seconds: 1200 },
          perSeriesAligner: "ALIGN_MAX",
          crossSeriesReducer: "REDUCE_SUM",
        },
      }),
    );
    expect(series).toHaveLength(1);
    expect(Number(series[0]?.points?.[0]?.value?.int64Value)).toBe(4 + 2);
    await monitoring.close();
  });

  it("answers INVALID_ARGUMENT for what it does not support", async () => {
    const monitoring = client(mode);
    const invalid = mode === "grpc" ? grpc.status.INVALID_ARGUMENT : 400;
    const failures: Array<[Record<string, unknown>, string]> = [
      [request(`${INSTANCES} OR resource.type = "x"`), "expected AND"],
      [
        request(INSTANCES, { aggregation: { alignmentPeriod: { seconds: 60 }, perSeriesAligner: "ALIGN_RATE" } }),
        "ALIGN_RATE applies to DELTA",
      ],
      [
        request(SENT, { aggregation: { alignmentPeriod: { seconds: 60 }, perSeriesAligner: "ALIGN_PERCENTILE_99" } }),
        "applies to DISTRIBUTION",
      ],
      [request(CPU, { aggregation: { alignmentPeriod: { seconds: 60 }, perSeriesAligner: "ALIGN_SUM" } }), "ALIGN_SUM"],
      [request('metric.type = "vpcaccess.googleapis.com/connector/nope"'), "Cannot find metric(s)"],
    ];
    for (const [body, message] of failures) {
      const error = await monitoring.listTimeSeries(body).then(
        () => undefined,
        (err: unknown) => err as { code?: number; message: string },
      );
      expect(error?.code).toBe(invalid);
      expect(error?.message).toContain(message);
    }
    await monitoring.close();
  });
});

describe("the ingestion delay", () => {
  it("is set through the control API and moves the newest visible point", async () => {
    const monitoring = client("grpc");
    const newestEnd = async () => {
      const [series] = await monitoring.listTimeSeries({
        name: "projects/demo",
        filter: `${CPU} AND resource.labels.connector_name = "web"`,
        interval: { startTime: seconds(START_MS), endTime: seconds(clock) },
      });
      return Number(series[0]?.points?.[0]?.interval?.endTime?.seconds) * 1000;
    };
    expect(await newestEnd()).toBe(clock - DELAY_MS);
    const control = new SimControlClient(`http://127.0.0.1:${sim.restPort}`);
    await control.setMonitoringDelay(0);
    expect(await newestEnd()).toBe(clock);
    await control.setMonitoringDelay(DELAY_MS / 1000);
    expect(await newestEnd()).toBe(clock - DELAY_MS);
    await expect(control.setMonitoringDelay(-5)).rejects.toThrow(/ingestDelaySeconds/);
    await monitoring.close();
  });
});
