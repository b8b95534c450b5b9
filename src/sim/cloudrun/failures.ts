// Revision failures set up through the control API: "the next revision of service X fails with reason
// Y", or "every revision whose template matches {...} fails". The store asks here when a revision is made.

import type { JsonObject } from "../core/module.ts";

export interface RevisionFailureRule {
  /** Full service name or short service id; absent = any service. */
  service?: string;
  /** Partial template: matches when every field given here equals the template's (lists by position). */
  templateMatch?: JsonObject;
  /** google.cloud.run.v2.Condition.CommonReason name, e.g. CONTAINER_MISSING. */
  reason: string;
  message: string;
  /** How many revisions fail before the rule is spent; absent = every matching revision. */
  times?: number;
}

export interface RevisionFailure {
  reason: string;
  message: string;
}

export class RevisionFailures {
  #rules: RevisionFailureRule[] = [];

  add(rule: RevisionFailureRule): void {
    this.#rules.push(structuredClone(rule));
  }

  list(): RevisionFailureRule[] {
    return structuredClone(this.#rules);
  }

  replace(rules: RevisionFailureRule[]): void {
    this.#rules = structuredClone(rules);
  }

  /** The failure for a new revision of `serviceName` with `template`, spending one use of the rule. */
  take(serviceName: string, template: JsonObject): RevisionFailure | undefined {
    const rule = this.#rules.find(
      (r) =>
        appliesTo(r.service, serviceName) && (r.templateMatch === undefined || contains(template, r.templateMatch)),
    );
    if (!rule) return undefined;
    if (rule.times !== undefined) {
      rule.times -= 1;
      if (rule.times <= 0) this.#rules = this.#rules.filter((r) => r !== rule);
    }
    return { reason: rule.reason, message: rule.message };
  }
}

function appliesTo(service: string | undefined, serviceName: string): boolean {
  return service === undefined || service === serviceName || serviceName.endsWith(`/services/${service}`);
}

/** Deep partial match: objects by the keys of `pattern`, lists element by element. */
export function contains(value: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) {
    return Array.isArray(value) && pattern.every((item, i) => contains(value[i], item));
  }
  if (pattern !== null && typeof pattern === "object") {
    if (value === null || typeof value !== "object") return false;
    return Object.entries(pattern).every(([key, item]) => contains((value as JsonObject)[key], item));
  }
  return value === pattern;
}
