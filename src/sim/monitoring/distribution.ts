// Distribution values as Monitoring keeps them: bucket counts over linear buckets, plus count, mean and sum
// of squared deviation. Percentiles are estimated from the buckets, as they must be once the raw values
// are gone (see CPU_UTILIZATION_BUCKETS).

export interface LinearBuckets {
  numFiniteBuckets: number;
  width: number;
  offset: number;
}

/** Counts per bucket: [underflow, finite 1..N, overflow], the order of Distribution.bucket_counts. */
export function bucketCounts(values: readonly number[], buckets: LinearBuckets): number[] {
  const { numFiniteBuckets, width, offset } = buckets;
  const counts = new Array<number>(numFiniteBuckets + 2).fill(0);
  for (const value of values) {
    // A tiny epsilon keeps values on a bound (0.7 / 0.01 = 69.999...) in the bucket that starts there.
    const index = value < offset ? 0 : Math.min(numFiniteBuckets + 1, Math.floor((value - offset) / width + 1e-9) + 1);
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts;
}

/** Adds bucket counts of the same layout. */
export function mergeCounts(a: readonly number[], b: readonly number[]): number[] {
  return a.map((count, i) => count + (b[i] ?? 0));
}

/**
 * The `p`th percentile (0..100) estimated from bucket counts: the bucket holding that rank, interpolated
 * linearly between its bounds. The underflow and overflow buckets have one usable bound, so values there
 * come out as that bound. Undefined for an empty distribution.
 */
export function percentileFromBuckets(
  counts: readonly number[],
  buckets: LinearBuckets,
  p: number,
): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const { numFiniteBuckets, width, offset } = buckets;
  const rank = (p / 100) * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] ?? 0;
    if (count > 0 && below + count >= rank) {
      if (i === 0) return offset;
      if (i === numFiniteBuckets + 1) return offset + numFiniteBuckets * width;
      const lower = offset + (i - 1) * width;
      return lower + width * Math.min(1, Math.max(0, (rank - below) / count));
    }
    below += count;
  }
  return offset + numFiniteBuckets * width;
}
