// How changes read in Events and status: "requestTimeout 300s → 600s", summarised to fit an Event note,
// and the last drift kept in status (when, what, and who, once an audit feed knows).

import type { FieldDiff } from "../kinds/kind.ts";
import type { DriftAttribution } from "./attribution.ts";

/** Event notes are cut by the API server at 1,024 bytes; summaries stay well inside, whole entries only. */
export const SUMMARY_LIMIT_BYTES = 900;
/** How many fields status.lastDrift keeps; fieldCount says how many there were. */
export const LAST_DRIFT_MAX_FIELDS = 20;
/** Longer values (a 32 KB env var) are shortened in Events and status.lastDrift. */
const VALUE_LIMIT = 64;

export interface LastDrift {
  detectedAt: string;
  fields: Array<{ field: string; desired: string; live?: string }>;
  fieldCount: number;
  actor?: { principal: string; tool?: string; kind: DriftAttribution["actorKind"]; changedAt: string };
}

/** One field as a change from `from` to `to`: "requestTimeout 300s → 600s". */
export function describeChange(field: string, from: string, to: string): string {
  return `${shortField(field)} ${shorten(from)} → ${shorten(to)}`;
}

/**
 * A field as a person reads it in an Event: an environment variable by its name (DB_POOL_SIZE, as gcloud
 * shows it), anything else by its spec path without the Google path kinds add in parentheses (status and
 * logs keep the full name).
 */
function shortField(field: string): string {
  const env = /\(.*\.env\.([^)]+)\)$/.exec(field);
  if (env?.[1]) return env[1];
  return field.replace(/ \(.*\)$/, "");
}

/** An update or a correction: from the live value to the declared one. */
export function describeApplied(diffs: FieldDiff[]): string[] {
  return diffs.map((d) => describeChange(d.field, d.live, d.desired));
}

/** Drift: someone moved the live value away from the declared one. */
export function describeDrifted(diffs: FieldDiff[]): string[] {
  return diffs.map((d) => describeChange(d.field, d.desired, d.live));
}

/** A difference as found: "requestTimeout 300s (spec 600s)". */
export function describeDifferences(diffs: FieldDiff[]): string[] {
  return diffs.map((d) => `${shortField(d.field)} ${shorten(d.live)} (spec ${shorten(d.desired)})`);
}

/**
 * "applied 23 fields: requestTimeout 300s → 600s, DB_POOL_SIZE 20 → 10, … and 14 more": as many whole
 * entries as fit in `limitBytes` together with the suffix; the full list goes to the logs.
 */
export function summarise(verb: string, entries: string[], limitBytes = SUMMARY_LIMIT_BYTES): string {
  const head = `${verb} ${entries.length} ${entries.length === 1 ? "field" : "fields"}: `;
  const headBytes = Buffer.byteLength(head);
  // Bytes of the shown entries joined with ", ", kept as a running sum: notes are built on every pass.
  let shownBytes = 0;
  let shown = 0;
  for (const [i, entry] of entries.entries()) {
    const rest = entries.length - i - 1;
    const joined = shownBytes + (shown > 0 ? 2 : 0) + Buffer.byteLength(entry);
    const tailBytes = rest > 0 ? Buffer.byteLength(`, … and ${rest} more`) : 0;
    if (headBytes + joined + tailBytes > limitBytes) break;
    shownBytes = joined;
    shown++;
  }
  const hidden = entries.length - shown;
  if (shown === 0) return `${head}… and ${hidden} more`;
  return `${head}${entries.slice(0, shown).join(", ")}${hidden > 0 ? `, … and ${hidden} more` : ""}`;
}

/** ", by alice@example.com (gcloud) at 2026-12-01T12:03:04Z", or "" when nobody is known. */
export function describeActor(actor: DriftAttribution | undefined): string {
  if (!actor) return "";
  return ` by ${actor.principal}${actor.tool ? ` (${actor.tool})` : ""} at ${actor.at}`;
}

/** The DriftDetected note: what moved, and who moved it when the audit feed says. */
export function driftNote(diffs: FieldDiff[], actor: DriftAttribution | undefined): string {
  const by = describeActor(actor);
  const entries = describeDrifted(diffs);
  const list = summarise("drifted", entries, SUMMARY_LIMIT_BYTES - Buffer.byteLength(by));
  // A single short list reads best without the count: "requestTimeout 600s → 25s, DB_POOL_SIZE 10 → 20, by …".
  const plain = entries.join(", ");
  const text = Buffer.byteLength(plain) + Buffer.byteLength(by) <= SUMMARY_LIMIT_BYTES ? plain : list;
  return by ? `${text},${by}` : text;
}

export function lastDrift(diffs: FieldDiff[], at: string, actor: DriftAttribution | undefined): LastDrift {
  return {
    detectedAt: at,
    fields: diffs.slice(0, LAST_DRIFT_MAX_FIELDS).map(({ field, desired, live }) => ({
      field,
      desired: shorten(desired),
      ...(live ? { live: shorten(live) } : {}),
    })),
    fieldCount: diffs.length,
    ...(actor
      ? {
          actor: {
            principal: actor.principal,
            ...(actor.tool ? { tool: actor.tool } : {}),
            kind: actor.actorKind,
            changedAt: actor.at,
          },
        }
      : {}),
  };
}

/**
 * The attribution for drift seen now, if the change it records happened after the previous drift was
 * detected: an older audit entry belongs to that drift (or an earlier one), not to this.
 */
export function freshAttribution(
  actor: DriftAttribution | undefined,
  previous: LastDrift | undefined,
): DriftAttribution | undefined {
  if (!actor) return undefined;
  if (previous && !(Date.parse(actor.at) > Date.parse(previous.detectedAt))) return undefined;
  return actor;
}

function shorten(value: string): string {
  if (value === "") return "(unset)";
  return value.length > VALUE_LIMIT ? `${value.slice(0, VALUE_LIMIT - 1)}…` : value;
}
