// The connector size driftguard aims for, and how it compares with the live one. The spec's sizes are
// floors; what autoscaling raised sits on top of them, so healing drift never undoes a raise and
// re-applying the same spec does not fight it. Instances only grow in place: a target below the live
// size needs a new connector, which is reported and never attempted.

import { MACHINE_CAPACITY_MBPS, type ConnectorSize } from "../../autoscale/decide.ts";
import type { FieldDiff } from "../kind.ts";

export type SizeField = keyof ConnectorSize;
export const SIZE_FIELDS: readonly SizeField[] = ["machineType", "minInstances", "maxInstances"];

/** A size where unset fields are not owned (the spec is silent and nothing was raised). */
export type PartialSize = Partial<ConnectorSize>;

export interface SizeComparison {
  /** Owned fields whose live value differs and can be changed in place. */
  diffs: FieldDiff[];
  /** Instance counts the target puts below the live connector: only a replacement gets there. */
  decreases: FieldDiff[];
}

/** The machine type with more throughput per instance (`a` when equal or unknown). */
export function largerMachineType(a: string, b: string): string {
  return (MACHINE_CAPACITY_MBPS[b] ?? 0) > (MACHINE_CAPACITY_MBPS[a] ?? 0) ? b : a;
}

/** The spec's sizes combined with autoscaling's raises: the larger of the two for every field. */
export function effectiveSize(spec: PartialSize, raised: PartialSize | undefined): PartialSize {
  const pick = <K extends SizeField>(
    field: K,
    larger: (a: ConnectorSize[K], b: ConnectorSize[K]) => ConnectorSize[K],
  ) => {
    const a = spec[field];
    const b = raised?.[field];
    if (a === undefined) return b;
    return b === undefined ? a : larger(a, b);
  };
  return withoutUnset({
    machineType: pick("machineType", largerMachineType),
    minInstances: pick("minInstances", Math.max),
    maxInstances: pick("maxInstances", Math.max),
  });
}

/**
 * What autoscaling has raised after a resize `from` -> `to`: the fields it grew, on top of earlier raises,
 * keeping only what lies above the spec. Undefined when the spec covers all of it.
 */
export function recordRaise(
  spec: PartialSize,
  previous: PartialSize | undefined,
  change: { from: ConnectorSize; to: ConnectorSize },
): PartialSize | undefined {
  const { from, to } = change;
  const grown = (field: SizeField) =>
    field === "machineType"
      ? largerMachineType(from.machineType, to.machineType) !== from.machineType
      : Number(to[field]) > Number(from[field]);
  const candidate = effectiveSize(
    withoutUnset({
      machineType: grown("machineType") ? to.machineType : undefined,
      minInstances: grown("minInstances") ? to.minInstances : undefined,
      maxInstances: grown("maxInstances") ? to.maxInstances : undefined,
    }),
    previous,
  );
  return pruneRaised(spec, candidate);
}

/** The raised fields that still lie above the spec (a spec raised later covers them); undefined when none. */
export function pruneRaised(spec: PartialSize, raised: PartialSize | undefined): PartialSize | undefined {
  const machineType = raised?.machineType;
  const above = withoutUnset({
    machineType:
      machineType !== undefined &&
      (spec.machineType === undefined || largerMachineType(spec.machineType, machineType) !== spec.machineType)
        ? machineType
        : undefined,
    minInstances: exceeds(raised?.minInstances, spec.minInstances),
    maxInstances: exceeds(raised?.maxInstances, spec.maxInstances),
  });
  return Object.keys(above).length > 0 ? above : undefined;
}

function exceeds(value: number | undefined, floor: number | undefined): number | undefined {
  return value !== undefined && (floor === undefined || value > floor) ? value : undefined;
}

/** Live fields differing from the target; machine types change either way, instance counts only upwards. */
export function compareSize(target: PartialSize, live: ConnectorSize): SizeComparison {
  const diffs: FieldDiff[] = [];
  const decreases: FieldDiff[] = [];
  for (const field of SIZE_FIELDS) {
    const desired = target[field];
    if (desired === undefined || desired === live[field]) continue;
    const diff = { field, desired: String(desired), live: String(live[field]) };
    if (field !== "machineType" && Number(desired) < Number(live[field])) decreases.push(diff);
    else diffs.push(diff);
  }
  return { diffs, decreases };
}

/** The size the connector has once `target` is applied to `live`. */
export function appliedSize(target: PartialSize, live: ConnectorSize): ConnectorSize {
  return { ...live, ...target };
}

/** The spec's declared size fields. */
export function specSize(spec: PartialSize): PartialSize {
  return withoutUnset({
    machineType: spec.machineType,
    minInstances: spec.minInstances,
    maxInstances: spec.maxInstances,
  });
}

/** Why shrinking is refused, with the numbers and what replacing the connector takes. */
export function replacementMessage(connector: string, decreases: FieldDiff[]): string {
  const changes = decreases.map((d) => `${d.field} ${d.live} -> ${d.desired}`).join(", ");
  return (
    `Connector ${connector} cannot shrink in place (${changes}): instance counts only grow. ` +
    "To get the smaller size, create a new connector with it, move the services that use this one to the new " +
    "connector, then delete the old one; or raise the spec back to the live size. Nothing was changed."
  );
}

function withoutUnset(size: PartialSize): PartialSize {
  return Object.fromEntries(Object.entries(size).filter(([, value]) => value !== undefined));
}

/** What of the policy bounds the sizes autoscaling could have produced. */
export interface RaiseReach {
  enabled: boolean;
  ceiling: number;
  machineTypeLadder: readonly string[];
  raiseMinInstances: boolean;
}

/**
 * The raises to remember when the live connector is above the target in ways this policy could have raised
 * it: a maxInstances up to the ceiling, a machine type further up the ladder, a minInstances only where the
 * policy raises it. A re-created VpcConnectorConfig (a GitOps replace, a restore) starts without
 * `status.autoscaling.raised`; what autoscaling did is read back from the connector itself instead of
 * being taken for a request to shrink. Undefined when nothing is adopted.
 */
export function adoptableRaise(
  spec: PartialSize,
  raised: PartialSize | undefined,
  live: ConnectorSize,
  reach: RaiseReach,
): PartialSize | undefined {
  if (!reach.enabled) return undefined;
  const target = effectiveSize(spec, raised);
  const adopted: PartialSize = {};
  if (target.maxInstances !== undefined && live.maxInstances > target.maxInstances) {
    if (live.maxInstances <= reach.ceiling) adopted.maxInstances = live.maxInstances;
  }
  if (target.minInstances !== undefined && live.minInstances > target.minInstances && reach.raiseMinInstances) {
    if (live.minInstances < live.maxInstances) adopted.minInstances = live.minInstances;
  }
  const from = target.machineType === undefined ? -1 : reach.machineTypeLadder.indexOf(target.machineType);
  if (from >= 0 && reach.machineTypeLadder.indexOf(live.machineType) > from) adopted.machineType = live.machineType;
  if (Object.keys(adopted).length === 0) return undefined;
  return pruneRaised(spec, effectiveSize(adopted, raised));
}
