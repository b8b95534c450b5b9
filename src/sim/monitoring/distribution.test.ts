import { describe, expect, it } from "vitest";
import { bucketCounts, mergeCounts, percentileFromBuckets } from "./distribution.ts";

const TENTHS = { numFiniteBuckets: 10, width: 0.1, offset: 0 };

describe("bucketCounts", () => {
  it("puts each value in its bucket, with underflow and overflow at the ends", () => {
    expect(bucketCounts([-0.5, 0, 0.05, 0.7, 0.99, 1, 3], TENTHS)).toEqual([1, 2, 0, 0, 0, 0, 0, 0, 1, 0, 1, 2]);
  });
});

describe("percentileFromBuckets", () => {
  it("estimates within the bucket, not from the raw values", () => {
    // Raw p99 of [0.71, 0.72, 0.73] is ~0.73; the buckets only know "three values in [0.7, 0.8)".
    const counts = bucketCounts([0.71, 0.72, 0.73], TENTHS);
    expect(percentileFromBuckets(counts, TENTHS, 99)).toBeCloseTo(0.799, 6);
    expect(percentileFromBuckets(counts, TENTHS, 50)).toBeCloseTo(0.75, 6);
  });

  it("walks the cumulative counts across buckets", () => {
    // 99 values in [0.1, 0.2) and one in [0.9, 1): rank 99 ends the first bucket.
    const counts = bucketCounts([...new Array<number>(99).fill(0.15), 0.95], TENTHS);
    expect(percentileFromBuckets(counts, TENTHS, 99)).toBeCloseTo(0.2, 6);
    expect(percentileFromBuckets(counts, TENTHS, 100)).toBeCloseTo(1, 6);
  });

  it("reports the known bound for underflow and overflow, and nothing for no values", () => {
    expect(percentileFromBuckets(bucketCounts([-1], TENTHS), TENTHS, 99)).toBe(0);
    expect(percentileFromBuckets(bucketCounts([5], TENTHS), TENTHS, 99)).toBeCloseTo(1, 6);
    expect(percentileFromBuckets(bucketCounts([], TENTHS), TENTHS, 99)).toBeUndefined();
  });

  it("merges the distributions of several points before estimating", () => {
    const merged = mergeCounts(bucketCounts([0.15], TENTHS), bucketCounts([0.85], TENTHS));
    expect(merged.reduce((a, b) => a + b, 0)).toBe(2);
    expect(percentileFromBuckets(merged, TENTHS, 99)).toBeCloseTo(0.898, 6);
  });
});
