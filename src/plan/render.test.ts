import { describe, expect, it } from "vitest";
import type { InstanceBudgetReport, Plan, PlanEntry } from "./model.ts";
import { renderBudget, renderEntry, renderJson, renderText } from "./render.ts";

const SERVICE = "projects/netra-staging/locations/us-central1/services/backend";
const base = { kind: "CloudRunServiceConfig", namespace: "staging", name: "backend", target: SERVICE };

const changes: PlanEntry = {
  ...base,
  policy: "Enforce",
  outcome: "changes",
  diffs: [
    { field: "database.timeouts.pool (template.containers[0].env.DB_POOL_TIMEOUT)", desired: "45", live: "25" },
    { field: "labels.team", desired: "platform", live: "" },
  ],
};

const budget: InstanceBudgetReport = {
  instance: "netra-staging:us-central1:db",
  services: [
    { key: "staging/backend", poolSize: 10, maxOverflow: 15, maxInstances: 3, demand: 75 },
    { key: "staging/worker", poolSize: 5, maxOverflow: 5, maxInstances: 2, demand: 20 },
  ],
  unknownDemand: ["staging/legacy"],
  demand: 95,
  limit: { maxConnections: 100, safetyMargin: 0.8, limit: 80, declaredBy: ["staging/backend"] },
  conflictingLimits: [
    { maxConnections: 100, safetyMargin: 0.8, limit: 80, declaredBy: ["staging/backend"] },
    { maxConnections: 200, safetyMargin: 0.8, limit: 160, declaredBy: ["staging/worker"] },
  ],
  withinBudget: false,
};

describe("renderEntry", () => {
  it("lists each changed field as live -> desired under the object and its Google resource", () => {
    expect(renderEntry(changes)).toEqual([
      `~ CloudRunServiceConfig staging/backend (${SERVICE})`,
      "    database.timeouts.pool (template.containers[0].env.DB_POOL_TIMEOUT): 25 -> 45",
      "    labels.team: (unset) -> platform",
    ]);
  });

  it("marks changes under the Observe policy as not applied", () => {
    expect(renderEntry({ ...changes, policy: "Observe" })[0]).toBe(
      `~ CloudRunServiceConfig staging/backend (${SERVICE}) (Observe: would not be applied)`,
    );
  });

  it("says when nothing would change, with a not-ready live resource noted", () => {
    const entry: PlanEntry = {
      ...base,
      policy: "Enforce",
      outcome: "noChanges",
      notReady: { reason: "RevisionFailed", message: "Revision backend-00002 failed" },
    };
    expect(renderEntry(entry)).toEqual([
      `= CloudRunServiceConfig staging/backend (${SERVICE}): no changes`,
      "    not ready: RevisionFailed: Revision backend-00002 failed",
    ]);
  });

  it("lists every validation issue of an invalid spec", () => {
    const entry: PlanEntry = {
      kind: "CloudRunServiceConfig",
      namespace: "staging",
      name: "broken",
      outcome: "blocked",
      reason: "InvalidSpec",
      message: "spec.a: x; spec.b: y",
      issues: ["spec.a: x", "spec.b: y"],
    };
    expect(renderEntry(entry)).toEqual([
      "! CloudRunServiceConfig staging/broken: blocked: InvalidSpec",
      "    spec.a: x",
      "    spec.b: y",
    ]);
  });

  it("gives the reason and message of other blocks", () => {
    const entry: PlanEntry = { ...base, outcome: "blocked", reason: "DependencyNotReady", message: "Waiting for X" };
    expect(renderEntry(entry)).toEqual([
      `! CloudRunServiceConfig staging/backend (${SERVICE}): blocked: DependencyNotReady`,
      "    Waiting for X",
    ]);
  });

  it("gives Google's error with the hint", () => {
    const entry: PlanEntry = {
      ...base,
      outcome: "error",
      reason: "PermissionDenied",
      message: "denied",
      hint: "grant run.services.get",
    };
    expect(renderEntry(entry)).toEqual([
      `x CloudRunServiceConfig staging/backend (${SERVICE}): error: PermissionDenied`,
      "    denied",
      "    hint: grant run.services.get",
    ]);
  });

  it("notes skipped objects on one line", () => {
    const entry: PlanEntry = {
      ...base,
      outcome: "skipped",
      reason: "Paused",
      message: 'driftguard.dev/paused: "true"',
    };
    expect(renderEntry(entry)).toEqual([
      `- CloudRunServiceConfig staging/backend (${SERVICE}): skipped (Paused: driftguard.dev/paused: "true")`,
    ]);
  });
});

describe("renderBudget", () => {
  it("shows each service's demand, the total against the limit, and disagreeing limits", () => {
    expect(renderBudget(budget)).toEqual([
      "  netra-staging:us-central1:db: demand 95, limit floor(100 × 0.8) = 80: OVER BUDGET",
      "    staging/backend: (10 + 15) × 3 = 75",
      "    staging/worker: (5 + 5) × 2 = 20",
      "    staging/legacy: unknown (no database.pool.size or scaling.maxInstances)",
      "    configs disagree on the limit (80 by staging/backend; 160 by staging/worker); the smallest applies",
    ]);
  });

  it("says when no limit is declared", () => {
    const { limit: _l, withinBudget: _w, conflictingLimits: _c, ...open } = budget;
    expect(renderBudget({ ...open, unknownDemand: [] })[0]).toBe(
      "  netra-staging:us-central1:db: demand 95, no limit declared (set database.maxConnections)",
    );
  });
});

describe("renderText", () => {
  const plan: Plan = {
    source: "directory",
    resources: [changes, { ...base, name: "worker", policy: "Observe", outcome: "changes", diffs: changes.diffs }],
    budgets: [
      {
        ...budget,
        demand: 75,
        services: budget.services.slice(0, 1),
        unknownDemand: [],
        withinBudget: true,
        conflictingLimits: undefined,
      },
    ],
    fileErrors: [{ file: "broken.yaml", message: "YAML parse error" }],
  };

  it("prints unreadable files, the objects, the budgets and a summary", () => {
    const lines = renderText(plan);
    expect(lines[0]).toBe("x broken.yaml: YAML parse error");
    expect(lines).toContain("Connection budgets:");
    expect(lines).toContain("  netra-staging:us-central1:db: demand 75, limit floor(100 × 0.8) = 80: within budget");
    expect(lines.at(-1)).toBe("Plan: 1 to change, 1 drifted under Observe, 0 unchanged, 1 unreadable files.");
  });

  it("says so when there is nothing to plan", () => {
    expect(renderText({ source: "cluster", resources: [], budgets: [], fileErrors: [] })).toEqual([
      "No CloudRunServiceConfig or VpcConnectorConfig objects found in the cluster.",
      "",
      "Plan: 0 to change, 0 unchanged.",
    ]);
  });
});

describe("renderJson", () => {
  it("is the plan itself with its format version, exit code and summary", () => {
    const plan: Plan = { source: "cluster", resources: [changes], budgets: [budget], fileErrors: [] };
    const parsed = JSON.parse(renderJson(plan)) as Record<string, unknown>;
    expect(parsed).toEqual({
      formatVersion: 1,
      exitCode: 1,
      summary: {
        changes: 1,
        noChanges: 0,
        observeOnly: 0,
        blocked: 0,
        errors: 0,
        skipped: 0,
        budgetsExceeded: 1,
        fileErrors: 0,
      },
      ...JSON.parse(JSON.stringify(plan)),
    });
  });
});
