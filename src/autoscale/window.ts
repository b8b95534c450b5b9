// Reads the utilization samples of one stabilization window. A decision may only use a window that is
// fully covered by fresh, valid samples: gaps, stale data or NaN mean "we do not know", never "idle".

export interface UtilizationSample {
  /** Milliseconds since the epoch. */
  at: number;
  /** Mean CPU utilization of the connector's instances, 0..1 (may exceed 1 briefly). */
  cpu: number;
  /** Throughput as a fraction of the connector's current capacity, 0..1+. */
  throughput: number;
}

export interface WindowSummary {
  /** Lowest utilization in the window: the load that was sustained throughout. */
  min: number;
  max: number;
  latest: number;
  samples: number;
}

export type WindowReading = { ok: true; summary: WindowSummary } | { ok: false; problem: string };

/** Samples may be at most this many poll intervals apart (and the newest at most this old). */
export const GAP_TOLERANCE_POLLS = 2;

/**
 * Summarises the window [now - windowMs, now]. The window counts as covered when the last sample at or
 * before its start (which stands for the utilization at that instant) is itself fresh, and no two
 * consecutive samples up to `now` are more than GAP_TOLERANCE_POLLS poll intervals apart.
 */
export function readWindow(
  samples: readonly UtilizationSample[],
  now: number,
  windowMs: number,
  pollIntervalMs: number,
): WindowReading {
  const maxGap = GAP_TOLERANCE_POLLS * pollIntervalMs;
  const windowStart = now - windowMs;
  const sorted = samples.filter((s) => s.at <= now).sort((a, b) => a.at - b.at);
  const anchorIndex = sorted.findLastIndex((s) => s.at <= windowStart);
  const relevant = sorted.slice(Math.max(anchorIndex, 0));
  const newest = relevant.at(-1);
  if (!newest) return { ok: false, problem: "no utilization samples" };
  if (now - newest.at > maxGap) {
    return { ok: false, problem: `newest sample is ${seconds(now - newest.at)} old (limit ${seconds(maxGap)})` };
  }
  const anchor = relevant[0];
  if (anchorIndex < 0 || !anchor) {
    return {
      ok: false,
      problem: `samples cover only ${seconds(now - (relevant[0]?.at ?? now))} of the ${seconds(windowMs)} window`,
    };
  }
  if (windowStart - anchor.at > maxGap) {
    return { ok: false, problem: `no sample within ${seconds(maxGap)} before the window start` };
  }
  for (let i = 1; i < relevant.length; i++) {
    const gap = (relevant[i]?.at ?? 0) - (relevant[i - 1]?.at ?? 0);
    if (gap > maxGap) return { ok: false, problem: `${seconds(gap)} gap between samples (limit ${seconds(maxGap)})` };
  }
  const values: number[] = [];
  for (const sample of relevant) {
    const value = utilizationOf(sample);
    if (value === undefined) return { ok: false, problem: `invalid sample at ${new Date(sample.at).toISOString()}` };
    values.push(value);
  }
  return {
    ok: true,
    summary: { min: Math.min(...values), max: Math.max(...values), latest: values.at(-1) ?? 0, samples: values.length },
  };
}

/** Utilization is the tighter of the two resources; undefined when either number is unusable. */
export function utilizationOf(sample: UtilizationSample): number | undefined {
  const { cpu, throughput } = sample;
  if (!Number.isFinite(cpu) || !Number.isFinite(throughput) || cpu < 0 || throughput < 0) return undefined;
  return Math.max(cpu, throughput);
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}
