// `driftguard run`: the controller. Desired state comes from the cluster's custom resources (default) or
// from a directory of manifests (`--source dir:PATH`); every flag has an environment equivalent so the
// same image runs in a Deployment and on a laptop.
//
// Replicas elect a leader on a Lease (with the cluster source); one port serves /healthz, /readyz and
// /metrics. SIGTERM/SIGINT stop taking work, let in-flight reconciles finish within --shutdown-timeout,
// release the lease and exit 0. A leader that loses its lease exits 1 at once, like controller-runtime:
// a restarted process rejoins the election with clean state, and nothing it started can still write.

import { Command, InvalidArgumentError } from "commander";
import { parseDuration } from "../api/duration.ts";
import { MANAGED_RESOURCES } from "../controller/kinds.ts";
import { startController, type ControllerConfig } from "../controller/compose.ts";
import { ALLOWED_PROJECTS_ANNOTATION, unlistedNamespaces } from "../controller/tenancy.ts";
import type { GcpConnection } from "../gcp/connection.ts";
import { HealthServer } from "../observability/health.ts";
import { createLogger, parseLogLevel, type Logger } from "../observability/logger.ts";
import { DriftguardMetrics } from "../observability/metrics.ts";
import { ShardElector } from "../kube/shard.ts";
import { ClusterSource } from "../sources/cluster.ts";
import { DirectorySource } from "../sources/directory.ts";
import type { DesiredStateSource } from "../sources/source.ts";
import { auditConfig, auditHooks, auditOptions, type AuditOptions } from "./audit-run.ts";
import { checkGoogleCredentialsFile } from "./credentials.ts";
import { runOptions } from "./run-options.ts";
import {
  createElector,
  lifecycleOptions,
  metricsHooks,
  stopRequested,
  watchesStale,
  type LifecycleOptions,
} from "./lifecycle.ts";

export interface RunOptions extends LifecycleOptions, AuditOptions {
  source: string;
  kubeconfig?: string;
  namespace?: string[];
  gcpTransport: "grpc" | "rest";
  gcpEndpoint?: string;
  gcpRestEndpoint?: string;
  gcpAccessToken?: string;
  qps: number;
  globalQps: number;
  retryBaseDelay: string;
  retryMaxDelay: string;
  workers: number;
  defaultResync: string;
  logLevel: string;
  requireProjectAllowlist: boolean;
  healthBindAddress?: string;
}

export type GcpFlags = Pick<RunOptions, "gcpTransport" | "gcpEndpoint" | "gcpRestEndpoint" | "gcpAccessToken">;

export function gcpConnection(options: GcpFlags): GcpConnection {
  return {
    transport: options.gcpTransport,
    ...(options.gcpEndpoint ? { grpcEndpoint: options.gcpEndpoint } : {}),
    ...(options.gcpRestEndpoint ? { restEndpoint: options.gcpRestEndpoint } : {}),
    ...(options.gcpAccessToken ? { accessToken: options.gcpAccessToken } : {}),
  };
}

export function controllerConfig(options: RunOptions): ControllerConfig {
  const [base, max] = [parseDuration(options.retryBaseDelay), parseDuration(options.retryMaxDelay)];
  if (max < base) {
    throw new InvalidArgumentError(
      `--retry-max-delay (${options.retryMaxDelay}) must not be shorter than --retry-base-delay (${options.retryBaseDelay})`,
    );
  }
  return {
    gcp: gcpConnection(options),
    qps: options.qps,
    globalQps: options.globalQps,
    retryBaseDelayMs: base,
    retryMaxDelayMs: max,
    workers: options.workers,
    requireProjectAllowlist: options.requireProjectAllowlist,
    ...auditConfig(options),
  };
}

