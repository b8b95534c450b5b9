// The VpcConnectorConfig kind: reads the live connector, compares it with the spec's sizes plus what
// autoscaling raised, refuses anything that would need a smaller connector, and otherwise patches exactly
// the differing fields. With autoscaling enabled, every poll reads utilization and may raise the
// connector; the raise becomes a diff the reconciler applies and follows like any other update.

import { VpcConnectorConfigSpec, type VpcConnectorConfigSpec as Spec } from "../../api/connector.ts";
import type { ConnectorSize } from "../../autoscale/decide.ts";
import type { ConnectorMetrics } from "../../gcp/monitoring.ts";
import type { ConnectorState, VpcAccessApi } from "../../gcp/vpcaccess.ts";
import type { Blocked, KindContext, ManagedKind, Observation, OperationState, ProjectReference } from "../kind.ts";
import { parseSpecWith } from "../spec.ts";
import { ConnectorAutoscaler, type AutoscalingHooks } from "./autoscale.ts";
import { connectorFullName, connectorResource } from "./resource.ts";
import { SampleStore } from "./samples.ts";
import {
  adoptableRaise,
  appliedSize,
  compareSize,
  effectiveSize,
  pruneRaised,
  replacementMessage,
  specSize,
  SIZE_FIELDS,
  type PartialSize,
  type SizeField,
} from "./size.ts";
import { readPreviousStatus, renderAutoscaling, type PreviousStatus } from "./status.ts";

export interface ConnectorKindOptions extends AutoscalingHooks {
  /** Where utilization samples are kept between polls; one per controller. */
  samples?: SampleStore;
}

const AUTOSCALING_CONDITIONS = ["MetricsUnavailable", "Overprovisioned"];

export class ConnectorKind implements ManagedKind<Spec> {
  readonly resource = connectorResource;
  readonly #api: VpcAccessApi;
  readonly #autoscaler: ConnectorAutoscaler;
  /**
   * The size observe computed (the target over the live connector), carried to update so the PATCH writes
   * exactly that: the changed fields, plus the unchanged instance bound Google wants beside a changed one.
   */
  readonly #carried = new WeakMap<Observation, ConnectorSize>();

  constructor(api: VpcAccessApi, metrics: ConnectorMetrics, options: ConnectorKindOptions = {}) {
    this.#api = api;
    this.#autoscaler = new ConnectorAutoscaler(metrics, options.samples ?? new SampleStore(), options);
  }

  parseSpec(raw: unknown) {
    return parseSpecWith(VpcConnectorConfigSpec, raw);
  }

  referencedProjects(spec: Spec): ProjectReference[] {
    return [{ field: "spec.connector.project", project: spec.connector.project }];
  }

  targetName(spec: Spec): string {
    return connectorFullName(spec.connector);
  }

  admit(): Blocked | undefined {
    return undefined;
  }

