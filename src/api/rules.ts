// Cross-field rules the CRD schema cannot express (Kubernetes 1.20 has no CEL). They run inside the zod
// schemas, so `driftguard validate` and the controller report the same issue, with the numbers involved.

import type { z } from "zod";
import type { CloudRunServiceConfigSpec } from "./cloudrun.ts";
import { MACHINE_TYPES, formatSeconds, parseDuration } from "./common.ts";
import type { VpcConnectorConfigSpec } from "./connector.ts";
import { declaredDatabaseEnvVars } from "./database.ts";

/** A rule violation; `path` is relative to the spec. */
export interface RuleIssue {
  path: (string | number)[];
  message: string;
}

export function addRuleIssues(ctx: z.RefinementCtx, issues: RuleIssue[]): void {
  for (const { path, message } of issues) ctx.addIssue({ code: "custom", path, message });
}

/** Connections the service may open at its maximum scale: (pool.size + pool.maxOverflow) × scaling.maxInstances. */
export function connectionDemand(spec: Pick<CloudRunServiceConfigSpec, "database" | "scaling">): number | undefined {
  const size = spec.database?.pool?.size;
  const maxInstances = spec.scaling?.maxInstances;
  if (size === undefined || maxInstances === undefined) return undefined;
  return (size + (spec.database?.pool?.maxOverflow ?? 0)) * maxInstances;
}

/** Connections the service may plan to use: floor(maxConnections × safetyMargin). */
export function connectionBudget(database: { maxConnections?: number; safetyMargin: number }): number | undefined {
  if (database.maxConnections === undefined) return undefined;
  // The epsilon keeps 100 × 0.29 = 28.999999999999996 at 29.
  return Math.floor(database.maxConnections * database.safetyMargin + 1e-9);
}

export function cloudRunSpecRules(spec: CloudRunServiceConfigSpec): RuleIssue[] {
  return [
    ...scalingRules(spec),
    ...exactlyOne(["vpcAccess"], spec.vpcAccess, ["connectorRef", "connector"]),
    ...exactlyOne(["startupProbe"], spec.startupProbe, ["httpGet", "tcpSocket"]),
    ...startupProbeRules(spec),
    ...databaseTimeoutRules(spec),
    ...connectionBudgetRules(spec),
    ...envConflictRules(spec),
  ];
}

export function vpcConnectorSpecRules(spec: VpcConnectorConfigSpec): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const { minInstances, maxInstances, autoscaling, machineType } = spec;
  if (minInstances !== undefined && maxInstances !== undefined && minInstances >= maxInstances) {
    issues.push({
      path: ["minInstances"],
      message: `minInstances ${minInstances} must be less than maxInstances ${maxInstances}`,
    });
  }
  const { scaleDownThreshold: down, targetUtilization: target, scaleUpThreshold: up } = autoscaling;
  if (down >= target) {
    issues.push({
      path: ["autoscaling", "scaleDownThreshold"],
      message: `scaleDownThreshold ${down} must be less than targetUtilization ${target}`,
    });
  }
  if (target >= up) {
    issues.push({
      path: ["autoscaling", "targetUtilization"],
      message: `targetUtilization ${target} must be less than scaleUpThreshold ${up}`,
    });
  }
  if (maxInstances !== undefined && autoscaling.ceiling < maxInstances) {
    issues.push({
      path: ["autoscaling", "ceiling"],
      message: `ceiling ${autoscaling.ceiling} is below spec.maxInstances ${maxInstances}`,
    });
  }
  const ladder = autoscaling.machineTypeLadder;
  ladder.forEach((type, index) => {
    const previous = index > 0 ? ladder[index - 1] : undefined;
    if (previous !== undefined && MACHINE_TYPES.indexOf(type) <= MACHINE_TYPES.indexOf(previous)) {
      issues.push({
        path: ["autoscaling", "machineTypeLadder", index],
        message: `${type} cannot follow ${previous}: list machine types in increasing size (${MACHINE_TYPES.join(" < ")})`,
      });
    }
  });
  if (machineType !== undefined && ladder.length > 0 && !ladder.includes(machineType)) {
    issues.push({
      path: ["autoscaling", "machineTypeLadder"],
      message: `must include spec.machineType ${machineType}, the rung autoscaling starts from`,
    });
  }
  return issues;
}

function scalingRules({ scaling }: CloudRunServiceConfigSpec): RuleIssue[] {
  if (scaling?.minInstances === undefined || scaling.maxInstances === undefined) return [];
  if (scaling.minInstances <= scaling.maxInstances) return [];
  return [
    {
      path: ["scaling", "minInstances"],
      message: `minInstances ${scaling.minInstances} exceeds maxInstances ${scaling.maxInstances}`,
    },
  ];
}

