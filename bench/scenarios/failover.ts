// Leader failover: two driftguard replicas elect a leader on a Lease with short timings; the leader is
// killed with SIGKILL (no lease release) and a spec change is made at once. Measured from the kill: the
// standby's lease acquisition, its first Google call, and the UpdateService that applies the change.
// A fresh standby then replaces the killed replica and the next round begins.

import { freePort } from "../../test/support/envtest.ts";
import type { BenchContext } from "../lib/context.ts";
import { waitUntil, type BenchProcess } from "../lib/processes.ts";
import { summarise, type LatencySummary } from "../lib/stats.ts";
import { fullServiceName } from "../lib/workload.ts";

const LEASE_NAME = "driftguard-bench";
export const LEASE_TIMINGS = { leaseDuration: "3s", renewDeadline: "2s", retryPeriod: "500ms" };
const TIMEOUT_MS = 60_000;

interface Replica {
  process: BenchProcess;
  healthPort: number;
}

export interface FailoverRound {
  leaseAcquiredMs: number;
  firstGoogleCallMs: number | undefined;
  changeAppliedMs: number | undefined;
}

export interface FailoverResult {
  timings: typeof LEASE_TIMINGS;
  rounds: FailoverRound[];
  leaseAcquired: LatencySummary;
  firstGoogleCall: LatencySummary;
  changeApplied: LatencySummary;
}

export async function leaderFailover(
  ctx: BenchContext,
  namespace: string,
  names: readonly string[],
  targets: readonly string[],
): Promise<FailoverResult> {
  let spawned = 0;
  const start = async (): Promise<Replica> => {
    const healthPort = await freePort();
    const child = ctx.processes.driftguard(`failover-${spawned++}`, ctx.cluster.kubeconfigPath, ctx.gcp, [
      ...["--leader-elect", "true", "--leader-election-id", LEASE_NAME, "--leader-election-namespace", namespace],
      ...["--lease-duration", LEASE_TIMINGS.leaseDuration, "--renew-deadline", LEASE_TIMINGS.renewDeadline],
      ...["--retry-period", LEASE_TIMINGS.retryPeriod, "--health-port", String(healthPort), "--namespace", namespace],
    ]);
    return { process: child, healthPort };
  };

  ctx.witness.clear();
  let replicas = [await start(), await start()];
  const rounds: FailoverRound[] = [];
  try {
    for (const [round, target] of targets.entries()) {
      const leader = await waitForRoles(replicas);
      // Let the leader finish its first pass over every config, so the failover starts from a quiet state.
      await waitUntil(
        "the leader's first pass",
        () => (ctx.witness.calls("GetService").length >= names.length ? true : undefined),
        TIMEOUT_MS,
        250,
      );
      const holder = await ctx.cluster.leaseHolder(namespace, LEASE_NAME);
      ctx.witness.clear();
      const killedAt = Date.now();
      await leader.process.kill9();
      await ctx.cluster.patchSpec(namespace, target, { requestTimeout: `${3000 + round}s` });
      const [changeAppliedMs] = await ctx.witness.latencies(
        "UpdateService",
        [{ resource: fullServiceName(target), sinceMs: killedAt }],
        TIMEOUT_MS,
      );
      const lease = await waitUntil(
        "the standby to take the lease",
        async () => {
          const now = await ctx.cluster.leaseHolder(namespace, LEASE_NAME);
          return now && now.holder !== holder?.holder ? now : undefined;
        },
        TIMEOUT_MS,
      );
      const first = ctx.witness
        .calls()
        .map((e) => Date.parse(e.time))
        .filter((t) => t >= killedAt);
      rounds.push({
        leaseAcquiredMs: (lease.acquired?.getTime() ?? Date.now()) - killedAt,
        firstGoogleCallMs: first.length ? Math.min(...first) - killedAt : undefined,
        changeAppliedMs,
      });
      ctx.progress(`failover round ${round + 1}: ${JSON.stringify(rounds.at(-1))}`);
      replicas = [...replicas.filter((r) => r !== leader), await start()];
    }
  } finally {
    await Promise.all(replicas.map((r) => r.process.stop()));
  }
  return {
    timings: LEASE_TIMINGS,
    rounds,
    leaseAcquired: summarise(rounds.map((r) => r.leaseAcquiredMs)),
    firstGoogleCall: summarise(rounds.map((r) => r.firstGoogleCallMs)),
    changeApplied: summarise(rounds.map((r) => r.changeAppliedMs)),
  };
}

/** Waits until every replica is ready and exactly one is leading; returns the leader. */
async function waitForRoles(replicas: readonly Replica[]): Promise<Replica> {
  return waitUntil(
    "one leading and one standby replica",
    async () => {
      const states = await Promise.all(replicas.map((r) => readiness(r.healthPort)));
      const leaders = replicas.filter((_, i) => states[i]?.includes("leading"));
      return states.every((s) => s !== undefined) && leaders.length === 1 ? leaders[0] : undefined;
    },
    TIMEOUT_MS,
    200,
  );
}

/** The /readyz message when ready ("ok: leading" or "ok: standby"), else undefined. */
async function readiness(port: number): Promise<string | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`);
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}
