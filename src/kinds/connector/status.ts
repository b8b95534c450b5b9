// The connector's status fields, rendered so that a quiet resync writes nothing: utilization is rounded
// to whole percents and keeps its `sampledAt` while the rounded values stay put, and the last decision
// keeps its time while the decision (action, reason, sizes) is the same one.

import type { ConnectorSize, ScaleDecision, UtilizationSample } from "../../autoscale/decide.ts";
import { readWindow, utilizationOf } from "../../autoscale/window.ts";
import { SIZE_FIELDS, type PartialSize } from "./size.ts";

export interface UtilizationStatus {
  cpu: number;
  throughput: number;
  sampledAt: string;
}

export interface DecisionStatus {
  action: "ScaleUp" | "Hold";
  reason: string;
  from: ConnectorSize;
  to: ConnectorSize;
  samples?: { count: number; mean: number; max: number };
  threshold?: number;
  at: string;
}

export interface AutoscalingStatus {
  lastScaleTime?: string;
  lastDecision?: DecisionStatus;
  raised?: PartialSize;
}

/** What the kind reads back from the status it wrote earlier (defensively: status is user-visible). */
export interface PreviousStatus {
  autoscaling: AutoscalingStatus;
  utilization?: UtilizationStatus;
  liveInstances?: number;
  conditions: Array<{ type: string; status: string; reason?: string; message?: string }>;
}

type Bag = Record<string, unknown>;
const isBag = (value: unknown): value is Bag => typeof value === "object" && value !== null && !Array.isArray(value);

export function readPreviousStatus(status: Bag | undefined): PreviousStatus {
  const autoscaling = isBag(status?.autoscaling) ? status.autoscaling : {};
  const utilization = isBag(status?.utilization) ? status.utilization : undefined;
  const live = isBag(status?.live) ? status.live : {};
  const raised = readSize(autoscaling.raised);
  return {
    autoscaling: {
      ...(typeof autoscaling.lastScaleTime === "string" ? { lastScaleTime: autoscaling.lastScaleTime } : {}),
      ...(isBag(autoscaling.lastDecision)
        ? { lastDecision: autoscaling.lastDecision as unknown as DecisionStatus }
        : {}),
      ...(raised ? { raised } : {}),
    },
    ...(utilization && typeof utilization.sampledAt === "string"
      ? { utilization: utilization as unknown as UtilizationStatus }
      : {}),
    ...(typeof live.instances === "number" ? { liveInstances: live.instances } : {}),
    conditions: Array.isArray(status?.conditions) ? (status.conditions as PreviousStatus["conditions"]) : [],
  };
}

/** Only well-formed fields of a stored size; anything else is ignored rather than trusted. */
function readSize(value: unknown): PartialSize | undefined {
  if (!isBag(value)) return undefined;
  const size: PartialSize = {};
  for (const field of SIZE_FIELDS) {
    const v = value[field];
    if (field === "machineType" ? typeof v === "string" && v !== "" : Number.isInteger(v)) {
      Object.assign(size, { [field]: v });
    }
  }
  return Object.keys(size).length > 0 ? size : undefined;
}

export function roundRatio(value: number): number {
  return Math.round(value * 100) / 100;
}

/** `utilization` and `utilizationPercent` for a sample; unchanged rounded values keep the earlier sampledAt. */
export function renderUtilization(
  sample: Pick<UtilizationSample, "cpu" | "throughput">,
  at: Date,
  previous: UtilizationStatus | undefined,
): { utilization: UtilizationStatus; utilizationPercent: string } {
  const cpu = roundRatio(sample.cpu);
  const throughput = roundRatio(sample.throughput);
  const unchanged = previous && previous.cpu === cpu && previous.throughput === throughput;
  const utilization = unchanged ? previous : { cpu, throughput, sampledAt: at.toISOString() };
  return { utilization, utilizationPercent: `${Math.round(Math.max(cpu, throughput) * 100)}%` };
}

/** The summary behind a decision: the samples of the window (from the one at its start), mean and max. */
export function summariseWindow(
  samples: readonly UtilizationSample[],
  now: number,
  windowMs: number,
  pollIntervalMs: number,
): { count: number; mean: number; max: number } | undefined {
  if (!readWindow(samples, now, windowMs, pollIntervalMs).ok) return undefined;
  const sorted = samples.filter((s) => s.at <= now).sort((a, b) => a.at - b.at);
  const anchor = sorted.findLastIndex((s) => s.at <= now - windowMs);
  const values = sorted.slice(Math.max(anchor, 0)).map((s) => utilizationOf(s) ?? 0);
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  return { count: values.length, mean: roundRatio(mean), max: roundRatio(Math.max(...values)) };
}

/**
 * The lastDecision entry. Raises are "ScaleUp"; holds, including the overprovisioned recommendation
 * (nothing is changed), are "Hold" with the size kept. An identical decision keeps its earlier entry.
 */
export function renderDecision(
  decision: ScaleDecision,
  summary: DecisionStatus["samples"],
  at: Date,
  previous: DecisionStatus | undefined,
): DecisionStatus {
  const raises = decision.action === "scaleUp" || decision.action === "changeMachineType";
  const next: DecisionStatus = {
    action: raises ? "ScaleUp" : "Hold",
    reason: decision.reason,
    from: { ...decision.from },
    to: raises ? { ...decision.to } : { ...decision.from },
    ...(summary ? { samples: summary } : {}),
    ...(decision.threshold === undefined ? {} : { threshold: decision.threshold }),
    at: at.toISOString(),
  };
  const same =
    previous !== undefined &&
    previous.action === next.action &&
    previous.reason === next.reason &&
    sameSize(previous.from, next.from) &&
    sameSize(previous.to, next.to);
  return same ? previous : next;
}

function sameSize(a: ConnectorSize | undefined, b: ConnectorSize): boolean {
  return a !== undefined && SIZE_FIELDS.every((field) => a[field] === b[field]);
}

/** The autoscaling status object without unset fields (so an unchanged status compares equal). */
export function renderAutoscaling(status: AutoscalingStatus): AutoscalingStatus {
  return {
    ...(status.lastScaleTime ? { lastScaleTime: status.lastScaleTime } : {}),
    ...(status.lastDecision ? { lastDecision: status.lastDecision } : {}),
    ...(status.raised ? { raised: status.raised } : {}),
  };
}