export function createSource(
  options: RunOptions,
  log: Logger,
  owns?: (namespace: string) => boolean,
): DesiredStateSource {
  if (options.source === "cluster") {
    return new ClusterSource({
      resources: [...MANAGED_RESOURCES],
      log,
      ...(owns ? { owns } : {}),
      ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
      ...(options.namespace ? { namespaces: options.namespace.flatMap((n) => n.split(",")).filter(Boolean) } : {}),
    });
  }
  if (options.source.startsWith("dir:") && options.source.length > 4) {
    return new DirectorySource({
      directory: options.source.slice(4),
      resources: [...MANAGED_RESOURCES],
      defaultResync: options.defaultResync,
      onEvent: (e) => log.info({ key: e.key, kind: e.kind, event: e.reason, type: e.type }, e.note),
      onFileError: (file, err) => log.error({ file, err }, "cannot read manifest"),
    });
  }
  throw new InvalidArgumentError(`--source must be "cluster" or "dir:PATH", got "${options.source}"`);
}

/** Says at start what a namespace without the allowed-projects annotation may target. */
function logTenancyDefault(log: Logger, requireAllowlist: boolean): void {
  const unlisted = unlistedNamespaces(requireAllowlist);
  if (unlisted === "none") {
    log.info(
      { unlistedNamespaces: unlisted },
      `namespaces without ${ALLOWED_PROJECTS_ANNOTATION} may target no project`,
    );
  } else {
    log.warn(
      { unlistedNamespaces: unlisted },
      `namespaces without ${ALLOWED_PROJECTS_ANNOTATION} may target any project; --require-project-allowlist closes them`,
    );
  }
}

export function runCommand(): Command {
  return lifecycleOptions(
    auditOptions(
      runOptions(new Command("run").description("reconcile Cloud Run services and VPC connectors continuously")),
    ),
  ).action(async (options: RunOptions) => {
    const log = createLogger({ level: parseLogLevel(options.logLevel) });
    if (!options.gcpAccessToken) checkGoogleCredentialsFile();
    logTenancyDefault(log, options.requireProjectAllowlist);
    const shutdownMs = parseDuration(options.shutdownTimeout);
    // With shards, the source manages only the namespaces of the shard this replica wins.
    const shard: { elector?: ShardElector } = {};
    const owns = options.shards > 1 ? (namespace: string) => shard.elector?.owns(namespace) ?? false : undefined;
    const source = createSource(options, log, owns);
    const leader = createElector(options, source, log);
    if (leader instanceof ShardElector) shard.elector = leader;
    const stop = stopRequested(leader);
    const metrics = new DriftguardMetrics();
    metrics.trackObjects(() => MANAGED_RESOURCES.map((r) => ({ kind: r.kind, objects: source.list(r) })));
    metrics.leader(leader === undefined);
    leader?.onChange((leading) => metrics.leader(leading));

    let reconciling = () => false;
    const health =
      options.healthPort === 0
        ? undefined
        : await HealthServer.start({
            port: options.healthPort,
            ...(options.healthBindAddress ? { host: options.healthBindAddress } : {}),
            metrics,
            state: () => ({
              synced: source.hasSynced(),
              stale: watchesStale(source.isStale(), leader, parseDuration(options.leaseDuration)),
              leader: leader?.isLeader() ?? true,
              reconciling: reconciling(),
            }),
          });
    const hooks = {
      ...metricsHooks(metrics),
      ...auditHooks(options, metrics, source instanceof ClusterSource ? source.kubeConfig : undefined, log),
    };
    const controller = await startController(controllerConfig(options), source, log, hooks, leader);
    reconciling = () => controller.reconciling();
    log.info(
      {
        source: options.source,
        transport: options.gcpTransport,
        ...(health ? { healthPort: health.port } : {}),
        ...(leader ? { identity: leader.identity } : {}),
      },
      leader ? "driftguard started; waiting for leadership" : "driftguard started",
    );

    const reason = await stop;
    if (reason === "lost") {
      log.error("lost the leader lease; exiting so that a fresh process rejoins the election");
      await Promise.race([controller.stop(0), new Promise((resolve) => setTimeout(resolve, shutdownMs))]);
      process.exit(1);
    }
    log.info({ signal: reason, timeout: options.shutdownTimeout }, "stopping: finishing in-flight reconciles");
    await controller.stop(shutdownMs);
    await health?.close();
    log.info("stopped");
    process.exit(0);
  });
}
