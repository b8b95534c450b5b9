import { describe, expect, it } from "vitest";
import { ConnectorLoad, REFERENCE_PACKET_BYTES, computeSample, jitter, loadAt, scaledInstances } from "./load-model.ts";
import type { Sizing } from "./rules.ts";

const PERIOD = 10_000;
const e2micro: Sizing = { machineType: "e2-micro", minInstances: 2, maxInstances: 5 };
const quiet = { amplitude: 0, seed: 0 };

function sampleFor(sizing: Sizing, offeredMbps: number, previous?: number, packetBytes = REFERENCE_PACKET_BYTES) {
  return computeSample(
    { key: "c", index: 1, timeMs: PERIOD, periodMs: PERIOD, offeredMbps, sizing, noise: quiet, packetBytes },
    previous,
  );
}

describe("loadAt", () => {
  const ramp = { atMs: 1000, fromMbps: 100, toMbps: 300, durationMs: 2000 };

  it("moves linearly during a ramp and holds afterwards", () => {
    expect(loadAt(ramp, 1000)).toBe(100);
    expect(loadAt(ramp, 2000)).toBe(200);
    expect(loadAt(ramp, 3000)).toBe(300);
    expect(loadAt(ramp, 9000)).toBe(300);
  });

  it("steps at once when there is no duration", () => {
    expect(loadAt({ atMs: 0, fromMbps: 50, toMbps: 50, durationMs: 0 }, 5)).toBe(50);
  });
});

describe("scaledInstances", () => {
  it("adds instances once 80% of capacity would be exceeded, within min..max", () => {
    expect(scaledInstances(e2micro, 0, undefined)).toBe(2);
    expect(scaledInstances(e2micro, 160, undefined)).toBe(2);
    expect(scaledInstances(e2micro, 161, undefined)).toBe(3);
    expect(scaledInstances(e2micro, 10_000, undefined)).toBe(5);
  });

  it("never scales in", () => {
    expect(scaledInstances(e2micro, 0, 4)).toBe(4);
  });
});

describe("computeSample", () => {
  it("spreads the served load over the instances per machine type", () => {
    const micro = sampleFor(e2micro, 150);
    expect(micro).toMatchObject({ instances: 2, capacityMbps: 200, servedMbps: 150, cpuUtilizations: [0.75, 0.75] });
    const f1 = sampleFor({ machineType: "f1-micro", minInstances: 2, maxInstances: 3 }, 60);
    expect(f1).toMatchObject({ instances: 2, capacityMbps: 100, cpuUtilizations: [0.6, 0.6] });
    const big = sampleFor({ machineType: "e2-standard-4", minInstances: 2, maxInstances: 3 }, 1600);
    expect(big).toMatchObject({ instances: 2, capacityMbps: 3200, cpuUtilizations: [0.5, 0.5] });
  });

  it("saturates at max capacity and serves no more than it can", () => {
    const sample = sampleFor(e2micro, 800);
    expect(sample).toMatchObject({ instances: 5, servedMbps: 500, cpuUtilizations: [1, 1, 1, 1, 1] });
  });

  it("counts the bytes and packets served in the period", () => {
    // 80 Mbps for 10 s = 800 Mbit = 100,000,000 bytes each way, in 1000-byte packets.
    expect(sampleFor(e2micro, 80)).toMatchObject({
      sentBytes: 100_000_000,
      receivedBytes: 100_000_000,
      sentPackets: 100_000,
      receivedPackets: 100_000,
    });
    expect(sampleFor(e2micro, 80, undefined, 250)).toMatchObject({ sentPackets: 400_000, receivedPackets: 400_000 });
  });

  it("costs more CPU for the same Mbps in smaller packets", () => {
    // 100 Mbps on two e2-micro: half of capacity; at half the reference size, twice the packets.
    const reference = sampleFor(e2micro, 100);
    const small = sampleFor(e2micro, 100, undefined, REFERENCE_PACKET_BYTES / 2);
    expect(reference.cpuUtilizations).toEqual([0.5, 0.5]);
    expect(small.servedMbps).toBe(reference.servedMbps);
    expect(small.cpuUtilizations[0]).toBeCloseTo(0.5 * 0.5 + 1 * 0.5, 9);
    const large = sampleFor(e2micro, 100, undefined, REFERENCE_PACKET_BYTES * 2);
    expect(large.cpuUtilizations[0]).toBeLessThan(0.5);
  });

  it("jitters deterministically with a seed", () => {
    const noisy = (seed: number) =>
      computeSample(
        {
          key: "c",
          index: 7,
          timeMs: 0,
          periodMs: PERIOD,
          offeredMbps: 100,
          sizing: e2micro,
          noise: { amplitude: 0.2, seed },
          packetBytes: REFERENCE_PACKET_BYTES,
        },
        undefined,
      );
    expect(noisy(3)).toEqual(noisy(3));
    expect(noisy(3).cpuUtilizations).not.toEqual(noisy(4).cpuUtilizations);
    for (const cpu of noisy(3).cpuUtilizations) expect(cpu).toBeGreaterThanOrEqual(0.5 * 0.8 * 0.8);
  });

  it("keeps jitter within [-1, 1]", () => {
    const values = Array.from({ length: 500 }, (_, i) => jitter(1, "k", i, 0));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    expect(Math.min(...values)).toBeLessThan(-0.9);
    expect(Math.max(...values)).toBeGreaterThan(0.9);
  });
});

