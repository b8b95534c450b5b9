// The policy pass of `driftguard validate`: ServiceConfigPolicy objects and Namespace labels found in the
// same tree judge every CloudRunServiceConfig and VpcConnectorConfig there, as the controller would.

import { API_VERSION } from "../api/common.ts";
import { PolicySet, POLICY_KIND } from "../policy/set.ts";

export interface FoundObject {
  file: string;
  object: unknown;
}

export interface PolicyOutcome {
  /** Objects a Deny rule refuses. */
  denied: number;
  /** Policies that are not in force because they do not compile beyond the schema (unknown field, contradiction). */
  brokenPolicies: number;
}

interface Meta {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown; labels?: Record<string, string> };
  spec?: unknown;
}

/** Namespace labels from the tree, overridden by `--namespace-label NAMESPACE:KEY=VALUE` options. */
export function namespaceLabelsOf(
  objects: readonly FoundObject[],
  overrides: readonly string[],
): Map<string, Record<string, string>> {
  const labels = new Map<string, Record<string, string>>();
  for (const { object } of objects) {
    const o = object as Meta;
    if (o?.apiVersion === "v1" && o.kind === "Namespace" && typeof o.metadata?.name === "string") {
      labels.set(o.metadata.name, { ...(o.metadata.labels ?? {}) });
    }
  }
  for (const option of overrides) {
    const match = /^([^:]+):([^=]+)=(.*)$/.exec(option);
    if (!match) throw new Error(`--namespace-label must be NAMESPACE:KEY=VALUE, got ${JSON.stringify(option)}`);
    const [, namespace = "", key = "", value = ""] = match;
    labels.set(namespace, { ...(labels.get(namespace) ?? {}), [key]: value });
  }
  return labels;
}

export interface PolicyCheckOptions {
  /** Namespace of objects that name none, as kubectl -n gives it. */
  defaultNamespace: string;
  /** `--namespace-label NAMESPACE:KEY=VALUE` options. */
  namespaceLabels: readonly string[];
}

export function checkPolicies(
  objects: readonly FoundObject[],
  options: PolicyCheckOptions,
  print: (line: string) => void,
): PolicyOutcome {
  const policies = objects.filter(({ object }) => {
    const o = object as Meta;
    return o?.apiVersion === API_VERSION && o.kind === POLICY_KIND;
  });
  const set = new PolicySet(policies.map((p) => p.object));
  const outcome: PolicyOutcome = { denied: 0, brokenPolicies: 0 };
  for (const { file, object } of policies) {
    const name = nameOf(object as Meta);
    const problems = set.broken.get(name);
    if (!problems) continue;
    outcome.brokenPolicies += 1;
    for (const problem of problems) print(`${file}: ${POLICY_KIND}/${name}: not in force: ${problem}`);
  }
  if (set.inForce.length === 0) return outcome;
  const labels = namespaceLabelsOf(objects, options.namespaceLabels);
  const unlabelled = new Set<string>();
  for (const { file, object } of objects) {
    const o = object as Meta;
    if (o?.apiVersion !== API_VERSION || typeof o.kind !== "string" || o.kind === POLICY_KIND) continue;
    const namespace = typeof o.metadata?.namespace === "string" ? o.metadata.namespace : options.defaultNamespace;
    if (!labels.has(namespace)) unlabelled.add(namespace);
    const judgement = set.judgeRaw(o.kind, labels.get(namespace), o.spec);
    if (!judgement) continue;
    const label = `${o.kind}/${namespace}/${nameOf(o)}`;
    for (const d of judgement.denials) print(`${file}: ${label}: PolicyViolation: ${d.message}`);
    for (const w of judgement.warnings) print(`${file}: ${label}: warning: ${w.message}`);
    if (judgement.denials.length > 0) outcome.denied += 1;
  }
  for (const namespace of [...unlabelled].sort()) {
    print(
      `note: no Namespace manifest for "${namespace}" here, so policies that select namespaces by label do not see ` +
        `its objects; add the Namespace or --namespace-label ${namespace}:KEY=VALUE`,
    );
  }
  return outcome;
}

function nameOf(object: Meta): string {
  const name = object.metadata?.name;
  return typeof name === "string" ? name : "(unnamed)";
}