  async observe(ctx: KindContext<Spec>): Promise<Observation> {
    const { spec } = ctx;
    const name = this.targetName(spec);
    const connector = await this.#api.getConnector(name);
    const live: ConnectorSize = {
      machineType: connector.machineType,
      minInstances: connector.minInstances,
      maxInstances: connector.maxInstances,
    };
    const previous = readPreviousStatus(ctx.object.status);
    const declared = specSize(spec);
    const remembered = pruneRaised(declared, previous.autoscaling.raised);
    const adopted = adoptableRaise(declared, remembered, live, spec.autoscaling);
    const raised = adopted ?? remembered;
    const autoscaling = renderAutoscaling({
      ...previous.autoscaling,
      ...(raised ? { raised } : { raised: undefined }),
    });
    const instances = spec.autoscaling.enabled ? previous.liveInstances : undefined;
    const status = { state: connector.state, live: liveStatus(live, instances), autoscaling };

    if (connector.state !== "READY") return { diffs: [], status, notReady: notReady(name, connector.state) };
    const adoptedEvents = adopted ? [adoptionEvent(name, remembered, adopted)] : [];
    const target = effectiveSize(declared, raised);
    const { diffs, decreases } = compareSize(target, live);
    if (decreases.length > 0) {
      const message = replacementMessage(name, decreases);
      const reported = previous.conditions.some(
        (c) => c.type === "Synced" && c.reason === "ReplacementRequired" && c.message === message,
      );
      return {
        diffs: [],
        status,
        blocked: { reason: "ReplacementRequired", message },
        events: reported ? [] : [{ type: "Warning", reason: "ReplacementRequired", note: message }],
      };
    }
    const invalid = sizeConflict(appliedSize(target, live), declared);
    if (invalid) return { diffs: [], status, blocked: { reason: "InvalidSpec", message: invalid } };
    if (diffs.length > 0) return this.#carry({ diffs, status, events: adoptedEvents }, appliedSize(target, live));
    if (!spec.autoscaling.enabled) return { diffs, status, conditions: autoscalingDisabled(previous) };

    const outcome = await this.#autoscaler.run({
      key: ctx.key,
      target: spec.connector,
      name,
      spec,
      live,
      previous: { ...previous, autoscaling },
      now: ctx.now,
    });
    const scaledTarget = effectiveSize(declared, outcome.status?.autoscaling.raised ?? raised);
    // A raise only grows fields, so it never needs a replacement.
    const raises = compareSize(scaledTarget, live).diffs;
    return this.#carry(
      {
        diffs: raises,
        ...(raises.length > 0 ? { diffCause: "Autoscaling" as const } : {}),
        status: { ...status, ...outcome.status, live: liveStatus(live, outcome.instances ?? instances) },
        conditions: outcome.conditions,
        events: [...adoptedEvents, ...outcome.events],
        requeueAfterMs: outcome.requeueAfterMs,
      },
      appliedSize(scaledTarget, live),
    );
  }

  async update(ctx: KindContext<Spec>, observation: Observation): Promise<string> {
    const target = this.#carried.get(observation);
    if (!target) throw new Error("update called without a fresh observation");
    const mask = observation.diffs.map((diff) => diff.field as SizeField);
    return await this.#api.patchConnector(this.targetName(ctx.spec), target, mask);
  }

  async checkOperation(operationName: string): Promise<OperationState> {
    const operation = await this.#api.getOperation(operationName);
    if (!operation.done) return { done: false };
    return operation.error === undefined ? { done: true } : { done: true, error: operation.error };
  }

  #carry(observation: Observation, target: ConnectorSize): Observation {
    this.#carried.set(observation, target);
    return observation;
  }
}

/** Announces raises read back from the connector (after the config was re-created), once. */
function adoptionEvent(
  name: string,
  before: PartialSize | undefined,
  adopted: PartialSize,
): NonNullable<Observation["events"]>[number] {
  const fields = SIZE_FIELDS.filter((f) => adopted[f] !== undefined && adopted[f] !== before?.[f])
    .map((f) => `${f} ${String(adopted[f])}`)
    .join(", ");
  return {
    type: "Normal",
    reason: "RaiseAdopted",
    note:
      `${name}: live ${fields} lies above the spec within autoscaling's reach (ceiling, machine type ladder); ` +
      "kept as autoscaling's raise (status.autoscaling.raised) rather than treated as a request to shrink",
  };
}

function liveStatus(live: ConnectorSize, instances: number | undefined): Record<string, unknown> {
  return { ...live, ...(instances === undefined ? {} : { instances }) };
}

/** A connector that is not READY is not compared: its size may be mid-change, or it may be broken. */
function notReady(name: string, state: Exclude<ConnectorState, "READY">): NonNullable<Observation["notReady"]> {
  switch (state) {
    case "UPDATING":
      return { reason: "ConnectorUpdating", message: `Connector ${name} is being updated; it is compared once READY` };
    case "CREATING":
      return { reason: "ConnectorCreating", message: `Connector ${name} is still being created` };
    case "DELETING":
      return { reason: "ConnectorDeleting", message: `Connector ${name} is being deleted` };
    case "ERROR":
      return {
        reason: "ConnectorError",
        message:
          `Connector ${name} is in state ERROR: Google reports it in a bad state and recommends deleting it ` +
          "manually and creating it again; driftguard never deletes or recreates connectors",
      };
    case "STATE_UNSPECIFIED":
      return { reason: "ConnectorStateUnknown", message: `Connector ${name} reports no state` };
  }
}

/** minInstances must stay below maxInstances once the owned fields are applied to the live connector. */
function sizeConflict(result: ConnectorSize, declared: PartialSize): string | undefined {
  if (result.minInstances < result.maxInstances) return undefined;
  const hint =
    declared.maxInstances === undefined
      ? "; set spec.maxInstances above it"
      : " (maxInstances includes autoscaling raises)";
  return `spec.minInstances ${result.minInstances} must be below the connector's maxInstances ${result.maxInstances}${hint}`;
}

/** Conditions only autoscaling reports are closed when it is switched off, not left stale. */
function autoscalingDisabled(previous: PreviousStatus): NonNullable<Observation["conditions"]> {
  return previous.conditions
    .filter((c) => AUTOSCALING_CONDITIONS.includes(c.type))
    .map((c) => ({
      type: c.type,
      status: "False",
      reason: "AutoscalingDisabled",
      message: "spec.autoscaling.enabled is false",
    }));
}
