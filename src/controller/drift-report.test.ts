import { describe, expect, it } from "vitest";
import type { DriftAttribution } from "./attribution.ts";
import {
  describeApplied,
  driftNote,
  freshAttribution,
  lastDrift,
  LAST_DRIFT_MAX_FIELDS,
  summarise,
  SUMMARY_LIMIT_BYTES,
} from "./drift-report.ts";

const alice: DriftAttribution = {
  principal: "alice@example.com",
  tool: "gcloud",
  at: "2026-12-01T12:03:04Z",
  actorKind: "user",
};

describe("drift and update summaries", () => {
  it("names the change, the person, the tool and the time of a drift", () => {
    const note = driftNote(
      [
        { field: "requestTimeout", desired: "600s", live: "25s" },
        { field: "database.pool.size (template.containers[0].env.DB_POOL_SIZE)", desired: "10", live: "20" },
      ],
      alice,
    );
    expect(note).toBe(
      "requestTimeout 600s → 25s, DB_POOL_SIZE 10 → 20, by alice@example.com (gcloud) at 2026-12-01T12:03:04Z",
    );
    expect(driftNote([{ field: "requestTimeout", desired: "600s", live: "" }], undefined)).toBe(
      "requestTimeout 600s → (unset)",
    );
  });

  it("summarises a long update in whole entries within the Event note limit, counting the rest", () => {
    const diffs = Array.from({ length: 60 }, (_, i) => ({
      field: `env.SETTING_NUMBER_${i}`,
      desired: `${i}0`,
      live: `${i}`,
    }));
    const note = summarise("Applied", describeApplied(diffs));
    expect(Buffer.byteLength(note)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(note).toMatch(/^Applied 60 fields: env\.SETTING_NUMBER_0 0 → 00, env\.SETTING_NUMBER_1 1 → 10, /);
    const entries = note.replace(/^Applied 60 fields: /, "").split(", ");
    const shown = entries.filter((part) => part.startsWith("env."));
    expect(shown.length).toBeGreaterThan(10);
    expect(entries.at(-1)).toBe(`… and ${60 - shown.length} more`);
    // Every entry shown is whole.
    for (const part of shown) expect(part).toMatch(/^env\.SETTING_NUMBER_\d+ \d+ → \d+0$/);
  });

  it("shows the longest run of entries that fits, counting bytes not characters", () => {
    const entries = Array.from({ length: 40 }, (_, i) => `é${"x".repeat(i % 7)}${i}`);
    for (const limit of [64, 100, 157, 300]) {
      const note = summarise("Applied", entries, limit);
      expect(Buffer.byteLength(note)).toBeLessThanOrEqual(limit);
      const shown = note
        .replace(/^Applied 40 fields: /, "")
        .split(", ")
        .filter((part) => part.startsWith("é"));
      expect(shown).toEqual(entries.slice(0, shown.length));
      // One more entry would not have fitted with its "… and N more".
      const rest = entries.length - shown.length - 1;
      const longer = `Applied 40 fields: ${entries.slice(0, shown.length + 1).join(", ")}${rest > 0 ? `, … and ${rest} more` : ""}`;
      expect(Buffer.byteLength(longer)).toBeGreaterThan(limit);
    }
  });

  it("shortens huge values so one env var cannot fill the note", () => {
    const note = summarise("Applied", describeApplied([{ field: "env.BLOB", desired: "x".repeat(32_000), live: "y" }]));
    expect(note.length).toBeLessThan(120);
    expect(note).toContain("…");
  });

  it("keeps at most a bounded number of fields in lastDrift, with the count and the actor's kind", () => {
    const diffs = Array.from({ length: 30 }, (_, i) => ({ field: `env.V${i}`, desired: "a", live: "b" }));
    const drift = lastDrift(diffs, "2026-12-01T12:03:10.000Z", alice);
    expect(drift.fields).toHaveLength(LAST_DRIFT_MAX_FIELDS);
    expect(drift.fieldCount).toBe(30);
    expect(drift.actor).toEqual({
      principal: "alice@example.com",
      tool: "gcloud",
      kind: "user",
      changedAt: "2026-12-01T12:03:04Z",
    });
  });

  it("does not blame an audit entry older than the previous drift for a new one", () => {
    const previous = lastDrift(
      [{ field: "requestTimeout", desired: "600s", live: "25s" }],
      "2026-12-01T12:05:00Z",
      alice,
    );
    expect(freshAttribution(alice, previous)).toBeUndefined();
    const bob = { ...alice, principal: "bob@example.com", at: "2026-12-01T13:00:00Z" };
    expect(freshAttribution(bob, previous)).toBe(bob);
    expect(freshAttribution(alice, undefined)).toBe(alice);
  });
});
