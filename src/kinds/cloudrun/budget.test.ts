import { describe, expect, it } from "vitest";
import { CloudRunServiceConfigSpec } from "../../api/cloudrun.ts";
import { checkConnectionBudget, connectionBudgets, type BudgetMember } from "./budget.ts";

const DB = "netra-staging:us-central1:db";
const OTHER_DB = "netra-staging:us-central1:analytics";

function member(key: string, maxInstances: number | undefined, database: Record<string, unknown>): BudgetMember {
  const scaling = maxInstances === undefined ? {} : { scaling: { maxInstances } };
  const spec = CloudRunServiceConfigSpec.parse({
    service: { project: "netra-staging", region: "us-central1", name: key.replace("/", "-") },
    ...scaling,
    database,
  });
  return { key, spec };
}

const backend = member("staging/backend", 3, {
  cloudSqlInstance: DB,
  maxConnections: 100,
  pool: { size: 10, maxOverflow: 15 },
});
const worker = member("staging/worker", 2, {
  cloudSqlInstance: DB,
  maxConnections: 100,
  pool: { size: 5, maxOverflow: 5 },
});
const cron = member("staging/cron", 1, { cloudSqlInstance: DB, pool: { size: 2 } });
const analytics = member("staging/analytics", 10, {
  cloudSqlInstance: OTHER_DB,
  maxConnections: 50,
  pool: { size: 1 },
});
const noDatabase: BudgetMember = {
  key: "staging/frontend",
  spec: CloudRunServiceConfigSpec.parse({ service: { project: "netra-staging", region: "us-central1", name: "fe" } }),
};

describe("connectionBudgets", () => {
  it("groups services by Cloud SQL instance and adds up their demand", () => {
    const budgets = connectionBudgets([worker, analytics, backend, noDatabase, cron]);
    expect([...budgets.keys()]).toEqual([OTHER_DB, DB]);
    expect(budgets.get(DB)).toEqual({
      instance: DB,
      contributions: [
        { key: "staging/backend", poolSize: 10, maxOverflow: 15, maxInstances: 3, demand: 75 },
        { key: "staging/cron", poolSize: 2, maxOverflow: 0, maxInstances: 1, demand: 2 },
        { key: "staging/worker", poolSize: 5, maxOverflow: 5, maxInstances: 2, demand: 20 },
      ],
      unknown: [],
      demand: 97,
      limits: [{ maxConnections: 100, safetyMargin: 0.8, limit: 80, keys: ["staging/backend", "staging/worker"] }],
    });
    expect(budgets.get(OTHER_DB)?.demand).toBe(10);
  });

  it("lists services whose demand is unknown without counting them", () => {
    const unbounded = member("staging/legacy", undefined, { cloudSqlInstance: DB, pool: { size: 50 } });
    const noPool = member("staging/admin", 4, { cloudSqlInstance: DB });
    const budget = connectionBudgets([backend, unbounded, noPool]).get(DB);
    expect(budget?.unknown).toEqual(["staging/admin", "staging/legacy"]);
    expect(budget?.demand).toBe(75);
  });

  it("keeps every distinct declared limit, smallest first", () => {
    const strict = member("staging/strict", 1, {
      cloudSqlInstance: DB,
      maxConnections: 200,
      safetyMargin: 0.3,
      pool: { size: 1 },
    });
    const loose = member("staging/loose", 1, {
      cloudSqlInstance: DB,
      maxConnections: 100,
      safetyMargin: 1,
      pool: { size: 1 },
    });
    expect(connectionBudgets([backend, strict, loose]).get(DB)?.limits).toEqual([
      { maxConnections: 200, safetyMargin: 0.3, limit: 60, keys: ["staging/strict"] },
      { maxConnections: 100, safetyMargin: 0.8, limit: 80, keys: ["staging/backend"] },
      { maxConnections: 100, safetyMargin: 1, limit: 100, keys: ["staging/loose"] },
    ]);
  });
});

describe("checkConnectionBudget", () => {
  it("names every service and the numbers when the instance is overcommitted", () => {
    expect(checkConnectionBudget([backend, worker, cron, analytics], "staging/worker")).toEqual({
      instance: DB,
      withinBudget: false,
      demand: 97,
      limit: 80,
      message:
        `${DB}: 3 services demand 97 connections ((10 + 15) × 3 by staging/backend, (2 + 0) × 1 by staging/cron, ` +
        "(5 + 5) × 2 by staging/worker) but the budget is floor(100 × 0.8) = 80",
    });
  });

  it("reports the same verdict for a service that declares no limit itself", () => {
    expect(checkConnectionBudget([backend, worker, cron], "staging/cron")?.withinBudget).toBe(false);
  });

  it("accepts services that fit together", () => {
    expect(checkConnectionBudget([worker, cron], "staging/worker")).toEqual({
      instance: DB,
      withinBudget: true,
      demand: 22,
      limit: 80,
      message:
        `${DB}: 2 services demand 22 connections ((2 + 0) × 1 by staging/cron, (5 + 5) × 2 by staging/worker) ` +
        "within the budget floor(100 × 0.8) = 80",
    });
  });

  it("accepts demand exactly at the limit", () => {
    const exact = member("staging/exact", 8, {
      cloudSqlInstance: DB,
      maxConnections: 100,
      pool: { size: 5, maxOverflow: 5 },
    });
    expect(checkConnectionBudget([exact], "staging/exact")).toMatchObject({
      withinBudget: true,
      demand: 80,
      limit: 80,
      message: `${DB}: 1 service demands 80 connections ((5 + 5) × 8 by staging/exact) within the budget floor(100 × 0.8) = 80`,
    });
  });

  it("uses the smallest limit when configs disagree, and says so", () => {
    const strict = member("staging/strict", 1, {
      cloudSqlInstance: DB,
      maxConnections: 200,
      safetyMargin: 0.3,
      pool: { size: 1 },
    });
    const verdict = checkConnectionBudget([backend, strict], "staging/backend");
    expect(verdict).toMatchObject({ withinBudget: false, demand: 76, limit: 60 });
    expect(verdict?.message).toBe(
      `${DB}: 2 services demand 76 connections ((10 + 15) × 3 by staging/backend, (1 + 0) × 1 by staging/strict) ` +
        "but the budget is floor(200 × 0.3) = 60; configs disagree on the limit (floor(200 × 0.3) = 60 by " +
        "staging/strict; floor(100 × 0.8) = 80 by staging/backend), using the smallest",
    );
  });

  it("mentions services whose demand is unknown", () => {
    const unbounded = member("staging/legacy", undefined, { cloudSqlInstance: DB, pool: { size: 50 } });
    expect(checkConnectionBudget([backend, unbounded], "staging/legacy")?.message).toBe(
      `${DB}: 2 services demand 75 connections ((10 + 15) × 3 by staging/backend) within the budget ` +
        "floor(100 × 0.8) = 80; demand of staging/legacy unknown (no database.pool.size or scaling.maxInstances)",
    );
  });

  it.each<[string, BudgetMember[], string]>([
    ["a service without a database", [backend, noDatabase], "staging/frontend"],
    ["an instance nobody declares maxConnections for", [cron], "staging/cron"],
    ["an unknown key", [backend], "staging/missing"],
  ])("has nothing to check for %s", (_name, members, key) => {
    expect(checkConnectionBudget(members, key)).toBeUndefined();
  });

  it("does not count services on other instances", () => {
    expect(checkConnectionBudget([analytics, backend], "staging/analytics")).toMatchObject({
      instance: OTHER_DB,
      withinBudget: true,
      demand: 10,
      limit: 40,
    });
  });
});
