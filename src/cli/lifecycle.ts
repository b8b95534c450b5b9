// How `driftguard run` lives among its replicas: the leader-election, shutdown and health-port flags
// (each with an environment equivalent), the elector they configure, and the metrics hooks.

import { InvalidArgumentError, Option, type Command } from "commander";
import { parseDuration } from "../api/duration.ts";
import type { ControllerHooks } from "../controller/compose.ts";
import { defaultIdentity, LeaderElector, podNamespace } from "../kube/leader.ts";
import { validateTimings } from "../kube/lease.ts";
import { ShardElector, type Elector } from "../kube/shard.ts";
import type { Logger } from "../observability/logger.ts";
import type { DriftguardMetrics } from "../observability/metrics.ts";
import { ClusterSource } from "../sources/cluster.ts";
import type { DesiredStateSource } from "../sources/source.ts";

export interface LifecycleOptions {
  leaderElect: boolean;
  leaderElectionId: string;
  leaderElectionNamespace?: string;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
  shutdownTimeout: string;
  healthPort: number;
  shards: number;
  shardIndex?: number;
}

export function lifecycleOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--leader-elect [enabled]", "elect one active replica on a Lease (with --source cluster)")
        .argParser(booleanFlag("--leader-elect"))
        .preset("true")
        .env("DRIFTGUARD_LEADER_ELECT")
        .default(true),
    )
    .addOption(
      new Option("--leader-election-id <name>", "name of the Lease the replicas share")
        .env("DRIFTGUARD_LEADER_ELECTION_ID")
        .default("driftguard"),
    )
    .addOption(
      new Option(
        "--leader-election-namespace <namespace>",
        'namespace of the Lease (default: the pod\'s own namespace, else "default")',
      ).env("DRIFTGUARD_LEADER_ELECTION_NAMESPACE"),
    )
    .addOption(
      new Option(
        "--shards <n>",
        "split the objects into N shards by namespace, one Lease each; a replica reconciles one shard",
      )
        .argParser(wholeNumber("--shards", 1))
        .env("DRIFTGUARD_SHARDS")
        .default(1),
    )
    .addOption(
      new Option(
        "--shard-index <i>",
        "the shard this replica contends for (0 to N-1; default: the first free shard, standing by for any)",
      )
        .argParser(wholeNumber("--shard-index", 0))
        .env("DRIFTGUARD_SHARD_INDEX"),
    )
    .addOption(durationOption("--lease-duration", "how long a lease stays valid without renewal", "15s"))
    .addOption(durationOption("--renew-deadline", "how long the leader tries to renew before it stops leading", "10s"))
    .addOption(durationOption("--retry-period", "how often replicas try to acquire or renew the lease", "2s"))
    .addOption(
      durationOption("--shutdown-timeout", "how long in-flight reconciles may run after SIGTERM/SIGINT", "15s"),
    )
    .addOption(
      new Option("--health-port <port>", "one port for /healthz, /readyz and /metrics (0: serve none)")
        .argParser(portFlag("--health-port"))
        .env("DRIFTGUARD_HEALTH_PORT")
        .default(8081),
    );
}

/**
 * The elector for the cluster source: one Lease, or one per shard with --shards above 1; undefined when
 * election is off or there is no cluster.
 */