function exactlyOne(path: string[], parent: object | undefined, keys: [string, string]): RuleIssue[] {
  if (parent === undefined) return [];
  const present = keys.filter((key) => (parent as Record<string, unknown>)[key] !== undefined);
  if (present.length === 1) return [];
  const found = present.length === 0 ? "neither is set" : "both are set";
  return [{ path, message: `set exactly one of ${keys[0]} or ${keys[1]} (${found})` }];
}

function startupProbeRules({ startupProbe: probe, database }: CloudRunServiceConfigSpec): RuleIssue[] {
  if (probe === undefined) return [];
  const issues: RuleIssue[] = [];
  if (probe.timeoutSeconds > probe.periodSeconds) {
    issues.push({
      path: ["startupProbe", "timeoutSeconds"],
      message: `timeoutSeconds ${probe.timeoutSeconds} exceeds periodSeconds ${probe.periodSeconds}`,
    });
  }
  const initialization = database?.timeouts?.initialization;
  if (initialization === undefined) return issues;
  const { initialDelaySeconds: delay, failureThreshold: failures, periodSeconds: period } = probe;
  const budgetSeconds = delay + failures * period;
  const neededMs = parseDuration(initialization);
  if (budgetSeconds * 1000 < neededMs) {
    const neededFailures = Math.ceil((neededMs / 1000 - delay) / period);
    issues.push({
      path: ["startupProbe"],
      message:
        `startup probe allows ${delay} + ${failures} × ${period} = ${budgetSeconds}s but ` +
        `spec.database.timeouts.initialization is ${formatSeconds(neededMs)}; ` +
        `failureThreshold ${neededFailures} at periodSeconds ${period} would cover it`,
    });
  }
  return issues;
}

function databaseTimeoutRules({ database }: CloudRunServiceConfigSpec): RuleIssue[] {
  const connection = database?.timeouts?.connection;
  const pool = database?.timeouts?.pool;
  if (connection === undefined || pool === undefined) return [];
  const connectionMs = parseDuration(connection);
  const poolMs = parseDuration(pool);
  if (poolMs >= connectionMs) return [];
  return [
    {
      path: ["database", "timeouts", "pool"],
      message:
        `pool timeout ${formatSeconds(poolMs)} is shorter than connection timeout ${formatSeconds(connectionMs)}: ` +
        "a request waiting for a pooled connection must outlast one connection attempt",
    },
  ];
}

function connectionBudgetRules(spec: CloudRunServiceConfigSpec): RuleIssue[] {
  const database = spec.database;
  const pool = database?.pool;
  if (database?.maxConnections === undefined || pool?.size === undefined) return [];
  const maxInstances = spec.scaling?.maxInstances;
  if (maxInstances === undefined) {
    return [
      {
        path: ["scaling", "maxInstances"],
        message:
          "is required when spec.database.maxConnections and spec.database.pool.size are set: " +
          "without it the service's connection demand is unbounded",
      },
    ];
  }
  return [];
}

/**
 * A spec whose own demand exceeds the budget it declares. Not part of the schema: the controller reports
 * it as ConnectionBudgetExceeded, like any over-booked instance (one reason for one cause), and still heals
 * the fields that do not raise the demand; `driftguard validate` reports it offline.
 */
export function ownConnectionBudgetIssues(spec: Pick<CloudRunServiceConfigSpec, "database" | "scaling">): RuleIssue[] {
  const database = spec.database;
  const pool = database?.pool;
  const maxInstances = spec.scaling?.maxInstances;
  if (database?.maxConnections === undefined || pool?.size === undefined || maxInstances === undefined) return [];
  const demand = connectionDemand(spec) ?? 0;
  const budget = connectionBudget(database) ?? 0;
  if (demand <= budget) return [];
  const overflow = pool.maxOverflow ?? 0;
  return [
    {
      path: ["database", "pool"],
      message:
        `(${pool.size} + ${overflow}) × ${maxInstances} = ${demand} connections exceeds ` +
        `floor(${database.maxConnections} × ${database.safetyMargin}) = ${budget}`,
    },
  ];
}

function envConflictRules({ env, database }: CloudRunServiceConfigSpec): RuleIssue[] {
  if (env === undefined || database === undefined) return [];
  return declaredDatabaseEnvVars(database)
    .filter(({ name }) => Object.hasOwn(env, name))
    .map(({ name, source }) => ({
      path: ["env", name],
      message: `${name} is also set by ${source}; declare it in one place`,
    }));
}
