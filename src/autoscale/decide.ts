// The connector autoscaling decision, HPA-style and pure: given the utilization of the last
// stabilization window, the policy and the connector's live size, say whether to raise maxInstances
// (minInstances only where the policy asks for warm capacity), move up the machine-type ladder, or hold.
// Connectors cannot scale in, so sustained low load only yields an "overprovisioned" recommendation.

import { readWindow, type UtilizationSample, type WindowSummary } from "./window.ts";

export type { UtilizationSample, WindowSummary };

/** Throughput one connector instance carries, per machine type (Mbps). */
export const MACHINE_CAPACITY_MBPS: Readonly<Record<string, number>> = {
  "f1-micro": 50,
  "e2-micro": 100,
  "e2-standard-4": 1600,
};

export const MAX_CONNECTOR_INSTANCES = 10;
export const MIN_CONNECTOR_INSTANCES = 2;
/** HPA's tolerance: no change while utilization is within 10% of the target. */
export const TOLERANCE = 0.1;
/** Keeps exact boundaries (0.66 / 0.6) from flipping on floating-point noise. */
const FLOAT_SLACK = 1e-9;

export interface AutoscalingPolicy {
  pollIntervalMs: number;
  scaleUpThreshold: number;
  targetUtilization: number;
  scaleDownThreshold: number;
  stabilizationWindowMs: number;
  cooldownMs: number;
  maxStep: number;
  ceiling: number;
  machineTypeLadder: readonly string[];
  /**
   * Also raise minInstances with sustained load (warm capacity). Off unless asked for: a connector never
   * scales in, so a raised minimum is paid for forever, and Google already adds instances between min and
   * max by itself.
   */
  raiseMinInstances: boolean;
}

export interface ConnectorSize {
  machineType: string;
  minInstances: number;
  maxInstances: number;
}

export interface LiveConnector extends ConnectorSize {
  /** Instances running now: the capacity the utilization samples were measured against. */
  instances: number;
}

export interface DecisionInput {
  samples: readonly UtilizationSample[];
  policy: AutoscalingPolicy;
  live: LiveConnector;
  /** The spec's own size: never recommended below. */
  floors: ConnectorSize;
  lastScaleTime?: number;
  now: number;
}

export type ScaleAction = "hold" | "scaleUp" | "changeMachineType" | "overprovisioned";

export interface ScaleDecision {
  action: ScaleAction;
  /** CamelCase, for conditions and events. */
  reason: string;
  message: string;
  from: ConnectorSize;
  to: ConnectorSize;
  utilization?: WindowSummary;
  threshold?: number;
}

