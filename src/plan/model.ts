// What `driftguard plan` found, as plain data: one entry per managed object, the connection budget per
// Cloud SQL instance, and files that could not be read. `--output json` prints exactly this shape (plus
// `formatVersion` and `exitCode`), so these types are the documented contract for machines.

import type { FieldDiff } from "../kinds/kind.ts";

export const PLAN_FORMAT_VERSION = 1;

/** Exit codes, as `terraform plan -detailed-exitcode` uses them. */
export const EXIT_NO_CHANGES = 0;
export const EXIT_ERRORS = 1;
export const EXIT_CHANGES = 2;

export type PlanResult =
  /** Owned fields differ from the live resource; `diffs` lists them in the kind's order. */
  | { outcome: "changes"; diffs: FieldDiff[] }
  | { outcome: "noChanges" }
  /** The controller would stop before writing (InvalidSpec, ConnectionBudgetExceeded, ...). */
  | { outcome: "blocked"; reason: string; message: string; issues?: string[] }
  /** Reading the live resource failed (NotFound, PermissionDenied, ...); `hint` says what to fix. */
  | { outcome: "error"; reason: string; message: string; hint: string }
  /** Not planned at all (a paused object). */
  | { outcome: "skipped"; reason: string; message: string };

export type PlanEntry = {
  kind: string;
  namespace: string;
  name: string;
  /** The Google resource, when the spec names one. */
  target?: string;
  /** Observe objects are planned but never applied. */
  policy?: "Enforce" | "Observe";
  /** The live resource is not usable although planning went through (a failed revision, a connector in ERROR). */
  notReady?: { reason: string; message: string };
  /** ServiceConfigPolicy Warn findings: the spec would be applied, and these reported. */
  policyWarnings?: string[];
} & PlanResult;

export interface BudgetService {
  /** "namespace/name" of the CloudRunServiceConfig. */
  key: string;
  poolSize: number;
  maxOverflow: number;
  maxInstances: number;
  /** (poolSize + maxOverflow) × maxInstances. */
  demand: number;
}

export interface BudgetLimit {
  maxConnections: number;
  safetyMargin: number;
  /** floor(maxConnections × safetyMargin). */
  limit: number;
  /** The configs that declare this limit. */
  declaredBy: string[];
}

export interface InstanceBudgetReport {
  /** Cloud SQL connection name "project:region:instance". */
  instance: string;
  services: BudgetService[];
  /** Services on the instance without database.pool.size or scaling.maxInstances. */
  unknownDemand: string[];
  demand: number;
  /** The smallest declared limit, which is the one enforced; absent when no config declares maxConnections. */
  limit?: BudgetLimit;
  /** Every distinct limit, when the configs disagree. */
  conflictingLimits?: BudgetLimit[];
  /** Absent when no limit is declared. */
  withinBudget?: boolean;
}

export interface FileError {
  file: string;
  message: string;
}

export interface Plan {
  /** Where desired state came from: "directory" (-f) or "cluster". */
  source: "directory" | "cluster";
  resources: PlanEntry[];
  budgets: InstanceBudgetReport[];
  fileErrors: FileError[];
}

export interface PlanSummary {
  changes: number;
  noChanges: number;
  /** Objects with changes that would not be applied (Observe policy); included in `changes`. */
  observeOnly: number;
  blocked: number;
  errors: number;
  skipped: number;
  budgetsExceeded: number;
  fileErrors: number;
}

export function summarise(plan: Plan): PlanSummary {
  const count = (outcome: PlanResult["outcome"]) => plan.resources.filter((r) => r.outcome === outcome).length;
  return {
    changes: count("changes"),
    noChanges: count("noChanges"),
    observeOnly: plan.resources.filter((r) => r.outcome === "changes" && r.policy === "Observe").length,
    blocked: count("blocked"),
    errors: count("error"),
    skipped: count("skipped"),
    budgetsExceeded: plan.budgets.filter((b) => b.withinBudget === false).length,
    fileErrors: plan.fileErrors.length,
  };
}

/**
 * 1 when anything stops the plan from being applied as is (blocked objects, Google errors, an exceeded
 * budget, unreadable files); otherwise 2 when an Enforce object would change, else 0. Changes on Observe
 * objects are shown but would not be applied, so alone they exit 0.
 */
export function exitCode(plan: Plan): number {
  const s = summarise(plan);
  if (s.blocked + s.errors + s.budgetsExceeded + s.fileErrors > 0) return EXIT_ERRORS;
  return s.changes > s.observeOnly ? EXIT_CHANGES : EXIT_NO_CHANGES;
}
