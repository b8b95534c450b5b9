import { describe, expect, it } from "vitest";
import { TokenBucket } from "./token-bucket.ts";

function bucketAt(qps: number, burst: number): { bucket: TokenBucket; advance: (ms: number) => void } {
  let now = 0;
  const bucket = new TokenBucket({ qps, burst, now: () => now });
  return { bucket, advance: (ms) => (now += ms) };
}

describe("TokenBucket", () => {
  it("lets a full burst pass without waiting", () => {
    const { bucket } = bucketAt(10, 3);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
  });

  it("queues reservations past the burst one interval apart", () => {
    const { bucket } = bucketAt(10, 1);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 100, 200]);
    expect(bucket.available()).toBe(-2);
  });

  it("refills over time but never beyond the burst", () => {
    const { bucket, advance } = bucketAt(2, 2);
    bucket.reserve();
    bucket.reserve();
    advance(500);
    expect(bucket.available()).toBe(1);
    advance(60_000);
    expect(bucket.available()).toBe(2);
  });

  it("rejects a non-positive rate and a fractional burst", () => {
    expect(() => new TokenBucket({ qps: 0, burst: 1 })).toThrow(/qps must be a positive number, got 0/);
    expect(() => new TokenBucket({ qps: 1, burst: 1.5 })).toThrow(/burst must be an integer >= 1, got 1.5/);
  });
});
