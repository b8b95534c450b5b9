import { describe, expect, it } from "vitest";
import { silentLogger } from "../observability/logger.ts";
import { DirectorySource } from "../sources/directory.ts";
import { createElector, watchesStale, type LifecycleOptions } from "./lifecycle.ts";

const silentFor = (ms: number) => ({ apiSilentForMs: () => ms });

describe("watchesStale", () => {
  it("fails liveness for stale watches while the API server answers", () => {
    expect(watchesStale(true, silentFor(1_000), 15_000)).toBe(true);
    expect(watchesStale(true, undefined, 15_000)).toBe(true);
  });

  it("does not fail liveness while the API server itself is unreachable", () => {
    expect(watchesStale(true, silentFor(15_000), 15_000)).toBe(false);
    expect(watchesStale(true, silentFor(600_000), 15_000)).toBe(false);
  });

  it("is false when the watches are fresh", () => {
    expect(watchesStale(false, silentFor(0), 15_000)).toBe(false);
    expect(watchesStale(false, undefined, 15_000)).toBe(false);
  });
});

describe("createElector with shards", () => {
  const options = (extra: Partial<LifecycleOptions>): LifecycleOptions => ({
    leaderElect: true,
    leaderElectionId: "driftguard",
    leaseDuration: "15s",
    renewDeadline: "10s",
    retryPeriod: "2s",
    shutdownTimeout: "15s",
    healthPort: 0,
    shards: 1,
    ...extra,
  });
  const directory = () => new DirectorySource({ directory: "/nonexistent", resources: [], defaultResync: "60s" });

  it("refuses a shard index outside the shard count, naming both flags", () => {
    expect(() => createElector(options({ shards: 3, shardIndex: 3 }), directory(), silentLogger)).toThrow(
      "--shard-index must be below --shards (3), got 3",
    );
  });

  it("refuses shards without leader election or without the cluster source", () => {
    const message = "--shards and --shard-index need leader election and the cluster source";
    expect(() => createElector(options({ shards: 2 }), directory(), silentLogger)).toThrow(message);
    expect(() => createElector(options({ shards: 2, leaderElect: false }), directory(), silentLogger)).toThrow(message);
  });
});
