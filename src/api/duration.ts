// Kubernetes-style durations ("75s", "1m30s", "500ms", "1h"): the subset of Go's time.ParseDuration that
// metav1.Duration accepts, without signs. Values are carried as strings in manifests and as milliseconds in code.

const UNIT_MS = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
} as const;
type Unit = keyof typeof UNIT_MS;

/** A whole duration: "0", or one or more number+unit pairs such as "1h", "1m30s", "1.5s", "500ms". */
export const DURATION_PATTERN = /^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$/;
const COMPONENT = /([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g;

/** Durations already parsed: a fleet declares a handful of distinct ones and reads them on every pass. */
const parsedDurations = new Map<string, number>();
const MAX_REMEMBERED_DURATIONS = 256;

/** Parses a duration string into milliseconds; throws a RangeError naming the expected format. */
export function parseDuration(text: string): number {
  const known = parsedDurations.get(text);
  if (known !== undefined) return known;
  const ms = parseUncached(text);
  if (parsedDurations.size >= MAX_REMEMBERED_DURATIONS) parsedDurations.clear();
  parsedDurations.set(text, ms);
  return ms;
}

function parseUncached(text: string): number {
  if (!DURATION_PATTERN.test(text)) {
    throw new RangeError(`invalid duration ${JSON.stringify(text)}: expected e.g. "75s", "1m30s", "500ms" or "1h"`);
  }
  let total = 0;
  for (const [, amount, unit] of text.matchAll(COMPONENT)) {
    total += Number(amount) * UNIT_MS[unit as Unit];
  }
  return total;
}

/** Formats milliseconds as the shortest h/m/s string: 90000 -> "1m30s", 3600000 -> "1h", 500 -> "500ms". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot format duration of ${ms} ms`);
  if (ms === 0) return "0s";
  if (ms < 1000) return `${trimFloat(ms)}ms`;
  const hours = Math.floor(ms / UNIT_MS.h);
  const minutes = Math.floor((ms % UNIT_MS.h) / UNIT_MS.m);
  const seconds = (ms % UNIT_MS.m) / UNIT_MS.s;
  const parts = [
    hours > 0 ? `${hours}h` : "",
    minutes > 0 ? `${minutes}m` : "",
    seconds > 0 ? `${trimFloat(seconds)}s` : "",
  ];
  return parts.join("");
}

/** Seconds as a short decimal string, for messages: 75000 -> "75s", 1500 -> "1.5s". */
export function formatSeconds(ms: number): string {
  return `${trimFloat(ms / 1000)}s`;
}

// Floating-point remainders such as 1.5000000000000002 must not leak into user-facing text.
function trimFloat(value: number): string {
  return String(Number(value.toFixed(6)));
}
