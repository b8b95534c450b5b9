// The cluster-wide connection budget: every service that points at one Cloud SQL instance draws from the same
// max_connections. Each spec may be within its own budget while together they exhaust the instance, which is
// how staging ended up refusing connections. This module adds the declared demand up per instance (for
// `driftguard plan`); admission.ts decides, first come first served, who may use it.

import type { CloudRunServiceConfigSpec } from "../../api/cloudrun.ts";
import { connectionBudget, connectionDemand } from "../../api/rules.ts";

/** One CloudRunServiceConfig as the budget sees it; `key` is "namespace/name". */
export interface BudgetMember {
  key: string;
  spec: Pick<CloudRunServiceConfigSpec, "database" | "scaling">;
}

/** What one service may open: (poolSize + maxOverflow) × maxInstances = demand. */
export interface Contribution {
  key: string;
  poolSize: number;
  maxOverflow: number;
  maxInstances: number;
  demand: number;
}

/** floor(maxConnections × safetyMargin) = limit, as declared by `keys`. */
export interface DeclaredLimit {
  maxConnections: number;
  safetyMargin: number;
  limit: number;
  keys: string[];
}

export interface InstanceBudget {
  /** Cloud SQL connection name "project:region:instance". */
  instance: string;
  /** Services with a known demand, by key. */
  contributions: Contribution[];
  /** Services on the instance whose demand is unknown (no pool.size or no scaling.maxInstances), by key. */
  unknown: string[];
  demand: number;
  /** The distinct limits declared for the instance, smallest first; the first one applies. */
  limits: DeclaredLimit[];
}

/** Groups the members by Cloud SQL instance and adds up their demand; members without an instance are skipped. */
export function connectionBudgets(members: readonly BudgetMember[]): Map<string, InstanceBudget> {
  const budgets = new Map<string, InstanceBudget>();
  for (const { key, spec } of [...members].sort((a, b) => compare(a.key, b.key))) {
    const database = spec.database;
    const instance = database?.cloudSqlInstance;
    if (database === undefined || instance === undefined) continue;
    let budget = budgets.get(instance);
    if (budget === undefined) {
      budget = { instance, contributions: [], unknown: [], demand: 0, limits: [] };
      budgets.set(instance, budget);
    }
    const demand = connectionDemand(spec);
    if (demand === undefined) budget.unknown.push(key);
    else {
      budget.contributions.push({
        key,
        poolSize: database.pool?.size ?? 0,
        maxOverflow: database.pool?.maxOverflow ?? 0,
        maxInstances: spec.scaling?.maxInstances ?? 0,
        demand,
      });
      budget.demand += demand;
    }
    addLimit(budget, key, database);
  }
  return budgets;
}

function addLimit(budget: InstanceBudget, key: string, database: { maxConnections?: number; safetyMargin: number }) {
  const limit = connectionBudget(database);
  if (limit === undefined || database.maxConnections === undefined) return;
  const { maxConnections, safetyMargin } = database;
  const same = budget.limits.find((l) => l.maxConnections === maxConnections && l.safetyMargin === safetyMargin);
  if (same !== undefined) same.keys.push(key);
  else budget.limits.push({ maxConnections, safetyMargin, limit, keys: [key] });
  budget.limits.sort((a, b) => a.limit - b.limit || a.maxConnections - b.maxConnections);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
