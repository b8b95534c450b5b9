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
import type { BreakerState } from "../gcp/guard.ts";
import type { RpcCodeName } from "../gcp/errors.ts";
import type { AutoscalingHooks } from "../kinds/connector/autoscale.ts";
import type { CommonSpec, ResourceType } from "../kinds/kind.ts";
import type { LeaderElector } from "../kube/leader.ts";
import type { DesiredStateSource } from "../sources/source.ts";
import type { ActorKind, AttributionLookup } from "./attribution.ts";
import { AuditWiring, type AuditConfig, type AuditHooks } from "./audit.ts";
import { LeaderGatedGuard, LeaderGatedSource } from "./leader-gate.ts";
import { classifyReconcileError } from "./errors.ts";
import { createKinds } from "./kinds.ts";
import { Manager, type ControllerMetrics } from "./manager.ts";
import { Reconciler } from "./reconciler.ts";
import type { QueueMetrics } from "./workqueue.ts";

export interface ControllerConfig {
  gcp: GcpConnection;
  /** Client-side calls per second to each Google API. */
  qps: number;
  /** Concurrent reconciles per kind. */
  workers: number;
  requireProjectAllowlist: boolean;
  /** Consecutive UNAVAILABLE answers that open an API's circuit breaker, and how long it stays open. */
  breakerFailureThreshold?: number;
  breakerHalfOpenAfterMs?: number;
  operationPollMs?: number;
  failedRolloutBackoffMs?: number;
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
  onDriftCorrected?: (kind: string, fields: string[], actor: ActorKind) => void;
  /** Utilization reads and scale decisions of the VpcConnectorConfig kind. */
  connector?: AutoscalingHooks;
  /** Who changed a Google resource out of band (an audit log feed), named in drift Events and status. */
  attribution?: AttributionLookup;
  /** The clock Cloud Monitoring query windows use; the wall clock unless a test speeds up the simulator. */
  metricsClock?: () => number;
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

export async function startController(
  config: ControllerConfig,
  source: DesiredStateSource,
  log: Logger,
  hooks: ControllerHooks = {},
  leader?: LeaderElector,
): Promise<RunningController> {
  const allowed = () => leader === undefined || leader.isLeader();
  const guard = (api: GoogleApi) =>
    new LeaderGatedGuard(
      {
        api,
        qps: config.qps,
        burst: Math.max(1, Math.ceil(config.qps * 2)),
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
  const managed = createKinds(config.gcp, guards, hooks.connector, hooks.metricsClock);
  const { kinds } = managed;
  const gated = new LeaderGatedSource(
    source,
    kinds.map((kind) => kind.resource),
    allowed,
  );

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
  const manager: Manager = new Manager({
    source: gated,
    reconcilers,
    workers: config.workers,
    log,
    ...(audit ? { onChange: audit.onChange } : {}),
    ...(hooks.metrics ? { metrics: hooks.metrics } : {}),
    ...(queueMetrics ? { queue: (name: string) => ({ metrics: queueMetrics(name) }) } : {}),
  });

  let reconciling = false;
  let halted: Promise<void> | undefined;
  const halt = (timeoutMs: number) => {
    reconciling = false;
    halted ??= Promise.all([audit?.stop(), manager.stop(timeoutMs)]).then(() => undefined);
    return halted;
  };
  const startWorkers = async () => {
    await manager.start();
    reconciling = halted === undefined;
    // Only the leader consumes audit entries: a standby leaves them in the subscription for whoever leads.
    if (reconciling) audit?.start();
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
