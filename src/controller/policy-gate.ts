// The ServiceConfigPolicy gate of a reconcile: the policies the source holds, compiled once per change,
// judge a parsed spec. A Deny finding blocks the pass (PolicyViolation, no Google write); Warn findings are
// reported in a PolicyCompliant condition and one Event per change while the spec is applied.

import type { ManagedObject } from "../kinds/kind.ts";
import type { Judgement } from "../policy/evaluate.ts";
import { summariseFindings } from "../policy/evaluate.ts";
import { noPolicies, PolicySet } from "../policy/set.ts";
import type { DesiredStateSource } from "../sources/source.ts";
import type { ConditionStatus } from "./conditions.ts";

export const POLICY_CONDITION = "PolicyCompliant";

export interface PolicyOutcome {
  /** The Deny findings as one message; undefined when nothing denies the spec. */
  denied?: string;
  conditions: Array<{ type: string; status: ConditionStatus; reason: string; message: string }>;
  events: Array<{ type: "Normal" | "Warning"; reason: string; note: string }>;
}

export class PolicyGate {
  #source: DesiredStateSource;
  #fingerprint = "";
  #set: PolicySet = noPolicies;

  constructor(source: DesiredStateSource) {
    this.#source = source;
  }

  /** The policies in force now; recompiled only when a policy object changed. */
  get policies(): PolicySet {
    const objects = this.#source.policies();
    const fingerprint = objects.map(versionOf).join(",");
    if (fingerprint !== this.#fingerprint) {
      this.#set = new PolicySet(objects);
      this.#fingerprint = fingerprint;
    }
    return this.#set;
  }

  judge(kind: string, namespace: string, spec: unknown, previous: Record<string, unknown>): PolicyOutcome {
    if (kind !== "CloudRunServiceConfig" && kind !== "VpcConnectorConfig") return { conditions: [], events: [] };
    const set = this.policies;
    if (set.inForce.length === 0 && !hadCondition(previous)) return { conditions: [], events: [] };
    const labels = this.#source.namespaceLabels(namespace);
    return outcomeOf(set.judge(kind, labels, spec), previous);
  }
}

export function outcomeOf(judgement: Judgement, previous: Record<string, unknown>): PolicyOutcome {
  const { denials, warnings } = judgement;
  const before = previousCondition(previous);
  if (denials.length > 0) {
    const message = summariseFindings([...denials, ...warnings]);
    return { denied: message, conditions: [condition("False", "PolicyViolation", message)], events: [] };
  }
  if (warnings.length > 0) {
    const message = summariseFindings(warnings);
    const changed = before?.reason !== "PolicyWarning" || before.message !== message;
    return {
      conditions: [condition("False", "PolicyWarning", message)],
      events: changed ? [{ type: "Warning", reason: "PolicyWarning", note: message }] : [],
    };
  }
  if (before === undefined) return { conditions: [], events: [] };
  return { conditions: [condition("True", "Compliant", "No ServiceConfigPolicy rule is violated")], events: [] };
}

function condition(status: ConditionStatus, reason: string, message: string) {
  return { type: POLICY_CONDITION, status, reason, message };
}

function previousCondition(previous: Record<string, unknown>): { reason?: string; message?: string } | undefined {
  const conditions = previous.conditions as Array<{ type: string; reason?: string; message?: string }> | undefined;
  return conditions?.find((c) => c.type === POLICY_CONDITION);
}

function hadCondition(previous: Record<string, unknown>): boolean {
  return previousCondition(previous) !== undefined;
}

function versionOf(policy: ManagedObject): string {
  return `${policy.metadata?.name ?? ""}@${policy.metadata?.resourceVersion ?? JSON.stringify(policy.spec)}`;
}
