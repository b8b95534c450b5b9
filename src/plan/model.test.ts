import { describe, expect, it } from "vitest";
import { EXIT_CHANGES, EXIT_ERRORS, EXIT_NO_CHANGES, exitCode, summarise, type Plan, type PlanEntry } from "./model.ts";

const base = { kind: "CloudRunServiceConfig", namespace: "staging", target: "projects/p/locations/r/services/s" };
const diff = { field: "requestTimeout (template.timeout)", desired: "600s", live: "300s" };

const changed = (name: string, policy: "Enforce" | "Observe" = "Enforce"): PlanEntry => ({
  ...base,
  name,
  policy,
  outcome: "changes",
  diffs: [diff],
});
const unchanged = (name: string): PlanEntry => ({ ...base, name, policy: "Enforce", outcome: "noChanges" });
const blocked: PlanEntry = { ...base, name: "bad", outcome: "blocked", reason: "InvalidSpec", message: "m" };
const failed: PlanEntry = { ...base, name: "gone", outcome: "error", reason: "NotFound", message: "m", hint: "h" };
const paused: PlanEntry = { ...base, name: "held", outcome: "skipped", reason: "Paused", message: "m" };

const plan = (resources: PlanEntry[], extra: Partial<Plan> = {}): Plan => ({
  source: "directory",
  resources,
  budgets: [],
  fileErrors: [],
  ...extra,
});

const overBudget = {
  instance: "p:r:db",
  services: [],
  unknownDemand: [],
  demand: 90,
  limit: { maxConnections: 100, safetyMargin: 0.8, limit: 80, declaredBy: ["staging/a"] },
  withinBudget: false,
};

describe("exitCode", () => {
  it.each<[string, Plan, number]>([
    ["nothing to plan", plan([]), EXIT_NO_CHANGES],
    ["everything at its declared state", plan([unchanged("a"), unchanged("b")]), EXIT_NO_CHANGES],
    ["paused objects only", plan([paused, unchanged("a")]), EXIT_NO_CHANGES],
    ["drift under Observe, which is never applied", plan([changed("a", "Observe")]), EXIT_NO_CHANGES],
    ["an Enforce object that would change", plan([unchanged("a"), changed("b")]), EXIT_CHANGES],
    ["Enforce and Observe changes", plan([changed("a", "Observe"), changed("b")]), EXIT_CHANGES],
    ["a blocked object, even next to changes", plan([changed("a"), blocked]), EXIT_ERRORS],
    ["a Google error", plan([unchanged("a"), failed]), EXIT_ERRORS],
    ["an exceeded connection budget", plan([changed("a")], { budgets: [overBudget] }), EXIT_ERRORS],
    ["an unreadable file", plan([], { fileErrors: [{ file: "x.yaml", message: "bad" }] }), EXIT_ERRORS],
  ])("%s", (_name, input, expected) => {
    expect(exitCode(input)).toBe(expected);
  });

  it("does not count a budget without a declared limit as exceeded", () => {
    const { limit: _limit, withinBudget: _within, ...noLimit } = overBudget;
    expect(exitCode(plan([], { budgets: [noLimit] }))).toBe(EXIT_NO_CHANGES);
  });
});

describe("summarise", () => {
  it("counts every outcome, Observe changes among the changes", () => {
    const input = plan([changed("a"), changed("b", "Observe"), unchanged("c"), blocked, failed, paused], {
      budgets: [overBudget],
      fileErrors: [{ file: "x.yaml", message: "bad" }],
    });
    expect(summarise(input)).toEqual({
      changes: 2,
      noChanges: 1,
      observeOnly: 1,
      blocked: 1,
      errors: 1,
      skipped: 1,
      budgetsExceeded: 1,
      fileErrors: 1,
    });
  });
});
