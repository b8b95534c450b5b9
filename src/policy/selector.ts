// metav1.LabelSelector semantics for a policy's namespaceSelector: every matchLabels entry and every
// matchExpressions requirement must hold; an empty selector selects everything.

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }>;
}

export function selects(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const has = (key: string) => labels !== undefined && Object.hasOwn(labels, key);
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels?.[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const value = labels?.[key];
    if (operator === "In" && !(has(key) && values.includes(value ?? ""))) return false;
    if (operator === "NotIn" && has(key) && values.includes(value ?? "")) return false;
    if (operator === "Exists" && !has(key)) return false;
    if (operator === "DoesNotExist" && has(key)) return false;
  }
  return true;
}

/** The selector as kubectl writes one: "environment=production,tier in (a,b)". */
export function selectorText(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    if (operator === "Exists") parts.push(key);
    else if (operator === "DoesNotExist") parts.push(`!${key}`);
    else parts.push(`${key} ${operator === "In" ? "in" : "notin"} (${values.join(",")})`);
  }
  return parts.length > 0 ? parts.join(",") : "(all namespaces)";
}

/** Problems a selector has that the schema cannot see (values with Exists, none with In). */
export function selectorProblems(selector: LabelSelector): string[] {
  return (selector.matchExpressions ?? []).flatMap(({ key, operator, values = [] }, i) => {
    const where = `spec.namespaceSelector.matchExpressions[${i}] (${key})`;
    if ((operator === "In" || operator === "NotIn") && values.length === 0)
      return [`${where}: ${operator} needs values`];
    if ((operator === "Exists" || operator === "DoesNotExist") && values.length > 0) {
      return [`${where}: ${operator} takes no values`];
    }
    return [];
  });
}