export function decideScale(input: DecisionInput): ScaleDecision {
  validatePolicy(input.policy);
  validateLive(input.live);
  const { policy, live, floors, now } = input;
  const from = sizeOf(live);
  const hold = (reason: string, message: string, extra: Partial<ScaleDecision> = {}): ScaleDecision => ({
    action: "hold",
    reason,
    message,
    from,
    to: from,
    ...extra,
  });

  const reading = readWindow(input.samples, now, policy.stabilizationWindowMs, policy.pollIntervalMs);
  if (!reading.ok) return hold("MetricsUnavailable", `no scaling without complete metrics: ${reading.problem}`);
  const utilization = reading.summary;
  const pct = (value: number) => `${Math.round(value * 100)}%`;
  const window = `${Math.round(policy.stabilizationWindowMs / 1000)}s`;

  if (utilization.max < policy.scaleDownThreshold) {
    return overprovisioned(input, utilization, hold);
  }
  if (utilization.min <= policy.scaleUpThreshold) {
    const reason = utilization.max > policy.scaleUpThreshold ? "NotSustained" : "WithinThresholds";
    return hold(
      reason,
      `utilization ${pct(utilization.min)}..${pct(utilization.max)} over ${window}; scale-up needs every sample above ${pct(policy.scaleUpThreshold)}`,
      {
        utilization,
        threshold: policy.scaleUpThreshold,
      },
    );
  }
  const context = { utilization, threshold: policy.scaleUpThreshold };
  const ratio = utilization.min / policy.targetUtilization;
  if (Math.abs(ratio - 1) <= TOLERANCE + FLOAT_SLACK) {
    return hold(
      "WithinTolerance",
      `sustained utilization ${pct(utilization.min)} is within 10% of the ${pct(policy.targetUtilization)} target`,
      context,
    );
  }
  if (input.lastScaleTime !== undefined && now - input.lastScaleTime < policy.cooldownMs) {
    const left = Math.ceil((policy.cooldownMs - (now - input.lastScaleTime)) / 1000);
    return hold(
      "Cooldown",
      `sustained utilization ${pct(utilization.min)}, but the last change was less than ${Math.round(policy.cooldownMs / 1000)}s ago (${left}s left)`,
      context,
    );
  }

  const desired = Math.ceil(live.instances * ratio);
  if (desired <= live.maxInstances) {
    return hold(
      "ConnectorCanGrow",
      `${desired} instances carry the load at target; the connector adds instances itself up to ${live.maxInstances}`,
      context,
    );
  }
  const ceiling = policy.ceiling;
  if (live.maxInstances >= ceiling) return nextMachineType(input, context, hold);

  const maxInstances = Math.max(floors.maxInstances, Math.min(desired, live.maxInstances + policy.maxStep, ceiling));
  const minInstances = policy.raiseMinInstances ? raisedMin(input, desired, maxInstances) : live.minInstances;
  const to = { machineType: live.machineType, minInstances, maxInstances };
  const minNote = minInstances > live.minInstances ? `, minInstances ${live.minInstances} -> ${minInstances}` : "";
  return {
    action: "scaleUp",
    reason: "SustainedHighUtilization",
    message: `utilization above ${pct(policy.scaleUpThreshold)} for ${window} (at least ${pct(utilization.min)}): maxInstances ${live.maxInstances} -> ${maxInstances}${minNote} (wanted ${desired})`,
    from,
    to,
    ...context,
  };
}

/** minInstances rises to what the sustained load needs at target, within maxStep, below the new max, at most 9. */
function raisedMin({ live, floors, policy }: DecisionInput, needed: number, newMax: number): number {
  const target = Math.min(needed, live.minInstances + policy.maxStep, newMax - 1, MAX_CONNECTOR_INSTANCES - 1);
  return Math.max(live.minInstances, floors.minInstances, MIN_CONNECTOR_INSTANCES, target);
}

function nextMachineType(
  input: DecisionInput,
  context: Pick<ScaleDecision, "utilization" | "threshold">,
  hold: HoldFn,
): ScaleDecision {
  const { live, policy } = input;
  const rung = policy.machineTypeLadder.indexOf(live.machineType);
  const next = rung >= 0 ? policy.machineTypeLadder[rung + 1] : undefined;
  if (rung < 0) {
    return hold(
      "MachineTypeNotOnLadder",
      `at the ceiling of ${policy.ceiling} instances and ${live.machineType} is not on the machine type ladder`,
      context,
    );
  }
  if (next === undefined) {
    return hold(
      "AtCeiling",
      `at the ceiling of ${policy.ceiling} instances on the largest machine type ${live.machineType}; consider a second connector`,
      context,
    );
  }
  const fromMbps = MACHINE_CAPACITY_MBPS[live.machineType] ?? 0;
  const toMbps = MACHINE_CAPACITY_MBPS[next] ?? 0;
  return {
    action: "changeMachineType",
    reason: "AtCeilingStillHot",
    message: `at the ceiling of ${policy.ceiling} instances and still above target: machine type ${live.machineType} (${fromMbps} Mbps) -> ${next} (${toMbps} Mbps per instance), instance counts kept`,
    from: sizeOf(live),
    to: { ...sizeOf(live), machineType: next },
    ...context,
  };
}