export function createElector(options: LifecycleOptions, source: DesiredStateSource, log: Logger): Elector | undefined {
  const sharded = options.shards > 1 || options.shardIndex !== undefined;
  if (sharded && options.shardIndex !== undefined && options.shardIndex >= options.shards) {
    throw new InvalidArgumentError(
      `--shard-index must be below --shards (${options.shards}), got ${options.shardIndex}`,
    );
  }
  if (sharded && (!options.leaderElect || !(source instanceof ClusterSource))) {
    throw new InvalidArgumentError("--shards and --shard-index need leader election and the cluster source");
  }
  if (!options.leaderElect) return undefined;
  if (!(source instanceof ClusterSource)) {
    log.info("leader election needs the cluster source; running as the only replica");
    return undefined;
  }
  const timings = {
    leaseDurationMs: parseDuration(options.leaseDuration),
    renewDeadlineMs: parseDuration(options.renewDeadline),
    retryPeriodMs: parseDuration(options.retryPeriod),
  };
  try {
    validateTimings(timings.leaseDurationMs, timings.renewDeadlineMs, timings.retryPeriodMs);
  } catch (err) {
    throw new InvalidArgumentError(`--lease-duration/--renew-deadline/--retry-period: ${(err as Error).message}`);
  }
  const election = {
    kubeConfig: source.kubeConfig,
    namespace: options.leaderElectionNamespace ?? podNamespace(),
    name: options.leaderElectionId,
    identity: defaultIdentity(),
    log,
    ...timings,
  };
  if (!sharded) return new LeaderElector(election);
  return new ShardElector({
    ...election,
    shards: options.shards,
    ...(options.shardIndex === undefined ? {} : { index: options.shardIndex }),
  });
}

/** Every controller hook, feeding the process's metrics. */
export function metricsHooks(metrics: DriftguardMetrics): ControllerHooks {
  return {
    metrics,
    queueMetrics: (name) => metrics.queue(name),
    onGoogleRequest: (api, method, code) => metrics.googleRequest(api, method, code),
    onBreakerState: (api, state) => metrics.breakerState(api, state),
    onQuotaPause: (api, project) => metrics.quotaPause(api, project),
    onResyncNeeds: (needs) => metrics.resyncNeeds(needs),
    onDriftCorrected: (kind, fields, actor) => metrics.driftCorrected(kind, fields, actor),
    connector: {
      onUtilization: (connector, signal, value) => metrics.connectorUtilization(connector, signal, value),
      onScaleEvent: (connector, action) => metrics.connectorScaleEvent(connector, action),
    },
  };
}

/**
 * Whether /healthz should fail because the watches went stale. Not while the API server itself is
 * unreachable (the elector has not heard from it for a lease duration): a restart cannot fix that, and
 * restarts during an outage only push the kubelet's restart back-off towards five minutes, which then
 * delays the return once the API server is back. The informers keep retrying with back-off meanwhile.
 */
export function watchesStale(
  sourceStale: boolean,
  leader: Pick<Elector, "apiSilentForMs"> | undefined,
  leaseDurationMs: number,
): boolean {
  if (!sourceStale) return false;
  return leader === undefined || leader.apiSilentForMs() < leaseDurationMs;
}

/** Resolves with the first stop signal, or "lost" when the elector stops leading by itself. */
export function stopRequested(leader: Elector | undefined): Promise<"SIGTERM" | "SIGINT" | "lost"> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
    leader?.onChange((leading) => {
      if (!leading) resolve("lost");
    });
  });
}

/** A duration flag whose environment variable is DRIFTGUARD_ and the flag's name, e.g. DRIFTGUARD_LEASE_DURATION. */
function durationOption(flag: string, description: string, fallback: string): Option {
  const env = `DRIFTGUARD_${flag.slice(2).replaceAll("-", "_").toUpperCase()}`;
  const parse = (value: string): string => {
    try {
      parseDuration(value);
      return value;
    } catch (err) {
      throw new InvalidArgumentError(`${flag}: ${(err as Error).message}`);
    }
  };
  return new Option(`${flag} <duration>`, description).argParser(parse).env(env).default(fallback);
}

function portFlag(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      throw new InvalidArgumentError(`${flag} must be a port number from 0 to 65535, got "${value}"`);
    }
    return n;
  };
}

function wholeNumber(flag: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(`${flag} must be a whole number of at least ${min}, got "${value}"`);
    }
    return n;
  };
}

function booleanFlag(flag: string) {
  return (value: string): boolean => {
    if (value === "true") return true;
    if (value === "false") return false;
    throw new InvalidArgumentError(`${flag} must be "true" or "false", got "${value}"`);
  };
}
