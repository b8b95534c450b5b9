// The connection budget per Cloud SQL instance, over the configs that count for the CloudRunServiceConfig
// kind's admission: every valid, unpaused config its namespace may manage, whatever its policy. The report
// adds up everything declared; admission itself is first come first served (kinds/cloudrun/admission.ts).

import { CloudRunServiceConfigSpec } from "../api/cloudrun.ts";
import { PAUSED_ANNOTATION } from "../controller/resync.ts";
import { connectionBudgets, type BudgetMember, type DeclaredLimit } from "../kinds/cloudrun/budget.ts";
import { cloudRunResource } from "../kinds/cloudrun/kind.ts";
import type { ManagedObject, ObjectLookup } from "../kinds/kind.ts";
import type { BudgetLimit, InstanceBudgetReport } from "./model.ts";

export function budgetReports(
  lookup: ObjectLookup,
  allowed: (object: ManagedObject, spec: CloudRunServiceConfigSpec) => boolean = () => true,
): InstanceBudgetReport[] {
  const members = lookup.list(cloudRunResource).flatMap((object): BudgetMember[] => {
    if (object.metadata?.annotations?.[PAUSED_ANNOTATION] === "true") return [];
    const parsed = CloudRunServiceConfigSpec.safeParse(object.spec);
    if (!parsed.success || !allowed(object, parsed.data)) return [];
    return [{ key: `${object.metadata?.namespace}/${object.metadata?.name}`, spec: parsed.data }];
  });
  return [...connectionBudgets(members).values()]
    .sort((a, b) => (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0))
    .map((budget) => {
      const applied = budget.limits[0];
      return {
        instance: budget.instance,
        services: budget.contributions,
        unknownDemand: budget.unknown,
        demand: budget.demand,
        ...(applied ? { limit: limitOf(applied), withinBudget: budget.demand <= applied.limit } : {}),
        ...(budget.limits.length > 1 ? { conflictingLimits: budget.limits.map(limitOf) } : {}),
      };
    });
}

function limitOf(declared: DeclaredLimit): BudgetLimit {
  return {
    maxConnections: declared.maxConnections,
    safetyMargin: declared.safetyMargin,
    limit: declared.limit,
    declaredBy: declared.keys,
  };
}
