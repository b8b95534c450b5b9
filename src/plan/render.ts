// A plan for people (compact, in the spirit of `terraform plan`) and for machines (`--output json`).
//
//   ~ CloudRunServiceConfig staging/backend (projects/p/locations/r/services/backend)
//       requestTimeout (template.timeout): 300s -> 600s
//   = CloudRunServiceConfig staging/worker (projects/p/locations/r/services/worker): no changes
//   ! CloudRunServiceConfig staging/broken: blocked: InvalidSpec
//       spec.database.timeouts.pool: must be at least 1s

import {
  exitCode,
  PLAN_FORMAT_VERSION,
  summarise,
  type InstanceBudgetReport,
  type Plan,
  type PlanEntry,
} from "./model.ts";

const INDENT = "    ";

const MARKERS: Record<PlanEntry["outcome"], string> = {
  changes: "~",
  noChanges: "=",
  blocked: "!",
  error: "x",
  skipped: "-",
};

/** The JSON document `--output json` prints; see model.ts for the meaning of every field. */
export function renderJson(plan: Plan): string {
  return JSON.stringify(
    { formatVersion: PLAN_FORMAT_VERSION, exitCode: exitCode(plan), summary: summarise(plan), ...plan },
    null,
    2,
  );
}

export function renderText(plan: Plan): string[] {
  const lines = plan.fileErrors.map((e) => `x ${e.file}: ${e.message}`);
  for (const entry of plan.resources) lines.push(...renderEntry(entry));
  if (plan.resources.length === 0 && plan.fileErrors.length === 0) {
    lines.push(`No CloudRunServiceConfig or VpcConnectorConfig objects found in the ${plan.source}.`);
  }
  if (plan.budgets.length > 0) {
    lines.push("", "Connection budgets:");
    for (const budget of plan.budgets) lines.push(...renderBudget(budget));
  }
  lines.push("", summaryLine(plan));
  return lines;
}

export function renderEntry(entry: PlanEntry): string[] {
  const target = entry.target ? ` (${entry.target})` : "";
  const heading = `${MARKERS[entry.outcome]} ${entry.kind} ${entry.namespace}/${entry.name}${target}`;
  const notReady = [
    ...(entry.notReady ? [`${INDENT}not ready: ${entry.notReady.reason}: ${entry.notReady.message}`] : []),
    ...(entry.policyWarnings ?? []).map((w) => `${INDENT}policy warning: ${w}`),
  ];
  switch (entry.outcome) {
    case "changes": {
      const observe = entry.policy === "Observe" ? " (Observe: would not be applied)" : "";
      const fields = entry.diffs.map((d) => `${INDENT}${d.field}: ${shown(d.live)} -> ${shown(d.desired)}`);
      return [`${heading}${observe}`, ...fields, ...notReady];
    }
    case "noChanges":
      return [`${heading}: no changes`, ...notReady];
    case "blocked":
      return [`${heading}: blocked: ${entry.reason}`, ...(entry.issues ?? [entry.message]).map((l) => INDENT + l)];
    case "error":
      return [`${heading}: error: ${entry.reason}`, `${INDENT}${entry.message}`, `${INDENT}hint: ${entry.hint}`];
    case "skipped":
      return [`${heading}: skipped (${entry.reason}: ${entry.message})`];
  }
}

export function renderBudget(budget: InstanceBudgetReport): string[] {
  const verdict =
    budget.limit === undefined
      ? "no limit declared (set database.maxConnections)"
      : `limit floor(${budget.limit.maxConnections} × ${budget.limit.safetyMargin}) = ${budget.limit.limit}: ` +
        (budget.withinBudget ? "within budget" : "OVER BUDGET");
  const lines = [`  ${budget.instance}: demand ${budget.demand}, ${verdict}`];
  for (const s of budget.services) {
    lines.push(`${INDENT}${s.key}: (${s.poolSize} + ${s.maxOverflow}) × ${s.maxInstances} = ${s.demand}`);
  }
  for (const key of budget.unknownDemand) {
    lines.push(`${INDENT}${key}: unknown (no database.pool.size or scaling.maxInstances)`);
  }
  if (budget.conflictingLimits) {
    const limits = budget.conflictingLimits.map((l) => `${l.limit} by ${l.declaredBy.join(", ")}`);
    lines.push(`${INDENT}configs disagree on the limit (${limits.join("; ")}); the smallest applies`);
  }
  return lines;
}

function summaryLine(plan: Plan): string {
  const s = summarise(plan);
  const parts = [
    `${s.changes - s.observeOnly} to change`,
    ...(s.observeOnly > 0 ? [`${s.observeOnly} drifted under Observe`] : []),
    `${s.noChanges} unchanged`,
    ...(s.blocked > 0 ? [`${s.blocked} blocked`] : []),
    ...(s.errors > 0 ? [`${s.errors} failed`] : []),
    ...(s.skipped > 0 ? [`${s.skipped} skipped`] : []),
    ...(s.budgetsExceeded > 0 ? [`${s.budgetsExceeded} over connection budget`] : []),
    ...(s.fileErrors > 0 ? [`${s.fileErrors} unreadable files`] : []),
  ];
  return `Plan: ${parts.join(", ")}.`;
}

function shown(value: string): string {
  return value === "" ? "(unset)" : value;
}
