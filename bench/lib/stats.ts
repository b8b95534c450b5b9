// Small numeric helpers for the benchmark report: percentiles over latency samples and rounding.

export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Samples that never completed within the scenario's timeout (not part of the percentiles). */
  missed: number;
}

/** Nearest-rank percentile of `values` (0 < p ≤ 100); NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/** p50/p99/max of the latencies that completed; `undefined` entries count as missed. */
export function summarise(latencies: ReadonlyArray<number | undefined>): LatencySummary {
  const done = latencies.filter((v): v is number => v !== undefined);
  return {
    samples: done.length,
    p50Ms: Math.round(percentile(done, 50)),
    p99Ms: Math.round(percentile(done, 99)),
    maxMs: Math.round(done.length ? Math.max(...done) : Number.NaN),
    missed: latencies.length - done.length,
  };
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Runs `task` over `items` with at most `concurrency` in flight; results keep the input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
