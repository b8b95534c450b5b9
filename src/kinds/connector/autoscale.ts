// One autoscaling step for one connector: read utilization, keep the window's samples, run the pure
// decision and turn it into status, conditions and events. A raise is only recorded here (as
// `autoscaling.raised`); the kind turns it into diffs that the reconciler applies like any other change.

import type { VpcConnectorConfigSpec } from "../../api/connector.ts";
import { parseDuration } from "../../api/duration.ts";
import {
  decideScale,
  type AutoscalingPolicy,
  type ConnectorSize,
  type ScaleAction,
  type ScaleDecision,
} from "../../autoscale/decide.ts";
import { GAP_TOLERANCE_POLLS } from "../../autoscale/window.ts";
import type { ConnectorMetrics, ConnectorTarget, MetricsReading } from "../../gcp/monitoring.ts";
import type { Observation } from "../kind.ts";
import type { SampleStore } from "./samples.ts";
import { recordRaise, specSize } from "./size.ts";
import {
  renderAutoscaling,
  renderDecision,
  renderUtilization,
  summariseWindow,
  type AutoscalingStatus,
  type PreviousStatus,
  type UtilizationStatus,
} from "./status.ts";

export type Signal = "cpu" | "throughput";

export interface AutoscalingHooks {
  /** Every utilization read, for `driftguard_connector_utilization{connector,signal}`. */
  onUtilization?: (connector: string, signal: Signal, value: number) => void;
  /** Every raise decided in Enforce mode, for `driftguard_connector_scale_events_total`. */
  onScaleEvent?: (connector: string, action: ScaleAction) => void;
}

export interface AutoscaleInput {
  key: string;
  target: ConnectorTarget;
  /** Full connector name, for hooks and messages. */
  name: string;
  spec: VpcConnectorConfigSpec;
  /** The live size, already equal to the desired one. */
  live: ConnectorSize;
  previous: PreviousStatus;
  now: Date;
}

type Conditions = NonNullable<Observation["conditions"]>;
type Events = NonNullable<Observation["events"]>;

export interface AutoscaleOutcome {
  /** Absent when this pass did not read metrics (the last read is recent). */
  status?: { utilization?: UtilizationStatus; utilizationPercent?: string; autoscaling: AutoscalingStatus };
  /** Instances running, as Monitoring reports them. */
  instances?: number;
  conditions: Conditions;
  events: Events;
  requeueAfterMs: number;
}

export function policyOf(autoscaling: VpcConnectorConfigSpec["autoscaling"]): AutoscalingPolicy {
  return {
    pollIntervalMs: parseDuration(autoscaling.pollInterval),
    scaleUpThreshold: autoscaling.scaleUpThreshold,
    targetUtilization: autoscaling.targetUtilization,
    scaleDownThreshold: autoscaling.scaleDownThreshold,
    stabilizationWindowMs: parseDuration(autoscaling.stabilizationWindow),
    cooldownMs: parseDuration(autoscaling.cooldown),
    maxStep: autoscaling.maxStep,
    ceiling: autoscaling.ceiling,
    machineTypeLadder: autoscaling.machineTypeLadder,
    raiseMinInstances: autoscaling.raiseMinInstances,
  };
}

/** The spec's own size, never recommended below; unset fields fall back to the smallest the API allows. */
export function floorsOf(spec: VpcConnectorConfigSpec, live: ConnectorSize): ConnectorSize {
  return {
    machineType: spec.machineType ?? live.machineType,
    minInstances: spec.minInstances ?? 2,
    maxInstances: spec.maxInstances ?? 3,
  };
}

export class ConnectorAutoscaler {
  readonly #metrics: ConnectorMetrics;
  readonly #store: SampleStore;
  readonly #hooks: AutoscalingHooks;

  constructor(metrics: ConnectorMetrics, store: SampleStore, hooks: AutoscalingHooks = {}) {
    this.#metrics = metrics;
    this.#store = store;
    this.#hooks = hooks;
  }

  async run(input: AutoscaleInput): Promise<AutoscaleOutcome> {
    const { key, spec, live, previous } = input;
    const policy = policyOf(spec.autoscaling);
    const now = input.now.getTime();
    const sinceRead = this.#store.sinceLastRead(key, now);
    // Extra passes (events, finished operations) reuse the last reading instead of querying again.
    if (sinceRead < policy.pollIntervalMs / 2) {
      return { conditions: [], events: [], requeueAfterMs: policy.pollIntervalMs - sinceRead };
    }
    const reading = await this.#metrics.read(input.target, live.machineType);
    // Monitoring lags: the window is judged up to `judgedAt`, the newest instant its data can be expected for.
    const delayMs = parseDuration(spec.autoscaling.metricsDelay);
    const judgedAt = now - delayMs;
    const keepSince = judgedAt - policy.stabilizationWindowMs - (GAP_TOLERANCE_POLLS + 1) * policy.pollIntervalMs;
    const measured = reading.ok ? { at: now - reading.utilization.ageMs, ...reading.utilization } : undefined;
    // Data measured before the last change describes the old size (a lagging read can still return it).
    const lastScale = Date.parse(previous.autoscaling.lastScaleTime ?? "");
    const sample = measured && !(measured.at <= lastScale) ? measured : undefined;
    this.#store.record(
      key,
      now,
      sample && { at: sample.at, cpu: sample.cpu, throughput: sample.throughput },
      keepSince,
    );
    if (sample) {
      this.#hooks.onUtilization?.(input.name, "cpu", sample.cpu);
      this.#hooks.onUtilization?.(input.name, "throughput", sample.throughput);
    }
    const unavailable = metricsProblem(reading, policy, delayMs);
    const decision = reading.ok
      ? this.#decide(input, policy, reading.utilization.instances, unavailable !== undefined, judgedAt)
      : holdFor(live, "MetricsUnavailable", reading.problem);

