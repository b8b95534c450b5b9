// The policies in force, built from whatever holds them (a directory, the cluster's cache), with the
// ones that do not compile kept apart with their problems: they judge nothing until fixed.

import { CloudRunServiceConfigSpec } from "../api/cloudrun.ts";
import { VpcConnectorConfigSpec } from "../api/connector.ts";
import { compilePolicy, type CompiledPolicy } from "./compile.ts";
import { judgeSpec, type Judgement } from "./evaluate.ts";
import type { PolicyKind } from "./fields.ts";

export const POLICY_KIND = "ServiceConfigPolicy";

/** Where policies live in the cluster (cluster-scoped). */
export const POLICY_RESOURCE = {
  group: "driftguard.dev",
  version: "v1alpha1",
  plural: "serviceconfigpolicies",
  kind: POLICY_KIND,
} as const;

export class PolicySet {
  readonly inForce: readonly CompiledPolicy[];
  /** Policy name → why it is not in force. */
  readonly broken: ReadonlyMap<string, string[]>;

  constructor(policyObjects: readonly unknown[]) {
    const inForce: CompiledPolicy[] = [];
    const broken = new Map<string, string[]>();
    for (const object of policyObjects) {
      const result = compilePolicy(object);
      if (result.ok) inForce.push(result.policy);
      else broken.set(result.name, result.problems);
    }
    this.inForce = inForce;
    this.broken = broken;
  }

  get size(): number {
    return this.inForce.length + this.broken.size;
  }

  /** Judges a spec that already passed its kind's schema (defaults applied). */
  judge(kind: PolicyKind, namespaceLabels: Record<string, string> | undefined, spec: unknown): Judgement {
    return judgeSpec(this.inForce, kind, namespaceLabels, spec as Record<string, unknown>);
  }

  /** Judges a raw spec: parsed with the kind's schema first; a spec that does not parse is judged by nothing. */
  judgeRaw(kind: string, namespaceLabels: Record<string, string> | undefined, rawSpec: unknown): Judgement | undefined {
    const schema =
      kind === "CloudRunServiceConfig"
        ? CloudRunServiceConfigSpec
        : kind === "VpcConnectorConfig"
          ? VpcConnectorConfigSpec
          : undefined;
    const parsed = schema?.safeParse(rawSpec);
    if (!parsed?.success) return undefined;
    return this.judge(kind as PolicyKind, namespaceLabels, parsed.data);
  }
}

export const noPolicies = new PolicySet([]);
