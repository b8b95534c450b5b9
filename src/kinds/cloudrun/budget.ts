// The cluster-wide connection budget: every service that points at one Cloud SQL instance draws from the same
// max_connections. Each spec may be within its own budget while together they exhaust the instance, which is
// how staging ended up refusing connections; this check adds them up before anything is applied.

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

export interface BudgetVerdict {
  instance: string;
  withinBudget: boolean;
  demand: number;
  limit: number;
  /** The numbers behind the verdict, naming every service that draws on the instance. */
  message: string;
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

/**
 * Whether the member `key` and everything else on its Cloud SQL instance fit the instance's budget. Undefined
 * when `key` names no instance or no member declares the instance's maxConnections.
 */
export function checkConnectionBudget(members: readonly BudgetMember[], key: string): BudgetVerdict | undefined {
  const instance = members.find((member) => member.key === key)?.spec.database?.cloudSqlInstance;
  const budget = instance === undefined ? undefined : connectionBudgets(members).get(instance);
  const applied = budget?.limits[0];
  if (budget === undefined || applied === undefined) return undefined;
  const withinBudget = budget.demand <= applied.limit;
  const services = budget.contributions.length + budget.unknown.length;
  const parts = budget.contributions.map((c) => `(${c.poolSize} + ${c.maxOverflow}) × ${c.maxInstances} by ${c.key}`);
  const message = [
    `${budget.instance}: ${services} ${services === 1 ? "service demands" : "services demand"} ` +
      `${budget.demand} connections (${parts.join(", ") || "none known"})`,
    withinBudget ? ` within the budget ${formula(applied)}` : ` but the budget is ${formula(applied)}`,
    budget.unknown.length > 0
      ? `; demand of ${budget.unknown.join(", ")} unknown (no database.pool.size or scaling.maxInstances)`
      : "",
    budget.limits.length > 1
      ? `; configs disagree on the limit (${budget.limits.map((l) => `${formula(l)} by ${l.keys.join(", ")}`).join("; ")}), using the smallest`
      : "",
  ].join("");
  return { instance: budget.instance, withinBudget, demand: budget.demand, limit: applied.limit, message };
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

function formula(limit: DeclaredLimit): string {
  return `floor(${limit.maxConnections} × ${limit.safetyMargin}) = ${limit.limit}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
