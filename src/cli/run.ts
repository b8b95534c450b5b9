// `driftguard run`: the controller. Desired state comes from the cluster's custom resources (default) or
// from a directory of manifests (`--source dir:PATH`); every flag has an environment equivalent so the
// same image runs in a Deployment and on a laptop.
//
// Replicas elect a leader on a Lease (with the cluster source); one port serves /healthz, /readyz and
// /metrics. SIGTERM/SIGINT stop taking work, let in-flight reconciles finish within --shutdown-timeout,
// release the lease and exit 0. A leader that loses its lease exits 1 at once, like controller-runtime:
// a restarted process rejoins the election with clean state, and nothing it started can still write.

import { Command, InvalidArgumentError, Option } from "commander";
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

// The default call rate per Google API and consumer project, from Google's quotas. The Cloud Run Admin
// API's rate quotas are per project and region (https://cloud.google.com/run/quotas, "API rate limits";
// Google's RESOURCE_EXHAUSTED messages name them ReadPerMinutePerProjectRegion and
// WritePerMinutePerProjectRegion). Their values differ between projects: a recently created project's
// quota page shows 600 reads and 30 writes per minute per region, and Google raises them on request. The
// exact default table could not be read here, so the stricter figure decides: 5/s = 300 reads per minute
// is half of 600, leaving the rest to CI deploys, gcloud and the console, which spend the same quota.
// Writes are rarer and refused writes pause the project (RESOURCE_EXHAUSTED). Serverless VPC Access
// documents no tighter request quota that we could find, and a project has few connectors, so the same
// rate applies to it. A project with more services than its quota can read at their resync intervals
// gets a ResyncIntervalNotMet warning (schedule-audit.ts) rather than silent slowness.
export const DEFAULT_QPS = 5;
/** The process-wide cap per API across projects: bounds this replica's CPU and egress, not Google's quota. */
export const DEFAULT_GLOBAL_QPS = 100;
const QPS_HELP =
  "client-side calls per second to each Google API, per consumer project; the default is half of the 600 " +
  "Cloud Run Admin API reads per minute per region a project may start with (https://cloud.google.com/run/quotas)";

function positiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
      throw new InvalidArgumentError(`${flag} must be a positive number, got "${value}"`);
    return n;
  };
}

function positiveInteger(flag: string) {
  return (value: string): number => {
    const n = positiveNumber(flag)(value);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${flag} must be a whole number, got "${value}"`);
    return n;
  };
}

function durationFlag(flag: string) {
  return (value: string): string => {
    try {
      parseDuration(value);
      return value;
    } catch (err) {
      throw new InvalidArgumentError(`${flag}: ${(err as Error).message}`);
    }
  };
}

/** The flags that say how to reach Google; every command that reads or writes Google resources takes them. */
export function gcpOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--gcp-transport <transport>", "how to call Google APIs")
        .choices(["grpc", "rest"])
        .env("DRIFTGUARD_GCP_TRANSPORT")
        .default("grpc"),
    )
    .addOption(
      new Option("--gcp-endpoint <host:port>", "gRPC endpoint override (e.g. the simulator)").env(
        "DRIFTGUARD_GCP_ENDPOINT",
      ),
    )
    .addOption(
      new Option("--gcp-rest-endpoint <url>", "REST endpoint override (e.g. http://127.0.0.1:8788)").env(
        "DRIFTGUARD_GCP_REST_ENDPOINT",
      ),
    )
    .addOption(
      new Option(
        "--gcp-access-token <token>",
        "fixed bearer token for an endpoint override; default: Application Default Credentials",
      ).env("DRIFTGUARD_GCP_ACCESS_TOKEN"),
    );
}

export function runOptions(command: Command): Command {
  return gcpOptions(
    command
      .addOption(
        new Option("--source <source>", 'where desired state comes from: "cluster" or "dir:PATH"')
          .env("DRIFTGUARD_SOURCE")
          .default("cluster"),
      )
      .addOption(
        new Option("--kubeconfig <path>", "kubeconfig file (default: in-cluster, then ~/.kube/config)").env(
          "KUBECONFIG",
        ),
      )
      .addOption(
        new Option("--namespace <names...>", "manage only objects in these namespaces (default: all)").env(
          "DRIFTGUARD_NAMESPACES",
        ),
      ),
  )
    .addOption(
      new Option("--qps <n>", QPS_HELP)
        .argParser(positiveNumber("--qps"))
        .env("DRIFTGUARD_GCP_QPS")
        .default(DEFAULT_QPS),
    )
    .addOption(
      new Option("--global-qps <n>", "client-side calls per second to each Google API across all projects")
        .argParser(positiveNumber("--global-qps"))
        .env("DRIFTGUARD_GCP_GLOBAL_QPS")
        .default(DEFAULT_GLOBAL_QPS),
    )
    .addOption(
      new Option("--retry-base-delay <duration>", "first retry delay of a failing object; doubles per failure")
        .argParser(durationFlag("--retry-base-delay"))
        .env("DRIFTGUARD_RETRY_BASE_DELAY")
        .default("1s"),
    )
    .addOption(
      new Option(
        "--retry-max-delay <duration>",
        "longest retry delay of a failing object (reset early once the failing Google API answers again)",
      )
        .argParser(durationFlag("--retry-max-delay"))
        .env("DRIFTGUARD_RETRY_MAX_DELAY")
        .default("60s"),
    )
    .addOption(
      new Option("--workers <n>", "concurrent reconciles per kind")
        .argParser(positiveInteger("--workers"))
        .env("DRIFTGUARD_WORKERS")
        .default(4),
    )
    .addOption(
      new Option(
        "--default-resync <duration>",
        "resync interval for manifests that set none (the CRD defaults it to 60s)",
      )
        .argParser(durationFlag("--default-resync"))
        .env("DRIFTGUARD_DEFAULT_RESYNC")
        .default("60s"),
    )
    .addOption(
      new Option("--log-level <level>", "fatal, error, warn, info, debug, trace")
        .env("DRIFTGUARD_LOG_LEVEL")
        .default("info"),
    )
    .addOption(
      new Option(
        "--require-project-allowlist",
        "deny every project to namespaces without the driftguard.dev/allowed-projects annotation (without " +
          "this flag such namespaces may target any project; every Deployment in deploy/ sets it)",
      )
        .env("DRIFTGUARD_REQUIRE_PROJECT_ALLOWLIST")
        .default(false),
    )
    .addOption(healthBindAddressOption());
}

/**
 * Where /healthz, /readyz and /metrics listen. The default (every interface) is what the kubelet's probes
 * and in-cluster Prometheus need; the endpoints have no authentication, so a host that must not expose
 * them binds 127.0.0.1 (or one interface's address) instead.
 */
function healthBindAddressOption(): Option {
  return new Option(
    "--health-bind-address <address>",
    "address the health/metrics port listens on (default: all interfaces)",
  ).env("DRIFTGUARD_HEALTH_BIND_ADDRESS");
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
