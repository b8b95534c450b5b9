// Offered load, autoscaling and the resulting utilization of one connector, sampled on the sim clock.
// Samples are computed lazily: a change (new load, new sizing, new noise) first materialises every sample
// up to "now" under the old settings, then applies from "now" on. So the history never needs timers and
// past samples stay what they were when Monitoring first could have read them.

import { MODEL_SCALE_OUT_UTILIZATION } from "./google-facts.ts";
import { MBPS_PER_INSTANCE, type Sizing } from "./rules.ts";

/** Instances are added once the expected per-instance utilization would exceed this (a modelling choice). */
export const SCALE_OUT_UTILIZATION = MODEL_SCALE_OUT_UTILIZATION;
/** A proxy sends what it receives; 1 Mbps for one second is 125,000 bytes. */
const BYTES_PER_MBIT = 125_000;
/**
 * CPU model (a modelling choice; Google publishes no per-packet cost): an instance's CPU is half
 * byte-bound and half packet-bound, calibrated so that at the reference mean packet size it equals the
 * served share of capacity. Smaller packets at the same Mbps mean more packets and more CPU.
 */
export const REFERENCE_PACKET_BYTES = 1000;
const PACKET_CPU_SHARE = 0.5;
/** Samples kept per connector: a bit over a day at the default 10 s period. */
const HISTORY_LIMIT = 10_000;

/** Load ramping linearly from `fromMbps` at `atMs` to `toMbps` at `atMs + durationMs` (0 = a step), then holding. */
export interface LoadSegment {
  atMs: number;
  fromMbps: number;
  toMbps: number;
  durationMs: number;
}

/** Relative jitter applied to offered load and to each instance's CPU; `seed` makes it repeatable. */
export interface Noise {
  amplitude: number;
  seed: number;
}

export interface LoadSample {
  /** End of the sampled period (t - period, t]. */
  timeMs: number;
  offeredMbps: number;
  instances: number;
  capacityMbps: number;
  servedMbps: number;
  /** CPU utilization of each instance, 0..1. */
  cpuUtilizations: number[];
  sentBytes: number;
  receivedBytes: number;
  sentPackets: number;
  receivedPackets: number;
}

export interface ConnectorLoadState {
  sizing: Sizing;
  segment: LoadSegment;
  noise: Noise;
  /** Mean packet size of the traffic, in bytes; absent = REFERENCE_PACKET_BYTES. */
  packetBytes?: number;
  createdMs: number;
  /** Instances the autoscaler runs now; undefined right after creation or a machine type change (= min). */
  instances: number | undefined;
  samples: LoadSample[];
}

export function loadAt(segment: LoadSegment, timeMs: number): number {
  const elapsed = timeMs - segment.atMs;
  if (segment.durationMs <= 0 || elapsed >= segment.durationMs) return segment.toMbps;
  if (elapsed <= 0) return segment.fromMbps;
  return segment.fromMbps + ((segment.toMbps - segment.fromMbps) * elapsed) / segment.durationMs;
}

/** Instances the autoscaler runs for an offered load: grows to need, never shrinks, stays within min..max. */
export function scaledInstances(sizing: Sizing, offeredMbps: number, previous: number | undefined): number {
  const needed = Math.ceil(offeredMbps / (MBPS_PER_INSTANCE[sizing.machineType] * SCALE_OUT_UTILIZATION));
  return Math.min(sizing.maxInstances, Math.max(sizing.minInstances, previous ?? 0, needed));
}

