// Keeps each ServiceConfigPolicy's own status true: whether it is in force (Ready, or the problems that
// keep it out of force), what it selects and how many objects violate it now. Runs on the leader only,
// re-judges only when a policy, a namespace's labels or a spec generation changed, and writes only what differs.

import type { Logger } from "pino";
import type { ManagedObject, ResourceType } from "../kinds/kind.ts";
import { selects, selectorText } from "../policy/selector.ts";
import { PolicySet, POLICY_RESOURCE } from "../policy/set.ts";
import { sameJson } from "../kube/status.ts";
import type { DesiredStateSource } from "../sources/source.ts";
import { setCondition, type Condition } from "./conditions.ts";

export interface PolicyStatusOptions {
  source: DesiredStateSource;
  /** The managed kinds whose objects policies judge. */
  resources: ResourceType[];
  log: Logger;
  intervalMs?: number;
  /** Only the leader writes; checked before every write. */
  mayWrite?: () => boolean;
  now?: () => Date;
}

export class PolicyStatusReporter {
  #o: Required<Omit<PolicyStatusOptions, "mayWrite">> & Pick<PolicyStatusOptions, "mayWrite">;
  #timer: NodeJS.Timeout | undefined;
  #lastInputs = "";
  #running: Promise<void> | undefined;

  constructor(options: PolicyStatusOptions) {
    this.#o = { intervalMs: 10_000, now: () => new Date(), ...options };
  }

  start(): void {
    const tick = () => {
      this.#running ??= this.report()
        .catch((err: unknown) => this.#o.log.warn({ err }, "policy status report failed"))
        .finally(() => (this.#running = undefined));
    };
    tick();
    this.#timer = setInterval(tick, this.#o.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** Judges every object against every policy and writes each policy's status where it changed. */
  async report(): Promise<void> {
    const { source } = this.#o;
    const policies = source.policies();
    const objects = this.#o.resources.flatMap((r) => source.list(r).map((o) => ({ kind: r.kind, object: o })));
    const namespaces = [...new Set(objects.map(({ object }) => object.metadata?.namespace ?? ""))].sort();
    const labels = new Map(namespaces.map((ns) => [ns, source.namespaceLabels(ns)]));
    const inputs = JSON.stringify([
      policies.map((p) => [p.metadata?.name, p.metadata?.generation, p.status]),
      [...labels],
      objects.map(({ object }) => [object.metadata?.uid, object.metadata?.generation]),
    ]);
    if (inputs === this.#lastInputs) return;
    for (const policy of policies) {
      if (this.#o.mayWrite && !this.#o.mayWrite()) return;
      await this.#writeOne(policy, objects, labels);
    }
    this.#lastInputs = inputs;
  }

  async #writeOne(
    policy: ManagedObject,
    objects: Array<{ kind: string; object: ManagedObject }>,
    labels: Map<string, Record<string, string> | undefined>,
  ): Promise<void> {
    const name = policy.metadata?.name ?? "";
    const set = new PolicySet([policy]);
    const compiled = set.inForce[0];
    const previous = policy.status ?? {};
    const now = this.#o.now();
    let conditions = (previous.conditions as Condition[] | undefined) ?? [];
    const generation = policy.metadata?.generation ?? 0;
    const status: Record<string, unknown> = { observedGeneration: generation };
    if (!compiled) {
      const problems = set.broken.get(name) ?? [];
      conditions = setCondition(
        conditions,
        {
          type: "Ready",
          status: "False",
          reason: "InvalidPolicy",
          message: problems.join("; ").slice(0, 32_000),
          observedGeneration: generation,
        },
        now,
      );
      Object.assign(status, { conditions, problems: problems.slice(0, 50) });
    } else {
      const selected = [...labels.values()].filter((l) => l !== undefined && selects(compiled.selector, l));
      const violations = objects.filter(({ kind, object }) => {
        const judgement = set.judgeRaw(kind, labels.get(object.metadata?.namespace ?? ""), object.spec);
        return judgement !== undefined && judgement.denials.length + judgement.warnings.length > 0;
      }).length;
      const message = `${compiled.rules.length} rule(s) in force; ${violations} object(s) in violation`;
      conditions = setCondition(
        conditions,
        { type: "Ready", status: "True", reason: "InForce", message, observedGeneration: generation },
        now,
      );
      Object.assign(status, {
        conditions,
        selector: selectorText(compiled.selector),
        ruleCount: compiled.rules.length + (compiled.startupBudget ? 1 : 0),
        namespaces: selected.length,
        violations,
      });
    }
    const { lastChangeTime: _time, ...before } = previous;
    const changed = !sameJson(before, status);
    status.lastChangeTime = changed ? now.toISOString().replace(/\.\d{3}Z$/, "Z") : previous.lastChangeTime;
    if (!changed) return;
    await this.#o.source.writeStatus(POLICY_RESOURCE, policy, status);
  }
}
