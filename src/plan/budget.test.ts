import { describe, expect, it } from "vitest";
import { budgetReports } from "./budget.ts";
import { manifest, ObjectList } from "./test-fixtures.ts";

const DB = "netra-staging:us-central1:db";

const service = (name: string, maxInstances: number, database: object, annotations: Record<string, string> = {}) =>
  manifest(
    "CloudRunServiceConfig",
    name,
    { service: { project: "netra-staging", region: "us-central1", name }, scaling: { maxInstances }, database },
    annotations,
  );

describe("budgetReports", () => {
  it("adds up every valid, unpaused service per instance against the smallest declared limit", () => {
    const objects = new ObjectList([
      service("backend", 4, { cloudSqlInstance: DB, maxConnections: 100, pool: { size: 10, maxOverflow: 5 } }),
      service("worker", 2, { cloudSqlInstance: DB, maxConnections: 200, pool: { size: 5 } }),
      service("paused", 10, { cloudSqlInstance: DB, pool: { size: 50 } }, { "driftguard.dev/paused": "true" }),
      service("invalid", 10, { cloudSqlInstance: DB, pool: { size: -1 } }),
      service("legacy", 3, { cloudSqlInstance: DB }),
    ]);
    expect(budgetReports(objects)).toEqual([
      {
        instance: DB,
        services: [
          { key: "staging/backend", poolSize: 10, maxOverflow: 5, maxInstances: 4, demand: 60 },
          { key: "staging/worker", poolSize: 5, maxOverflow: 0, maxInstances: 2, demand: 10 },
        ],
        unknownDemand: ["staging/legacy"],
        demand: 70,
        limit: { maxConnections: 100, safetyMargin: 0.8, limit: 80, declaredBy: ["staging/backend"] },
        conflictingLimits: [
          { maxConnections: 100, safetyMargin: 0.8, limit: 80, declaredBy: ["staging/backend"] },
          { maxConnections: 200, safetyMargin: 0.8, limit: 160, declaredBy: ["staging/worker"] },
        ],
        withinBudget: true,
      },
    ]);
  });

  it("reports a total over the limit, and instances without a limit, sorted by instance", () => {
    const objects = new ObjectList([
      service("b", 4, { cloudSqlInstance: DB, maxConnections: 50, pool: { size: 10 } }),
      service("a", 1, { cloudSqlInstance: "netra-staging:us-central1:analytics", pool: { size: 3 } }),
    ]);
    const [analytics, db] = budgetReports(objects);
    expect(analytics).toEqual({
      instance: "netra-staging:us-central1:analytics",
      services: [{ key: "staging/a", poolSize: 3, maxOverflow: 0, maxInstances: 1, demand: 3 }],
      unknownDemand: [],
      demand: 3,
    });
    expect(db).toMatchObject({ demand: 40, limit: { limit: 40 }, withinBudget: true });
    const over = new ObjectList([
      service("b", 4, { cloudSqlInstance: DB, maxConnections: 50, pool: { size: 10 } }),
      service("c", 1, { cloudSqlInstance: DB, pool: { size: 10 } }),
    ]);
    expect(budgetReports(over)[0]).toMatchObject({ demand: 50, limit: { limit: 40 }, withinBudget: false });
  });
});
