import { describe, expect, it } from "vitest";
import { findCondition, formatTime, setCondition, type Condition, type ConditionUpdate } from "./conditions.ts";

const t0 = new Date("2025-03-01T10:00:00.123Z");
const t1 = new Date("2025-03-01T10:05:00.999Z");

const ready: ConditionUpdate = {
  type: "Ready",
  status: "True",
  reason: "UpToDate",
  message: "in sync",
  observedGeneration: 2,
};
const synced: ConditionUpdate = {
  type: "Synced",
  status: "True",
  reason: "ReconcileSuccess",
  message: "",
  observedGeneration: 2,
};

describe("setCondition", () => {
  it("appends a new condition stamped with the time in seconds precision", () => {
    expect(setCondition(undefined, ready, t0)).toEqual([{ ...ready, lastTransitionTime: "2025-03-01T10:00:00Z" }]);
  });

  it("keeps lastTransitionTime when only reason, message or generation change", () => {
    const first = setCondition([], ready, t0);
    const second = setCondition(
      first,
      { ...ready, reason: "Healed", message: "drift fixed", observedGeneration: 3 },
      t1,
    );
    expect(second).toEqual([
      {
        type: "Ready",
        status: "True",
        reason: "Healed",
        message: "drift fixed",
        observedGeneration: 3,
        lastTransitionTime: "2025-03-01T10:00:00Z",
      },
    ]);
  });

  it("moves lastTransitionTime when the status changes", () => {
    const first = setCondition([], ready, t0);
    const second = setCondition(first, { ...ready, status: "False", reason: "UpdateFailed" }, t1);
    expect(second[0]?.lastTransitionTime).toBe("2025-03-01T10:05:00Z");
    expect(second[0]?.status).toBe("False");
  });

  it("returns the same array when nothing changes", () => {
    const first = setCondition([], ready, t0);
    expect(setCondition(first, ready, t1)).toBe(first);
  });

  it("replaces in place and leaves other conditions alone", () => {
    const both = setCondition(setCondition([], ready, t0), synced, t0);
    const updated = setCondition(both, { ...ready, status: "False", reason: "UpdateFailed" }, t1);
    expect(updated.map((c) => c.type)).toEqual(["Ready", "Synced"]);
    expect(updated[1]).toBe(both[1]);
    expect(both[0]?.status).toBe("True");
  });

  it("drops observedGeneration when the update has none", () => {
    const first = setCondition([], ready, t0);
    const { observedGeneration: _dropped, ...withoutGeneration } = ready;
    const second = setCondition(first, withoutGeneration, t1);
    expect(second[0]).not.toHaveProperty("observedGeneration");
  });

  it.each<[string, Partial<ConditionUpdate>, RegExp]>([
    ["an empty type", { type: "" }, /condition type must be a qualified name/],
    ["a type with spaces", { type: "Is Ready" }, /condition type must be a qualified name/],
    [
      "an unknown status",
      { status: "Yes" as Condition["status"] },
      /condition Ready: status must be "True", "False" or "Unknown", got "Yes"/,
    ],
    ["an empty reason", { reason: "" }, /condition Ready: reason must be a CamelCase word/],
    ["a reason with spaces", { reason: "Update Failed" }, /reason must be a CamelCase word/],
    ["a negative generation", { observedGeneration: -1 }, /observedGeneration must be a non-negative integer, got -1/],
  ])("rejects %s", (_name, change, error) => {
    expect(() => setCondition([], { ...ready, ...change }, t0)).toThrow(error);
  });

  it("cuts a message past Kubernetes' 32,768 characters instead of failing the status write", () => {
    const [condition] = setCondition([], { ...ready, message: "x".repeat(40_000) }, t0);
    expect(condition?.message).toHaveLength(32_768);
    expect(condition?.message.endsWith("…")).toBe(true);
  });

  it("accepts a domain-prefixed type and reasons with digits", () => {
    const result = setCondition([], { ...ready, type: "driftguard.dev/Drifted", reason: "Http429" }, t0);
    expect(result[0]?.type).toBe("driftguard.dev/Drifted");
  });
});

describe("findCondition", () => {
  it("finds by type and tolerates a missing list", () => {
    const conditions = setCondition(setCondition([], ready, t0), synced, t0);
    expect(findCondition(conditions, "Synced")?.reason).toBe("ReconcileSuccess");
    expect(findCondition(conditions, "Stalled")).toBeUndefined();
    expect(findCondition(undefined, "Ready")).toBeUndefined();
  });
});

describe("formatTime", () => {
  it("rejects an invalid date", () => {
    expect(() => formatTime(new Date("nope"))).toThrow(/valid Date/);
  });
});