/** Deterministic jitter in [-1, 1] for (seed, key, index, slot), independent of evaluation order. */
export function jitter(seed: number, key: string, index: number, slot: number): number {
  let h = 2166136261 ^ seed;
  for (const ch of `${key}|${index}|${slot}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  // One mulberry32 round spreads the FNV hash over the full range.
  h = Math.imul(h ^ (h >>> 15), h | 1);
  h ^= h + Math.imul(h ^ (h >>> 7), h | 61);
  return (((h ^ (h >>> 14)) >>> 0) / 4294967295) * 2 - 1;
}

/** CPU share of one instance serving `byteLoad` (served / capacity) in packets of `packetBytes`. */
export function cpuLoad(byteLoad: number, packetBytes: number): number {
  const packetLoad = (byteLoad * REFERENCE_PACKET_BYTES) / packetBytes;
  return byteLoad * (1 - PACKET_CPU_SHARE) + packetLoad * PACKET_CPU_SHARE;
}

/** One sample: what the connector serves and how busy its instances are at `timeMs`. */
export function computeSample(
  input: {
    key: string;
    index: number;
    timeMs: number;
    periodMs: number;
    offeredMbps: number;
    sizing: Sizing;
    noise: Noise;
    packetBytes: number;
  },
  previousInstances: number | undefined,
): LoadSample {
  const { key, index, noise } = input;
  const offered = Math.max(0, input.offeredMbps * (1 + noise.amplitude * jitter(noise.seed, key, index, 0)));
  const instances = scaledInstances(input.sizing, offered, previousInstances);
  const capacity = instances * MBPS_PER_INSTANCE[input.sizing.machineType];
  const served = Math.min(offered, capacity);
  const utilization = cpuLoad(served / capacity, input.packetBytes);
  const cpuUtilizations = Array.from({ length: instances }, (_, i) =>
    Math.min(1, Math.max(0, utilization * (1 + noise.amplitude * jitter(noise.seed, key, index, i + 1)))),
  );
  const bytes = Math.round(served * (input.periodMs / 1000) * BYTES_PER_MBIT);
  const packets = Math.round(bytes / input.packetBytes);
  return {
    timeMs: input.timeMs,
    offeredMbps: offered,
    instances,
    capacityMbps: capacity,
    servedMbps: served,
    cpuUtilizations,
    sentBytes: bytes,
    receivedBytes: bytes,
    sentPackets: packets,
    receivedPackets: packets,
  };
}

export class ConnectorLoad {
  readonly #key: string;
  readonly #periodMs: number;
  #state: ConnectorLoadState;

  constructor(key: string, periodMs: number, state: ConnectorLoadState) {
    this.#key = key;
    this.#periodMs = periodMs;
    this.#state = structuredClone(state);
  }

  static start(key: string, periodMs: number, sizing: Sizing, nowMs: number, loadMbps = 0): ConnectorLoad {
    return new ConnectorLoad(key, periodMs, {
      sizing,
      segment: { atMs: nowMs, fromMbps: loadMbps, toMbps: loadMbps, durationMs: 0 },
      noise: { amplitude: 0, seed: 0 },
      createdMs: nowMs,
      instances: undefined,
      samples: [],
    });
  }

  get sizing(): Sizing {
    return { ...this.#state.sizing };
  }

  setLoad(nowMs: number, change: { mbps: number } | { fromMbps: number; toMbps: number; seconds: number }): void {
    this.#advance(nowMs);
    this.#state.segment =
      "mbps" in change
        ? { atMs: nowMs, fromMbps: change.mbps, toMbps: change.mbps, durationMs: 0 }
        : { atMs: nowMs, fromMbps: change.fromMbps, toMbps: change.toMbps, durationMs: change.seconds * 1000 };
  }

  /** Mean packet size from now on: the same Mbps in smaller packets costs more CPU. */
  setPacketBytes(nowMs: number, packetBytes: number): void {
    this.#advance(nowMs);
    this.#state.packetBytes = packetBytes;
  }

  setNoise(nowMs: number, noise: Noise): void {
    this.#advance(nowMs);
    this.#state.noise = { ...noise };
  }

  /** A new machine type is a new instance group, so sizing restarts from min; otherwise instances only grow. */
  resize(nowMs: number, sizing: Sizing): void {
    this.#advance(nowMs);
    if (sizing.machineType !== this.#state.sizing.machineType) this.#state.instances = undefined;
    this.#state.sizing = { ...sizing };
  }

  /** Samples with startMs <= timeMs <= endMs, oldest first. */
  samples(nowMs: number, startMs: number, endMs: number): LoadSample[] {
    this.#advance(nowMs);
    return this.#state.samples.filter((s) => s.timeMs >= startMs && s.timeMs <= endMs).map((s) => structuredClone(s));
  }

  /** The model right now, for the control API: instances as the autoscaler last set them, without noise. */
  describe(nowMs: number): Record<string, unknown> {
    this.#advance(nowMs);
    const { segment, sizing } = this.#state;
    const offeredMbps = loadAt(segment, nowMs);
    const instances = this.#state.instances ?? sizing.minInstances;
    const capacityMbps = instances * MBPS_PER_INSTANCE[sizing.machineType];
    const servedMbps = Math.min(offeredMbps, capacityMbps);
    const packetBytes = this.#state.packetBytes ?? REFERENCE_PACKET_BYTES;
    const ramping = segment.durationMs > 0 && nowMs < segment.atMs + segment.durationMs;
    return {
      sizing: this.sizing,
      offeredMbps,
      ...(ramping
        ? {
            ramp: {
              fromMbps: segment.fromMbps,
              toMbps: segment.toMbps,
              seconds: segment.durationMs / 1000,
              startedAt: new Date(segment.atMs).toISOString(),
            },
          }
        : {}),
      noise: { ...this.#state.noise },
      instances,
      capacityMbps,
      servedMbps,
      packetBytes,
      meanCpuUtilization: Math.min(1, cpuLoad(servedMbps / capacityMbps, packetBytes)),
      samplePeriodSeconds: this.#periodMs / 1000,
    };
  }

  toJSON(): ConnectorLoadState {
    return structuredClone(this.#state);
  }

  #input(index: number, timeMs: number) {
    const { segment, noise, sizing } = this.#state;
    return {
      key: this.#key,
      index,
      timeMs,
      periodMs: this.#periodMs,
      offeredMbps: loadAt(segment, timeMs),
      sizing,
      noise,
      packetBytes: this.#state.packetBytes ?? REFERENCE_PACKET_BYTES,
    };
  }

  /** Materialises the samples due up to `nowMs` under the current settings. */
  #advance(nowMs: number): void {
    const state = this.#state;
    const lastTime = state.samples.at(-1)?.timeMs ?? state.createdMs;
    for (let k = Math.floor(lastTime / this.#periodMs) + 1; k * this.#periodMs <= nowMs; k++) {
      const sample = computeSample(this.#input(k, k * this.#periodMs), state.instances);
      state.instances = sample.instances;
      state.samples.push(sample);
    }
    if (state.samples.length > HISTORY_LIMIT) state.samples.splice(0, state.samples.length - HISTORY_LIMIT);
  }
}
