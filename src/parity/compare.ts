// Environment parity: the same services declared for two environments, paired by name with the
// environment stripped ("netra-backend-staging" ↔ "netra-backend-production", "staging-connector" ↔
// "production-connector") or by the driftguard.dev/parity-key label, compared setting by setting.
// Pure: the CLI hands in what it loaded, the live differences it read and the policies' findings.

import type { FieldDiff } from "../kinds/kind.ts";
import { POLICY_FIELDS, type PolicyKind } from "../policy/fields.ts";
import { comparable } from "../policy/values.ts";

export const PARITY_KEY_LABEL = "driftguard.dev/parity-key";

/** One declared object of one environment, with what was learnt about it. */
export interface ParitySide {
  kind: string;
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  /** The spec as parsed (defaults applied). */
  spec: Record<string, unknown>;
  /** The spec as written: only fields declared on at least one side are compared. */
  declared: Record<string, unknown>;
  /** Live values that differ from the spec, by field (from a plan of the object); undefined when not read. */
  liveDiffs?: FieldDiff[];
  /** Policy findings (Deny and Warn) for this object. */
  findings: string[];
}

export interface ParityRow {
  field: string;
  from?: string;
  to?: string;
  /** The live value where it differs from the declared one. */
  fromLive?: string;
  toLive?: string;
  differs: boolean;
}

export interface ParityPair {
  key: string;
  kind: string;
  from?: { namespace: string; name: string; findings: string[] };
  to?: { namespace: string; name: string; findings: string[] };
  rows: ParityRow[];
}

export interface ParityReport {
  from: string;
  to: string;
  pairs: ParityPair[];
  /** Pairs with a declared difference, a live drift, a policy finding, or only one side. */
  toReview: number;
}

/** Identity fields name the environment's own resources; they always differ and are not compared. */
const IDENTITY = [/^service\./, /^connector\./, /^vpcAccess\.connector(Ref\.name)?$/, /^database\.cloudSqlInstance$/];

export function pairKey(side: ParitySide, environment: string): string {
  const label = side.labels?.[PARITY_KEY_LABEL];
  if (label) return label;
  const { name } = side;
  if (name.endsWith(`-${environment}`)) return name.slice(0, -(environment.length + 1));
  if (name.startsWith(`${environment}-`)) return name.slice(environment.length + 1);
  return name;
}

export function compareEnvironments(
  from: { environment: string; sides: ParitySide[] },
  to: { environment: string; sides: ParitySide[] },
): ParityReport {
  const index = (env: { environment: string; sides: ParitySide[] }) =>
    new Map(env.sides.map((s) => [`${s.kind}/${pairKey(s, env.environment)}`, s]));
  const left = index(from);
  const right = index(to);
  const keys = [...new Set([...left.keys(), ...right.keys()])].sort();
  const pairs = keys.map((id) => pairOf(id, left.get(id), right.get(id)));
  const toReview = pairs.filter(
    (p) =>
      !p.from ||
      !p.to ||
      p.from.findings.length + p.to.findings.length > 0 ||
      p.rows.some((r) => r.differs || r.fromLive !== undefined || r.toLive !== undefined),
  ).length;
  return { from: from.environment, to: to.environment, pairs, toReview };
}

function pairOf(id: string, from: ParitySide | undefined, to: ParitySide | undefined): ParityPair {
  const [kind = "", key = ""] = id.split(/\/(.*)/s);
  const a = from ? flatten(from.spec) : new Map<string, string>();
  const b = to ? flatten(to.spec) : new Map<string, string>();
  const written = new Set([...flatten(from?.declared ?? {}).keys(), ...flatten(to?.declared ?? {}).keys()]);
  // An object on one side only has nothing to compare with; it is reported as missing on the other.
  const fields = from && to ? [...written].filter((f) => !IDENTITY.some((p) => p.test(f))) : [];
  // A plan names a field with the Google path it maps to: "requestTimeout (template.timeout)".
  const live = (side: ParitySide | undefined, field: string) =>
    side?.liveDiffs?.find((d) => d.field.replace(/ \(.*\)$/, "") === field)?.live;
  const rows = fields.sort().map((field) => {
    const row: ParityRow = { field, differs: !sameValue(kind, field, a.get(field), b.get(field)) };
    if (a.has(field)) row.from = a.get(field);
    if (b.has(field)) row.to = b.get(field);
    const fromLive = live(from, field);
    const toLive = live(to, field);
    if (fromLive !== undefined) row.fromLive = fromLive || "(unset)";
    if (toLive !== undefined) row.toLive = toLive || "(unset)";
    return row;
  });
  const side = (s: ParitySide | undefined) => s && { namespace: s.namespace, name: s.name, findings: s.findings };
  const fromSide = side(from);
  const toSide = side(to);
  return { key, kind, ...(fromSide ? { from: fromSide } : {}), ...(toSide ? { to: toSide } : {}), rows };
}

/** Leaves of a spec as dotted paths, the way drift and plans name fields ("env.FEATURE", "scaling.maxInstances"). */
export function flatten(spec: Record<string, unknown>, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(spec)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of flatten(value as Record<string, unknown>, path)) out.set(k, v);
    } else if (value !== undefined) {
      const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
      out.set(path, Array.isArray(value) ? value.map(text).join(", ") || "(none)" : text(value));
    }
  }
  return out;
}

/** Equal as the field's type sees it ("75s" = "1m15s", "1" = "1000m"); other fields compare as text. */
function sameValue(kind: string, field: string, a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const definition = POLICY_FIELDS[kind as PolicyKind]?.[field];
  if (definition) {
    const x = comparable(definition.type, a);
    const y = comparable(definition.type, b);
    if (x.ok && y.ok) return x.value === y.value;
  }
  return a === b;
}
