// The benchmark's printed table: one line per figure, driftguard and the naive baseline side by side.

import type { FailoverResult } from "../scenarios/failover.ts";
import type { PopulationResult } from "../scenarios/population.ts";
import type { QuietResult } from "../scenarios/quiet.ts";
import type { ScaleResult } from "../scenarios/scale.ts";
import { round, type LatencySummary } from "./stats.ts";

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  kernel: string;
  loadAverageStart: number[];
  loadAverageEnd?: number[];
}

export interface BenchReport {
  startedAt: string;
  durationSeconds?: number;
  machine: MachineInfo;
  population?: PopulationResult;
  failover?: FailoverResult | { notMeasured: string };
  scale?: ScaleResult;
  /** How many times more Google calls, writes and drift-heal time the naive loop needs than driftguard. */
  naiveOverDriftguard?: {
    googleCallsPerInterval: number;
    googleWritesPerInterval: number | null;
    driftHealP50: number;
  };
}

/** Naive-over-driftguard ratios from the population's quiet windows and drift-heal latencies. */
export function ratios(p: PopulationResult): NonNullable<BenchReport["naiveOverDriftguard"]> {
  const calls = (q: QuietResult) => Object.values(q.googleCalls).reduce((a, b) => a + b, 0) / q.intervals;
  const writes = p.driftguard.quiet.writesPerInterval;
  return {
    googleCallsPerInterval: round(calls(p.naive.quiet) / calls(p.driftguard.quiet), 1),
    // driftguard's quiet writes are expected to be 0, which makes the ratio unbounded.
    googleWritesPerInterval: writes > 0 ? round(p.naive.quiet.writesPerInterval / writes, 1) : null,
    driftHealP50: round(p.naive.driftHeal.toUpdate.p50Ms / p.driftguard.driftHeal.toUpdate.p50Ms, 2),
  };
}

const ms = (s: LatencySummary) =>
  `p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms (n=${s.samples}${s.missed ? `, ${s.missed} missed` : ""})`;

function quietLines(q: QuietResult): string[] {
  return [
    `GetService per resource per interval ${q.readsPerResourcePerInterval} (window ${q.readsPerResourceInWindow.min}-${q.readsPerResourceInWindow.max} per resource)`,
    `UpdateService per interval ${q.writesPerInterval}; Kubernetes status writes per interval ${q.kubeStatusWritesPerInterval}`,
    `CPU ${q.cpuSecondsPerInterval} s per interval; RSS ${q.rssMiB} MiB; calls ${JSON.stringify(q.googleCalls)}`,
  ];
}

const reached = (seconds: number | null, s: ScaleResult) =>
  seconds === null ? `not within the ${s.limitSeconds} s limit` : `${seconds} s`;

export function formatReport(r: BenchReport): string {
  const m = r.machine;
  const lines = [
    `driftguard controller benchmark: ${m.nproc} CPUs (${m.cpuModel}), node ${m.node}, ` +
      `load ${m.loadAverageStart.join(" ")} -> ${m.loadAverageEnd?.join(" ") ?? "?"}`,
  ];
  const p = r.population;
  if (p) {
    lines.push(
      `\n${p.configs} configs, resync ${p.resyncInterval} (created in ${p.createSeconds} s)`,
      `  driftguard start -> all Ready              ${p.initialSyncSeconds} s`,
      `  spec change -> UpdateService, one by one   ${ms(p.driftguard.specChange.sequential)}`,
      `  spec change -> UpdateService, burst        ${ms(p.driftguard.specChange.burst)}`,
      `  drift -> UpdateService     driftguard      ${ms(p.driftguard.driftHeal.toUpdate)}`,
      `                             naive           ${ms(p.naive.driftHeal.toUpdate)}`,
      `  drift -> live value back   driftguard      ${ms(p.driftguard.driftHeal.toLiveValue)}`,
      `                             naive           ${ms(p.naive.driftHeal.toLiveValue)}`,
      `  quiet resync, driftguard:`,
      ...quietLines(p.driftguard.quiet).map((l) => `    ${l}`),
      `  quiet resync, naive:`,
      ...quietLines(p.naive.quiet).map((l) => `    ${l}`),
    );
  }
  if (r.naiveOverDriftguard) {
    const x = r.naiveOverDriftguard;
    lines.push(
      `  naive / driftguard: Google calls per interval ${x.googleCallsPerInterval}x, writes ` +
        `${x.googleWritesPerInterval === null ? "n/a (driftguard wrote none)" : `${x.googleWritesPerInterval}x`}, ` +
        `drift-heal p50 ${x.driftHealP50}x`,
    );
  }
  const f = r.failover;
  if (f && "notMeasured" in f) lines.push(`\nleader failover: not measured: ${f.notMeasured}`);
  else if (f) {
    const t = f.timings;
    lines.push(
      `\nleader failover, SIGKILL of the leader (lease ${t.leaseDuration}, renew ${t.renewDeadline}, retry ${t.retryPeriod})`,
      `  kill -> standby holds the lease            ${ms(f.leaseAcquired)}`,
      `  kill -> first Google call by the standby   ${ms(f.firstGoogleCall)}`,
      `  kill -> spec change applied (UpdateService) ${ms(f.changeApplied)}`,
    );
  }
  const s = r.scale;
  if (s) {
    lines.push(
      `\n${s.configs} configs, resync ${s.resyncInterval} (created in ${s.createSeconds} s)`,
      `  driftguard start -> every service written  ${reached(s.startToAllWrittenSeconds, s)}`,
      `  driftguard start -> all Ready              ${reached(s.startToAllReadySeconds, s)}`,
      `  seconds: Ready/written ${s.timeline.map((t) => `${t.seconds}s: ${t.ready}/${t.written}`).join(", ")}`,
      `  RSS after the wait ${s.rssMiBAfterWait} MiB, peak ${s.peakRssMiB} MiB; the next resync interval:`,
      ...quietLines(s.nextInterval).map((l) => `    ${l}`),
    );
  }
  if (r.durationSeconds !== undefined) lines.push(`\ntotal ${r.durationSeconds} s`);
  return lines.join("\n");
}
