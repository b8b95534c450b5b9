// Builds a running controller from its configuration: Google clients and call guards, the managed
// kinds, one reconciler per kind, the desired-state source and the manager. The CLI, the embedded demo
// and the integration tests all start driftguard through here.

import { ServicesClient } from "@google-cloud/run";
import type { Logger } from "pino";
import { classifyGoogleError, type GoogleApi } from "../gcp/errors.ts";
import { clientOptions, type GcpConnection } from "../gcp/connection.ts";
import { CallGuard, type BreakerState } from "../gcp/guard.ts";
import type { RpcCodeName } from "../gcp/errors.ts";
import { CloudRunKind } from "../kinds/cloudrun/kind.ts";
import type { CommonSpec, ManagedKind } from "../kinds/kind.ts";
import type { DesiredStateSource } from "../sources/source.ts";
import { Manager, type ControllerMetrics } from "./manager.ts";
import { Reconciler } from "./reconciler.ts";

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
}

export interface ControllerHooks {
  metrics?: ControllerMetrics;
  onGoogleRequest?: (api: GoogleApi, method: string, code: RpcCodeName) => void;
  onBreakerState?: (api: GoogleApi, state: BreakerState) => void;
  onDriftCorrected?: (kind: string, fields: string[]) => void;
}

export interface RunningController {
  manager: Manager;
  guards: Record<GoogleApi, CallGuard>;
  stop(timeoutMs?: number): Promise<void>;
}

export async function startController(
  config: ControllerConfig,
  source: DesiredStateSource,
  log: Logger,
  hooks: ControllerHooks = {},
): Promise<RunningController> {
  const guard = (api: GoogleApi) =>
    new CallGuard({
      api,
      qps: config.qps,
      burst: Math.max(1, Math.ceil(config.qps * 2)),
      ...(config.breakerFailureThreshold ? { failureThreshold: config.breakerFailureThreshold } : {}),
      ...(config.breakerHalfOpenAfterMs ? { halfOpenAfterMs: config.breakerHalfOpenAfterMs } : {}),
      ...(hooks.onGoogleRequest ? { onRequest: hooks.onGoogleRequest } : {}),
      ...(hooks.onBreakerState ? { onStateChange: hooks.onBreakerState } : {}),
    });
  const guards: Record<GoogleApi, CallGuard> = {
    run: guard("run"),
    vpcaccess: guard("vpcaccess"),
    monitoring: guard("monitoring"),
  };
  const services = new ServicesClient(clientOptions(config.gcp));
  const kinds: Array<ManagedKind<CommonSpec>> = [new CloudRunKind(services, guards.run)];

  const reconcilers = kinds.map(
    (kind) =>
      new Reconciler<CommonSpec>({
        kind,
        source,
        log,
        classify: (err) => {
          const c = classifyGoogleError(err);
          return {
            reason: c.reason,
            message: `${c.message}. ${c.hint}`,
            retryable: c.retryable,
            ...(c.retryAfterMs === undefined ? {} : { retryAfterMs: c.retryAfterMs }),
          };
        },
        requireProjectAllowlist: config.requireProjectAllowlist,
        ...(config.operationPollMs === undefined ? {} : { operationPollMs: config.operationPollMs }),
        ...(config.failedRolloutBackoffMs === undefined
          ? {}
          : { failedRolloutBackoffMs: config.failedRolloutBackoffMs }),
        onDriftCorrected: (fields) => hooks.onDriftCorrected?.(kind.resource.kind, fields),
      }),
  );
  const manager = new Manager({
    source,
    reconcilers,
    workers: config.workers,
    log,
    ...(hooks.metrics ? { metrics: hooks.metrics } : {}),
  });
  await manager.start();
  return {
    manager,
    guards,
    async stop(timeoutMs?: number) {
      await manager.stop(timeoutMs);
      await services.close();
    },
  };
}