function overprovisioned(
  { live, floors, policy }: DecisionInput,
  utilization: WindowSummary,
  hold: HoldFn,
): ScaleDecision {
  const needed = Math.ceil((live.instances * utilization.max) / policy.targetUtilization);
  const minInstances = Math.max(MIN_CONNECTOR_INSTANCES, floors.minInstances);
  const maxInstances = Math.max(minInstances + 1, floors.maxInstances, needed);
  const to = { machineType: live.machineType, minInstances, maxInstances };
  const context = { utilization, threshold: policy.scaleDownThreshold };
  if (to.minInstances >= live.minInstances && to.maxInstances >= live.maxInstances) {
    return hold(
      "AtMinimumSize",
      `utilization below ${Math.round(policy.scaleDownThreshold * 100)}% but the connector is already at its smallest allowed size`,
      context,
    );
  }
  return {
    action: "overprovisioned",
    reason: "SustainedLowUtilization",
    message:
      `utilization at most ${Math.round(utilization.max * 100)}% for the whole window: ${minInstances}-${maxInstances} instances would do; ` +
      "connectors cannot scale in, so shrinking means replacing the connector (no action taken)",
    from: sizeOf(live),
    to,
    ...context,
  };
}

type HoldFn = (reason: string, message: string, extra?: Partial<ScaleDecision>) => ScaleDecision;

function sizeOf(size: ConnectorSize): ConnectorSize {
  return { machineType: size.machineType, minInstances: size.minInstances, maxInstances: size.maxInstances };
}

function validatePolicy(policy: AutoscalingPolicy): void {
  const fraction = (field: keyof AutoscalingPolicy, value: number) => {
    if (!(value > 0 && value <= 1)) throw new Error(`autoscaling.${field} must be a fraction in (0, 1], got ${value}`);
  };
  fraction("scaleDownThreshold", policy.scaleDownThreshold);
  fraction("targetUtilization", policy.targetUtilization);
  fraction("scaleUpThreshold", policy.scaleUpThreshold);
  if (!(policy.scaleDownThreshold < policy.targetUtilization && policy.targetUtilization < policy.scaleUpThreshold)) {
    throw new Error(
      `autoscaling thresholds must satisfy scaleDownThreshold < targetUtilization < scaleUpThreshold, got ${policy.scaleDownThreshold} < ${policy.targetUtilization} < ${policy.scaleUpThreshold}`,
    );
  }
  for (const field of ["pollIntervalMs", "stabilizationWindowMs"] as const) {
    if (!(policy[field] > 0)) throw new Error(`autoscaling.${field} must be a positive duration, got ${policy[field]}`);
  }
  if (!(policy.cooldownMs >= 0))
    throw new Error(`autoscaling.cooldownMs must be a duration >= 0, got ${policy.cooldownMs}`);
  if (!(Number.isInteger(policy.maxStep) && policy.maxStep >= 1))
    throw new Error(`autoscaling.maxStep must be an integer >= 1, got ${policy.maxStep}`);
  if (!(Number.isInteger(policy.ceiling) && policy.ceiling >= 3 && policy.ceiling <= MAX_CONNECTOR_INSTANCES)) {
    throw new Error(
      `autoscaling.ceiling must be an integer from 3 to ${MAX_CONNECTOR_INSTANCES}, got ${policy.ceiling}`,
    );
  }
  let previous = 0;
  for (const [i, machineType] of policy.machineTypeLadder.entries()) {
    const capacity = MACHINE_CAPACITY_MBPS[machineType];
    if (capacity === undefined) {
      throw new Error(
        `autoscaling.machineTypeLadder[${i}] must be one of ${Object.keys(MACHINE_CAPACITY_MBPS).join(", ")}, got ${JSON.stringify(machineType)}`,
      );
    }
    if (capacity <= previous)
      throw new Error(
        `autoscaling.machineTypeLadder must go from smaller to larger machine types; ${machineType} at [${i}] is not larger`,
      );
    previous = capacity;
  }
}

function validateLive(live: LiveConnector): void {
  for (const field of ["instances", "minInstances", "maxInstances"] as const) {
    if (!(Number.isInteger(live[field]) && live[field] >= 0))
      throw new Error(`live connector ${field} must be an integer >= 0, got ${live[field]}`);
  }
  if (live.minInstances >= live.maxInstances) {
    throw new Error(
      `live connector minInstances (${live.minInstances}) must be below maxInstances (${live.maxInstances})`,
    );
  }
}
