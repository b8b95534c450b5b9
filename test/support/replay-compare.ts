// Compares the simulator's answer with Google's recorded one, both ways: every field Google set must be
// there with the same value, and every field the simulator set must have been set by Google. Values that
// differ from call to call (ids, etags, timestamps, generated names) and the recorders' placeholders
// (`${uniqueId}`, Config Connector's fixed timestamp) are compared by shape only.

export interface Difference {
  /** JSON path, e.g. `metadata.template.containers[0].resources.limits.cpu`. */
  path: string;
  kind: "missing" | "extra" | "value";
  google?: unknown;
  simulator?: unknown;
}

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const TIMESTAMP_KEYS = new Set([
  "createTime",
  "updateTime",
  "deleteTime",
  "expireTime",
  "endTime",
  "lastTransitionTime",
]);

/** Why a value is compared by shape, and the shape: keyed by the last path segment. */
const SHAPE_BY_KEY: Record<string, RegExp> = {
  uid: new RegExp(`^${UUID}$`),
  // An entity tag in quotes; its content is opaque to clients.
  etag: /^"[^"]+"$/,
  // The caller's identity: whoever made the recorded call, here whoever the simulator names.
  creator: /^[^@\s]+@[^@\s]+$/,
  lastModifier: /^[^@\s]+@[^@\s]+$/,
};

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The recorded string as a pattern: placeholders match any segment; generated parts match by shape
 * (operation UUIDs, revision suffixes, the project number in the default service account, the hash in a
 * run.app URL).
 */
function recordedPattern(recorded: string): RegExp {
  const source = escape(recorded)
    .replace(/\\\$\\\{[A-Za-z]+\\\}/g, "[^/]+")
    .replace(new RegExp(UUID, "g"), UUID)
    .replace(/-\d{5}-[a-z0-9]{3}(?=$|\/)/g, "-\\d{5}-[a-z0-9]{3}")
    .replace(/^\d+-compute@/, "\\d+-compute@")
    .replace(/-[a-z0-9]{10}-([a-z]{2,4})\\\.a\\\.run\\\.app$/, "-[a-z0-9]+-$1\\.a\\.run\\.app");
  return new RegExp(`^${source}$`);
}

function sameValue(key: string, google: unknown, simulator: unknown): boolean {
  if (typeof google === "string" && typeof simulator === "string") {
    if (TIMESTAMP_KEYS.has(key)) return TIMESTAMP.test(google) && TIMESTAMP.test(simulator);
    const shape = SHAPE_BY_KEY[key];
    if (shape) return shape.test(google) && shape.test(simulator);
    return google === simulator || recordedPattern(google).test(simulator);
  }
  return google === simulator;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function compareJson(google: unknown, simulator: unknown, path = "", key = ""): Difference[] {
  if (isObject(google) && isObject(simulator)) {
    const out: Difference[] = [];
    for (const [k, value] of Object.entries(google)) {
      const at = path ? `${path}.${k}` : k;
      if (!(k in simulator)) out.push({ path: at, kind: "missing", google: value });
      else out.push(...compareJson(value, simulator[k], at, k));
    }
    for (const [k, value] of Object.entries(simulator)) {
      if (!(k in google)) out.push({ path: path ? `${path}.${k}` : k, kind: "extra", simulator: value });
    }
    return out;
  }
  if (Array.isArray(google) && Array.isArray(simulator)) {
    const out: Difference[] = [];
    const length = Math.max(google.length, simulator.length);
    for (let i = 0; i < length; i++) {
      const at = `${path}[${i}]`;
      if (i >= simulator.length) out.push({ path: at, kind: "missing", google: google[i] });
      else if (i >= google.length) out.push({ path: at, kind: "extra", simulator: simulator[i] });
      else out.push(...compareJson(google[i], simulator[i], at, key));
    }
    return out;
  }
  return sameValue(key, google, simulator) ? [] : [{ path: path || "(body)", kind: "value", google, simulator }];
}

/** One reviewed difference: where it is, and why no client can tell. */
export interface AllowedDifference {
  /** Exchange ids ("cassette#3") or a pattern over them. */
  exchange: RegExp;
  path: RegExp;
  kind: Difference["kind"];
  reason: string;
}

export function allowedBy(
  allowList: AllowedDifference[],
  exchange: string,
  difference: Difference,
): AllowedDifference | undefined {
  return allowList.find(
    (entry) => entry.kind === difference.kind && entry.exchange.test(exchange) && entry.path.test(difference.path),
  );
}