describe("ConnectorLoad", () => {
  it("samples every period from creation and keeps history", () => {
    const load = ConnectorLoad.start("c", PERIOD, e2micro, 5_000, 100);
    const samples = load.samples(45_000, 0, 45_000);
    expect(samples.map((s) => s.timeMs)).toEqual([10_000, 20_000, 30_000, 40_000]);
    expect(load.samples(45_000, 20_000, 30_000).map((s) => s.timeMs)).toEqual([20_000, 30_000]);
  });

  it("scales out with a ramp and does not scale back in when load drops", () => {
    const load = ConnectorLoad.start("c", PERIOD, e2micro, 0, 0);
    load.setLoad(0, { fromMbps: 0, toMbps: 400, seconds: 40 });
    load.setLoad(60_000, { mbps: 0 });
    const instances = load.samples(90_000, 0, 90_000).map((s) => [s.offeredMbps, s.instances]);
    expect(instances).toEqual([
      [100, 2],
      [200, 3],
      [300, 4],
      [400, 5],
      [400, 5],
      [400, 5],
      [0, 5],
      [0, 5],
      [0, 5],
    ]);
  });

  it("keeps past samples when the load changes later", () => {
    const load = ConnectorLoad.start("c", PERIOD, e2micro, 0, 100);
    load.setLoad(25_000, { mbps: 50 });
    expect(load.samples(40_000, 0, 40_000).map((s) => s.offeredMbps)).toEqual([100, 100, 50, 50]);
  });

  it("restarts sizing on a machine type change but keeps instances on a min increase", () => {
    const load = ConnectorLoad.start("c", PERIOD, e2micro, 0, 400);
    expect(load.samples(10_000, 0, 10_000).at(-1)?.instances).toBe(5);
    load.resize(10_000, { machineType: "e2-standard-4", minInstances: 2, maxInstances: 5 });
    expect(load.samples(20_000, 20_000, 20_000)[0]).toMatchObject({ instances: 2, capacityMbps: 3200 });
    load.setLoad(20_000, { mbps: 0 });
    load.resize(20_000, { machineType: "e2-standard-4", minInstances: 3, maxInstances: 6 });
    expect(load.samples(30_000, 30_000, 30_000)[0]?.instances).toBe(3);
  });

  it("round-trips through its JSON state", () => {
    const load = ConnectorLoad.start("c", PERIOD, e2micro, 0, 300);
    load.setNoise(0, { amplitude: 0.1, seed: 9 });
    const copy = new ConnectorLoad("c", PERIOD, load.toJSON());
    expect(copy.samples(50_000, 0, 50_000)).toEqual(load.samples(50_000, 0, 50_000));
  });

  it("describes the model now, including an active ramp", () => {
    const load = ConnectorLoad.start("c", PERIOD, e2micro, 0, 0);
    load.setLoad(0, { fromMbps: 0, toMbps: 200, seconds: 100 });
    expect(load.describe(50_000)).toMatchObject({
      offeredMbps: 100,
      ramp: { fromMbps: 0, toMbps: 200, seconds: 100 },
      instances: 2,
      capacityMbps: 200,
      meanCpuUtilization: 0.5,
      samplePeriodSeconds: 10,
    });
  });
});
