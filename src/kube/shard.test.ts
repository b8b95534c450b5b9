import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../observability/logger.ts";
import { ShardElector, shardLeaseName, shardOf } from "./shard.ts";

/** A kubeconfig for a server nobody calls: these tests never start the elector. */
const kubeConfig = new KubeConfig();
kubeConfig.loadFromClusterAndUser(
  { name: "unused", server: "https://127.0.0.1:1", skipTLSVerify: true },
  { name: "u" },
);

const elector = (shards: number, index?: number) =>
  new ShardElector({
    kubeConfig,
    namespace: "default",
    name: "driftguard",
    identity: "replica-a",
    shards,
    ...(index === undefined ? {} : { index }),
    log: silentLogger,
  });

describe("shardOf", () => {
  it("is FNV-1a of the namespace, so every replica and every version agrees", () => {
    // FNV-1a 32-bit of "" is the offset basis 0x811c9dc5; of "a" it is 0xe40c292c (published test vectors).
    expect(shardOf("", 2 ** 32 - 1)).toBe(0x811c9dc5 % (2 ** 32 - 1));
    expect(shardOf("a", 2 ** 32 - 1)).toBe(0xe40c292c % (2 ** 32 - 1));
    expect(shardOf("team-payments", 7)).toBe(shardOf("team-payments", 7));
  });

  it("spreads namespaces over the shards", () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[shardOf(`team-${i}`, 4)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(800);
  });

  it("puts everything in shard 0 of 1", () => {
    expect(shardOf("anything", 1)).toBe(0);
  });
});

describe("ShardElector", () => {
  it("names one Lease per shard with the shard count in it", () => {
    expect(shardLeaseName("driftguard", 2, 3)).toBe("driftguard-shard-2-of-3");
  });

  it("refuses a shard index outside the shard count, and a count below 1", () => {
    expect(() => elector(3, 3)).toThrow("shard index must be a whole number from 0 to 2, got 3");
    expect(() => elector(0)).toThrow("shards must be a whole number ≥ 1, got 0");
  });

  it("owns nothing and is not leading before it wins a shard", () => {
    const shards = elector(3);
    expect(shards.index).toBeUndefined();
    expect(shards.isLeader()).toBe(false);
    expect(shards.owns("team-a")).toBe(false);
  });
});
