import { describe, expect, it } from "vitest";
import { isMeaningfulUpdate, jitteredDelay, type ObjectWithMetadata, isReadinessChange } from "./resync.ts";

describe("jitteredDelay", () => {
  it.each([
    [0, 90_000],
    [0.5, 100_000],
    [0.999999, 110_000],
  ])("spreads 100s by ±10%% (random %s -> %s ms)", (random, expected) => {
    expect(jitteredDelay(100_000, 0.1, () => random)).toBe(expected);
  });

  it("stays within ±10% for real random numbers", () => {
    for (let i = 0; i < 1000; i++) {
      const delay = jitteredDelay(60_000);
      expect(delay).toBeGreaterThanOrEqual(54_000);
      expect(delay).toBeLessThanOrEqual(66_000);
    }
  });

  it("honours a custom jitter and zero jitter", () => {
    expect(jitteredDelay(1000, 0.5, () => 0)).toBe(500);
    expect(jitteredDelay(1000, 0, () => 0.9)).toBe(1000);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("rejects interval %s", (interval) => {
    expect(() => jitteredDelay(interval)).toThrow(/resync interval must be a positive number/);
  });

  it.each([-0.1, 1, Number.NaN])("rejects jitter %s", (jitter) => {
    expect(() => jitteredDelay(1000, jitter)).toThrow(/resync jitter must be a fraction in \[0, 1\)/);
  });
});

describe("isMeaningfulUpdate", () => {
  const base: ObjectWithMetadata = {
    metadata: { generation: 3, annotations: { "team.example/owner": "payments" } },
  };
  const withMeta = (metadata: NonNullable<ObjectWithMetadata["metadata"]>): ObjectWithMetadata => ({
    metadata: { ...base.metadata, ...metadata },
  });

  it.each<[string, ObjectWithMetadata, boolean]>([
    ["identical metadata (status-only update)", withMeta({}), false],
    ["an unrelated annotation changed", withMeta({ annotations: { "team.example/owner": "search" } }), false],
    ["the generation changed", withMeta({ generation: 4 }), true],
    [
      "a reconcile was requested",
      withMeta({
        annotations: { ...base.metadata?.annotations, "driftguard.dev/reconcile-requested-at": "2025-01-01T00:00:00Z" },
      }),
      true,
    ],
    ["the object was paused", withMeta({ annotations: { "driftguard.dev/paused": "true" } }), true],
    ["deletion started (string timestamp)", withMeta({ deletionTimestamp: "2025-01-01T00:00:00Z" }), true],
    ["deletion started (Date timestamp)", withMeta({ deletionTimestamp: new Date(0) }), true],
  ])("%s -> %s", (_name, updated, expected) => {
    expect(isMeaningfulUpdate(base, updated)).toBe(expected);
  });

  it("sees a changed reconcile request and an unpause", () => {
    const requested = withMeta({ annotations: { "driftguard.dev/reconcile-requested-at": "a" } });
    const requestedAgain = withMeta({ annotations: { "driftguard.dev/reconcile-requested-at": "b" } });
    expect(isMeaningfulUpdate(requested, requestedAgain)).toBe(true);
    const paused = withMeta({ annotations: { "driftguard.dev/paused": "true" } });
    expect(isMeaningfulUpdate(paused, base)).toBe(true);
  });

  it("ignores further updates once deletion has started", () => {
    const deleting = withMeta({ deletionTimestamp: "2025-01-01T00:00:00Z" });
    expect(isMeaningfulUpdate(deleting, withMeta({ deletionTimestamp: "2025-01-01T00:00:00Z" }))).toBe(false);
  });

  it("treats missing metadata as empty", () => {
    expect(isMeaningfulUpdate({}, {})).toBe(false);
    expect(isMeaningfulUpdate({}, { metadata: { generation: 1 } })).toBe(true);
  });
});

describe("isReadinessChange", () => {
  const withReady = (status?: string, extra: object = {}) => ({
    status: {
      ...extra,
      conditions: status
        ? [
            { type: "Synced", status: "True" },
            { type: "Ready", status },
          ]
        : [],
    },
  });

  it.each([
    ["Ready appears", withReady(), withReady("True"), true],
    ["Ready flips", withReady("False"), withReady("True"), true],
    [
      "Ready stays while other status moves",
      withReady("True", { utilizationPercent: "40%" }),
      withReady("True", { utilizationPercent: "70%" }),
      false,
    ],
    ["no status at all", {}, {}, false],
  ])("%s", (_, before, after, expected) => {
    expect(isReadinessChange(before, after)).toBe(expected);
  });
});
