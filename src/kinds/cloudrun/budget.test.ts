import { describe, expect, it } from "vitest";
import { CloudRunServiceConfigSpec } from "../../api/cloudrun.ts";
import { connectionBudgets, type BudgetMember } from "./budget.ts";

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
