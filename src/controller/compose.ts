// Builds a running controller from its configuration: Google clients and call guards, the managed
// kinds, one reconciler per kind, the desired-state source and the manager. The CLI, the embedded demo
// and the integration tests all start driftguard through here.
//
// With a leader elector, every replica fills its caches but only the leader starts workers. Losing the
// lease halts the workers at once and closes the write gate (see leader-gate.ts) for anything still in
// flight; the elector never leads twice, so `driftguard run` then exits and Kubernetes restarts it clean.

import type { Logger } from "pino";
import type { GoogleApi } from "../gcp/errors.ts";
import type { GcpConnection } from "../gcp/connection.ts";
import type { ConnectorMetricsOptions } from "../gcp/monitoring.ts";
import type { BreakerState } from "../gcp/guard.ts";
import type { RpcCodeName } from "../gcp/errors.ts";
import type { AutoscalingHooks } from "../kinds/connector/autoscale.ts";
import type { CommonSpec, ResourceType } from "../kinds/kind.ts";
import type { Elector } from "../kube/shard.ts";
import type { DesiredStateSource } from "../sources/source.ts";
import type { ActorKind, AttributionLookup } from "./attribution.ts";
import { AuditWiring, type AuditConfig, type AuditHooks } from "./audit.ts";
import { LeaderGatedGuard, LeaderGatedSource } from "./leader-gate.ts";
import { classifyReconcileError } from "./errors.ts";
import { createKinds, MANAGED_RESOURCES } from "./kinds.ts";
import { Manager, type ControllerMetrics } from "./manager.ts";
import { PolicyStatusReporter } from "./policy-status.ts";
import { Reconciler } from "./reconciler.ts";
import { ScheduleAudit, type ResyncNeed } from "./schedule-audit.ts";
import type { QueueMetrics } from "./workqueue.ts";

export interface ControllerConfig {
  gcp: GcpConnection;
  /** Client-side calls per second to each Google API, per consumer project. */
  qps: number;
  /** Client-side calls per second to each Google API across all projects. Default: 10 × qps. */
  globalQps?: number;
  /** Per-key retry backoff: first delay and cap (work-queue defaults: 1s and 1 minute). */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Concurrent reconciles per kind. */
  workers: number;
  requireProjectAllowlist: boolean;
  /** Consecutive UNAVAILABLE answers that open an API's circuit breaker, and how long it stays open. */
  breakerFailureThreshold?: number;
  breakerHalfOpenAfterMs?: number;
  operationPollMs?: number;
  failedRolloutBackoffMs?: number;
  /** How often the leader checks that the declared resync intervals fit the call rate. Default 60s. */
  scheduleAuditMs?: number;
  /** Cloud Monitoring reads; the demo sets the clock of its faster simulated Google here. */
  connectorMetrics?: ConnectorMetricsOptions;
  /** How long an in-flight Google operation is waited for before it is dropped and the resource re-read. */
  operationTimeoutMs?: number;
  /** A quiet resync refreshes status.lastSyncTime once it is this old. */
  syncTimeRefreshMs?: number;
  /** Event-driven drift detection from Cloud Audit Logs through Pub/Sub; polling continues either way. */
  audit?: AuditConfig;
}

export interface ControllerHooks extends AuditHooks {
  metrics?: ControllerMetrics;
  /** Work-queue metrics for one controller (named after its kind, lower-case). */
  queueMetrics?: (controller: string) => Partial<QueueMetrics>;
  onGoogleRequest?: (api: GoogleApi, method: string, code: RpcCodeName) => void;
  /** Called once per API at start with its initial state, then on every change. */
  onBreakerState?: (api: GoogleApi, state: BreakerState) => void;
  /** A project's calls to an API paused after RESOURCE_EXHAUSTED. */
  onQuotaPause?: (api: GoogleApi, project: string, pauseMs: number) => void;
  /** The read rates the declared resync intervals need per API and project, and what the limits allow. */
  onResyncNeeds?: (needs: ResyncNeed[]) => void;
  onDriftCorrected?: (kind: string, fields: string[], actor: ActorKind) => void;
  /** Utilization reads and scale decisions of the VpcConnectorConfig kind. */
  connector?: AutoscalingHooks;
  /** Who changed a Google resource out of band (an audit log feed), named in drift Events and status. */
  attribution?: AttributionLookup;
}