    const enforce = spec.managementPolicy === "Enforce";
    const raises = decision.action === "scaleUp" || decision.action === "changeMachineType";
    const summary = summariseWindow(
      this.#store.samples(key),
      judgedAt,
      policy.stabilizationWindowMs,
      policy.pollIntervalMs,
    );
    const lastDecision = renderDecision(decision, summary, input.now, previous.autoscaling.lastDecision);
    const autoscaling: AutoscalingStatus = { ...previous.autoscaling, lastDecision };
    const events: Events = [];
    if (raises && enforce) {
      autoscaling.raised = recordRaise(specSize(spec), previous.autoscaling.raised, decision);
      autoscaling.lastScaleTime = input.now.toISOString();
      // The window's samples were measured against the old size; the next decision needs new ones.
      this.#store.clearSamples(key);
      this.#hooks.onScaleEvent?.(input.name, decision.action);
      events.push({ type: "Normal", reason: "ScaledUp", note: `${input.name}: ${decision.message}` });
    } else if (raises && lastDecision !== previous.autoscaling.lastDecision) {
      events.push({
        type: "Normal",
        reason: "ScaleUpRecommended",
        note: `Observe policy, nothing changed: ${decision.message}`,
      });
    }

    const conditions: Conditions = [
      unavailable
        ? { type: "MetricsUnavailable", status: "True", ...unavailable }
        : {
            type: "MetricsUnavailable",
            status: "False",
            reason: "MetricsAvailable",
            message: "Cloud Monitoring reports current utilization",
          },
    ];
    const overprovisioned = overprovisionedCondition(decision);
    if (overprovisioned) {
      conditions.push(overprovisioned);
      const wasTrue = previous.conditions.some((c) => c.type === "Overprovisioned" && c.status === "True");
      if (overprovisioned.status === "True" && !wasTrue) {
        events.push({ type: "Normal", reason: "Overprovisioned", note: overprovisioned.message });
      }
    }
    return {
      status: {
        ...(sample ? renderUtilization(sample, new Date(sample.at), previous.utilization) : {}),
        autoscaling: renderAutoscaling(autoscaling),
      },
      ...(reading.ok ? { instances: reading.utilization.instances } : {}),
      conditions,
      events,
      requeueAfterMs: policy.pollIntervalMs,
    };
  }

  #decide(
    input: AutoscaleInput,
    policy: AutoscalingPolicy,
    instances: number,
    stale: boolean,
    judgedAt: number,
  ): ScaleDecision {
    const lastScale = input.previous.autoscaling.lastScaleTime;
    const decision = decideScale({
      samples: this.#store.samples(input.key),
      policy,
      live: { ...input.live, instances },
      floors: floorsOf(input.spec, input.live),
      ...(lastScale && Number.isFinite(Date.parse(lastScale)) ? { lastScaleTime: Date.parse(lastScale) } : {}),
      // Judged as of the newest instant Monitoring covers, so cooldown also waits for data after a change.
      now: judgedAt,
    });
    // Fresh metrics with an incomplete window: the window is refilling (after a start, a gap or a resize).
    if (decision.reason === "MetricsUnavailable" && !stale) return { ...decision, reason: "CollectingSamples" };
    return decision;
  }
}

function holdFor(live: ConnectorSize, reason: string, message: string): ScaleDecision {
  return { action: "hold", reason, message, from: { ...live }, to: { ...live } };
}

/**
 * Why the metrics cannot be used this pass: a failed or empty read, or data too old to act on — older
 * than Monitoring's declared lag (`delayMs`) plus the usual gap tolerance.
 */
export function metricsProblem(
  reading: MetricsReading,
  policy: Pick<AutoscalingPolicy, "pollIntervalMs">,
  delayMs: number,
): { reason: string; message: string } | undefined {
  if (!reading.ok) return { reason: reading.reason, message: `${reading.problem}; autoscaling holds` };
  const limit = delayMs + GAP_TOLERANCE_POLLS * policy.pollIntervalMs;
  if (reading.utilization.ageMs <= limit) return undefined;
  return {
    reason: "StaleMetrics",
    message: `newest utilization is ${Math.round(reading.utilization.ageMs / 1000)}s old (limit ${limit / 1000}s); autoscaling holds`,
  };
}

/** Overprovisioned is only known from a complete window: no verdict either way without one. */
function overprovisionedCondition(decision: ScaleDecision): Conditions[number] | undefined {
  if (decision.action === "overprovisioned") {
    const { minInstances, maxInstances, machineType } = decision.to;
    const threshold = Math.round((decision.threshold ?? 0) * 100);
    return {
      type: "Overprovisioned",
      status: "True",
      reason: decision.reason,
      message:
        `Utilization stayed below ${threshold}% for the whole stabilization window: ${minInstances}-${maxInstances} ` +
        `${machineType} instances would do. Connectors cannot scale in, so shrinking means replacing the connector ` +
        "(create a smaller one, move the services to it, delete this one); driftguard changes nothing",
    };
  }
  if (decision.utilization === undefined) return undefined;
  if (decision.reason === "AtMinimumSize") {
    return { type: "Overprovisioned", status: "False", reason: decision.reason, message: decision.message };
  }
  return {
    type: "Overprovisioned",
    status: "False",
    reason: "NotOverprovisioned",
    message: "Utilization is not below scaleDownThreshold for the whole stabilization window",
  };
}
