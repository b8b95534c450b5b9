// Plans every managed object the way one reconcile pass would look at it — paused, spec, cluster-wide
// admission, then the kind's own observe — and stops there: nothing is ever updated. Live state is read
// through the kinds, so a plan sees exactly the normalisation and field ownership the controller applies.

import { PAUSED_ANNOTATION } from "../controller/resync.ts";
import { tenancyViolation } from "../controller/tenancy.ts";
import { classifyGoogleError } from "../gcp/errors.ts";
import type { CommonSpec, ManagedKind, ManagedObject, ObjectLookup } from "../kinds/kind.ts";
import type { PolicySet } from "../policy/set.ts";
import { budgetReports } from "./budget.ts";
import type { FileError, Plan, PlanEntry } from "./model.ts";
import { withRetry, type RetryPolicy } from "./retry.ts";

export interface PlanInput {
  source: Plan["source"];
  kinds: ReadonlyArray<ManagedKind<CommonSpec>>;
  /** The objects to plan, as loaded. */
  objects: ObjectLookup;
  /** What admission and observe see of the other objects (dependencies, budget members). */
  lookup: ObjectLookup;
  fileErrors?: FileError[];
  now?: Date;
  /** The tenancy guard, as the controller applies it; absent: every project is allowed. */
  tenancy?: Tenancy;
  /** How transient read failures are retried; default DEFAULT_PLAN_RETRY. */
  retry?: RetryOptions;
  /** The ServiceConfigPolicies in force and the namespace labels they select by; absent: none. */
  policies?: Policies;
}

export interface Policies {
  set: PolicySet;
  namespaceLabels(namespace: string): Record<string, string> | undefined;
}

export interface RetryOptions {
  policy?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
}

export interface Tenancy {
  namespaceAnnotations(namespace: string): Record<string, string> | undefined;
  requireAllowlist: boolean;
}

export async function buildPlan(input: PlanInput): Promise<Plan> {
  const now = input.now ?? new Date();
  // Kinds that index their peers (the connection budget) learn all of them first, as from a watch.
  for (const kind of input.kinds) {
    for (const peer of kind.index ? input.lookup.list(kind.resource) : []) {
      kind.index?.changed(kind.resource, keyOf(peer), peer);
    }
  }
  // One at a time, in key order: the connection budget admits first come first served, so a plan must
  // ask in a fixed order to say the same thing twice.
  const resources: PlanEntry[] = [];
  for (const kind of input.kinds) {
    for (const object of [...input.objects.list(kind.resource)].sort((a, b) => compare(keyOf(a), keyOf(b)))) {
      resources.push(await planObject(kind, object, input.lookup, now, input.tenancy, input.retry, input.policies));
    }
  }
  return {
    source: input.source,
    resources,
    budgets: budgetReports(input.objects, (object, spec) => {
      const kind = input.kinds.find((k) => k.resource.kind === object.kind);
      const { tenancy } = input;
      if (!kind || !tenancy) return true;
      const namespace = object.metadata?.namespace ?? "";
      const annotations = tenancy.namespaceAnnotations(namespace);
      return !tenancyViolation(kind, spec, namespace, input.lookup, annotations, tenancy.requireAllowlist);
    }),
    fileErrors: input.fileErrors ?? [],
  };
}

export async function planObject(
  kind: ManagedKind<CommonSpec>,
  object: ManagedObject,
  lookup: ObjectLookup,
  now: Date,
  tenancy?: Tenancy,
  retry: RetryOptions = {},
  policies?: Policies,
): Promise<PlanEntry> {
  const base = {
    kind: kind.resource.kind,
    namespace: object.metadata?.namespace ?? "",
    name: object.metadata?.name ?? "",
  };
  if (object.metadata?.annotations?.[PAUSED_ANNOTATION] === "true") {
    return { ...base, outcome: "skipped", reason: "Paused", message: `${PAUSED_ANNOTATION}: "true"` };
  }
  const parsed = kind.parseSpec(object.spec);
  if (!parsed.ok) {
    return {
      ...base,
      outcome: "blocked",
      reason: "InvalidSpec",
      message: parsed.issues.join("; "),
      issues: parsed.issues,
    };
  }
  const spec = parsed.spec;
  const described = { ...base, target: kind.targetName(spec), policy: spec.managementPolicy };
  const notAllowed =
    tenancy &&
    tenancyViolation(
      kind,
      spec,
      base.namespace,
      lookup,
      tenancy.namespaceAnnotations(base.namespace),
      tenancy.requireAllowlist,
    );
  if (notAllowed) return { ...described, outcome: "blocked", reason: "ProjectNotAllowed", message: notAllowed };
  const judged = policyJudgement(kind.resource.kind, base.namespace, spec, policies);
  if (judged.denials.length > 0) {
    const issues = judged.denials.map((d) => d.message);
    return { ...described, outcome: "blocked", reason: "PolicyViolation", message: issues.join("; "), issues };
  }
  const warned = judged.warnings.length > 0 ? { policyWarnings: judged.warnings.map((w) => w.message) } : {};
  const ctx = { key: `${base.namespace}/${base.name}`, object, spec, lookup, now };
  const admission = kind.admit(ctx);
  if (admission) return { ...described, outcome: "blocked", reason: admission.reason, message: admission.message };

  const observed = await withRetry(() => kind.observe(ctx), classifyGoogleError, retry.policy, retry.sleep);
  if (!observed.ok) {
    const classified = classifyGoogleError(observed.error);
    const tries =
      observed.attempts > 1
        ? ` (gave up after ${observed.attempts} attempts, waiting ${observed.waitedMs / 1000} s between them)`
        : "";
    return {
      ...described,
      outcome: "error",
      reason: classified.reason,
      message: `${classified.message}${tries}`,
      hint: classified.hint,
    };
  }
  const { blocked, notReady, diffs } = observed.value;
  if (blocked) return { ...described, outcome: "blocked", reason: blocked.reason, message: blocked.message };
  const withNotReady = notReady
    ? { ...described, ...warned, notReady: { reason: notReady.reason, message: notReady.message } }
    : { ...described, ...warned };
  return diffs.length > 0 ? { ...withNotReady, outcome: "changes", diffs } : { ...withNotReady, outcome: "noChanges" };
}

function policyJudgement(kind: string, namespace: string, spec: unknown, policies: Policies | undefined) {
  if (!policies || (kind !== "CloudRunServiceConfig" && kind !== "VpcConnectorConfig")) {
    return { denials: [], warnings: [] };
  }
  return policies.set.judge(kind, policies.namespaceLabels(namespace), spec);
}

function keyOf(object: ManagedObject): string {
  return `${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