export interface RunningController {
  manager: Manager;
  /** The audit feed, when configured. */
  audit?: AuditWiring;
  guards: Record<GoogleApi, LeaderGatedGuard>;
  /** Whether this replica's workers are running: at once without leader election, else while leading. */
  reconciling(): boolean;
  /**
   * Stops taking work, lets in-flight reconciles finish within `timeoutMs`, then releases the lease (so a
   * standby takes over at once) and closes the Google clients.
   */
  stop(timeoutMs?: number): Promise<void>;
}

/** The managed kinds whose reconciles call `api`. */
/**
 * Resyncs start on a one-second grid: a quiet check costs less CPU than the process wake-up that starts it,
 * so the checks due within the same second share one (about 4x less CPU per check at 100 checks/s).
 */
const RESYNC_GRANULARITY_MS = 1000;

function kindsCalling(api: GoogleApi): string[] {
  return api === "run" ? ["CloudRunServiceConfig"] : ["VpcConnectorConfig"];
}

/** The API a kind's periodic check reads from (one read per check). */
function checkApiOf(kind: string): GoogleApi {
  return kind === "CloudRunServiceConfig" ? "run" : "vpcaccess";
}

export async function startController(
  config: ControllerConfig,
  source: DesiredStateSource,
  log: Logger,
  hooks: ControllerHooks = {},
  leader?: Elector,
): Promise<RunningController> {
  const allowed = () => leader === undefined || leader.isLeader();
  // Set once the manager exists: an API that answers again releases the keys backing off on it.
  let onRecovered = (api: GoogleApi) => void api;
  const globalQps = config.globalQps ?? config.qps * 10;
  const guard = (api: GoogleApi) =>
    new LeaderGatedGuard(
      {
        api,
        qps: config.qps,
        burst: Math.max(1, Math.ceil(config.qps * 2)),
        globalQps,
        globalBurst: Math.max(1, Math.ceil(globalQps * 2)),
        onRecovered: (recovered) => onRecovered(recovered),
        ...(hooks.onQuotaPause ? { onQuotaPause: hooks.onQuotaPause } : {}),
        ...(config.breakerFailureThreshold ? { failureThreshold: config.breakerFailureThreshold } : {}),
        ...(config.breakerHalfOpenAfterMs ? { halfOpenAfterMs: config.breakerHalfOpenAfterMs } : {}),
        ...(hooks.onGoogleRequest ? { onRequest: hooks.onGoogleRequest } : {}),
        ...(hooks.onBreakerState ? { onStateChange: hooks.onBreakerState } : {}),
      },
      allowed,
    );
  const guards: Record<GoogleApi, LeaderGatedGuard> = {
    run: guard("run"),
    vpcaccess: guard("vpcaccess"),
    monitoring: guard("monitoring"),
  };
  for (const g of Object.values(guards)) hooks.onBreakerState?.(g.api, g.state);
  const gated = new LeaderGatedSource(source, [...MANAGED_RESOURCES], allowed);
  const managed = createKinds(
    config.gcp,
    guards,
    hooks.connector,
    {
      source: gated,
      requireAllowlist: config.requireProjectAllowlist,
    },
    config.connectorMetrics,
  );
  const { kinds } = managed;

  // Queues into the manager built below; entries are only consumed once it runs.
  const audit = config.audit
    ? new AuditWiring(config.audit, kinds, gated, (resource, key) => manager.enqueue(resource, key), log, hooks)
    : undefined;
  // Who changed a resource, for drift reports: an injected lookup, else the audit feed's, per kind.
  const attributionOf = (resource: ResourceType): { attribution?: AttributionLookup } => {
    const attribution = hooks.attribution ?? audit?.attribution(resource);
    return attribution ? { attribution } : {};
  };

  const reconcilers = kinds.map(
    (kind) =>
      new Reconciler<CommonSpec>({
        kind,
        source: gated,
        log,
        classify: classifyReconcileError,
        requireProjectAllowlist: config.requireProjectAllowlist,
        ...(config.operationPollMs === undefined ? {} : { operationPollMs: config.operationPollMs }),
        ...(config.failedRolloutBackoffMs === undefined
          ? {}
          : { failedRolloutBackoffMs: config.failedRolloutBackoffMs }),
        ...(config.operationTimeoutMs === undefined ? {} : { operationTimeoutMs: config.operationTimeoutMs }),
        ...(config.syncTimeRefreshMs === undefined ? {} : { syncTimeRefreshMs: config.syncTimeRefreshMs }),
        ...attributionOf(kind.resource),
        onDriftCorrected: (fields, actor) => hooks.onDriftCorrected?.(kind.resource.kind, fields, actor),
      }),
  );
  const { queueMetrics } = hooks;
  const backoff = {
    ...(config.retryBaseDelayMs === undefined ? {} : { baseDelayMs: config.retryBaseDelayMs }),
    ...(config.retryMaxDelayMs === undefined ? {} : { maxDelayMs: config.retryMaxDelayMs }),
  };
  const manager: Manager = new Manager({
    source: gated,
    reconcilers,
    workers: config.workers,
    log,
    ...(audit ? { onChange: audit.onChange } : {}),
    ...(hooks.metrics ? { metrics: hooks.metrics } : {}),
    queue: (name: string) => ({
      ...backoff,
      resyncGranularityMs: RESYNC_GRANULARITY_MS,
      ...(queueMetrics ? { metrics: queueMetrics(name) } : {}),
    }),
  });
  onRecovered = (api) => {
    const queued = manager.resetBackoff(kindsCalling(api));
    if (queued > 0) log.info({ api, queued }, "Google API answers again; retrying held-back objects now");
  };

  const scheduleAudit = new ScheduleAudit({
    kinds: kinds.map((kind) => ({ kind, api: checkApiOf(kind.resource.kind) })),
    source: gated,
    qps: config.qps,
    globalQps,
    log,
    lastChecked: (kind, key) => manager.lastChecked(kind, key),
    ...(hooks.onResyncNeeds ? { onNeeds: hooks.onResyncNeeds } : {}),
  });
  let auditTimer: NodeJS.Timeout | undefined;

  const policyStatus = new PolicyStatusReporter({
    source: gated,
    resources: kinds.map((kind) => kind.resource),
    log,
    mayWrite: allowed,
  });

  let reconciling = false;
  let halted: Promise<void> | undefined;
  const halt = (timeoutMs: number) => {
    reconciling = false;
    clearInterval(auditTimer);
    halted ??= Promise.all([audit?.stop(), manager.stop(timeoutMs), policyStatus.stop()]).then(() => undefined);
    return halted;
  };
  const startWorkers = async () => {
    await manager.start();
    reconciling = halted === undefined;
    if (!reconciling) return;
    auditTimer = setInterval(() => {
      scheduleAudit.run().catch((err: unknown) => log.error({ err }, "schedule audit failed"));
    }, config.scheduleAuditMs ?? 60_000);
    auditTimer.unref();
    policyStatus.start();
    // Only the leader consumes audit entries: a standby leaves them in the subscription for whoever leads.
    audit?.start();
  };

  await gated.warm();
  if (leader === undefined) {
    await startWorkers();
  } else {
    leader.onChange((leading) => {
      if (halted) return;
      if (leading) {
        startWorkers().catch((err: unknown) => log.error({ err }, "cannot start the controller"));
      } else {
        log.warn("lost leadership: stopping every worker now");
        halt(0).catch((err: unknown) => log.error({ err }, "cannot stop the controller"));
      }
    });
    leader.start();
  }
  return {
    manager,
    ...(audit ? { audit } : {}),
    guards,
    reconciling: () => reconciling,
    async stop(timeoutMs?: number) {
      await halt(timeoutMs ?? 10_000);
      await leader?.stop();
      await Promise.all([managed.close(), audit?.close()]);
    },
  };
}
