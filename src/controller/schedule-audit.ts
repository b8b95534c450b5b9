// Honest scheduling: the declared resync intervals ask for a read rate per Google API and consumer project
// (one read per object per interval); the call guard allows --qps per project and --global-qps in all.
// When the ask exceeds the allowance, checks silently happen less often than declared, so the audit says
// so once per interval: a log line, a gauge per project, and one Warning Event on the object in that
// project that has waited longest for its check. It never writes status, so it cannot add status churn.

import type { Logger } from "pino";
import { parseDuration } from "../api/duration.ts";
import type { GoogleApi } from "../gcp/errors.ts";
import type { CommonSpec, ManagedKind, ManagedObject } from "../kinds/kind.ts";
import { objectKey, type DesiredStateSource } from "../sources/source.ts";

export interface ResyncNeed {
  api: GoogleApi;
  project: string;
  /** Reads per second the declared intervals need. */
  needed: number;
  /** Reads per second the configured limits allow this project (its share of the global cap included). */
  allowed: number;
  objects: number;
}

/** One object's demand: its Google API, consumer project and declared resync interval. */
export interface CheckDemand {
  api: GoogleApi;
  project: string;
  resyncMs: number;
}

/**
 * The read rate each (API, project) needs and is allowed. The global cap is shared evenly by the projects
 * of an API that need more than an even share, as the fair limiter serves them.
 */
export function resyncNeeds(demands: CheckDemand[], qps: number, globalQps: number): ResyncNeed[] {
  const byKey = new Map<string, ResyncNeed>();
  for (const { api, project, resyncMs } of demands) {
    const key = `${api}\u0000${project}`;
    const need = byKey.get(key) ?? { api, project, needed: 0, allowed: qps, objects: 0 };
    need.needed += 1000 / resyncMs;
    need.objects += 1;
    byKey.set(key, need);
  }
  const needs = [...byKey.values()];
  for (const api of new Set(needs.map((n) => n.api))) {
    const ofApi = needs.filter((n) => n.api === api).sort((a, b) => a.needed - b.needed);
    let left = globalQps;
    ofApi.forEach((need, i) => {
      const share = left / (ofApi.length - i);
      need.allowed = Math.min(qps, share);
      left -= Math.min(need.needed, need.allowed);
    });
  }
  return needs;
}

/** The needs that the allowance cannot meet. */
export function unmet(needs: ResyncNeed[]): ResyncNeed[] {
  return needs.filter((n) => n.needed > n.allowed * 1.0001);
}

export interface ScheduleAuditOptions {
  kinds: Array<{ kind: ManagedKind<CommonSpec>; api: GoogleApi }>;
  source: DesiredStateSource;
  qps: number;
  globalQps: number;
  log: Logger;
  /** When each object was last checked (ms since the epoch), from the manager. */
  lastChecked: (kind: string, key: string) => number | undefined;
  onNeeds?: (needs: ResyncNeed[]) => void;
  now?: () => number;
}

export class ScheduleAudit {
  readonly #o: ScheduleAuditOptions;

  constructor(options: ScheduleAuditOptions) {
    this.#o = options;
  }

  /** Computes the needs, reports every unmet one, and returns them. */
  async run(): Promise<ResyncNeed[]> {
    const { kinds, source, qps, globalQps, log } = this.#o;
    const demands: Array<CheckDemand & { kind: string; object: ManagedObject }> = [];
    for (const { kind, api } of kinds) {
      for (const object of source.list(kind.resource)) {
        if (object.metadata?.deletionTimestamp) continue;
        const parsed = kind.parseSpec(object.spec);
        if (!parsed.ok) continue;
        const resyncMs = parseDuration(parsed.spec.resyncInterval);
        // The first reference is the resource's own project, the consumer its reads are charged to.
        const [own] = kind.referencedProjects(parsed.spec, source, object.metadata?.namespace ?? "");
        if (!own) continue;
        demands.push({ api, project: own.project, resyncMs, kind: kind.resource.kind, object });
      }
    }
    const needs = resyncNeeds(demands, qps, globalQps);
    this.#o.onNeeds?.(needs);
    for (const need of unmet(needs)) {
      const slower = need.needed / need.allowed;
      const note =
        `declared resync intervals of ${need.objects} objects in project ${need.project} need ` +
        `${need.needed.toFixed(1)} ${need.api} reads/s, but the limits allow ${need.allowed.toFixed(1)}/s ` +
        `(--qps ${qps} per project, --global-qps ${globalQps}): each is checked about ${slower.toFixed(1)}× ` +
        "less often than declared; raise --qps within the project's quota or lengthen resyncInterval";
      log.warn({ api: need.api, project: need.project, needed: need.needed, allowed: need.allowed }, note);
      const mostOverdue = this.#mostOverdue(demands.filter((d) => d.api === need.api && d.project === need.project));
      if (mostOverdue) {
        await source.recordEvent(mostOverdue, "Warning", "ResyncIntervalNotMet", note).catch((err: unknown) => {
          log.warn({ err }, "cannot record the ResyncIntervalNotMet event");
        });
      }
    }
    return needs;
  }

  #mostOverdue(demands: Array<{ kind: string; object: ManagedObject }>): ManagedObject | undefined {
    let oldest: { at: number; object: ManagedObject } | undefined;
    for (const { kind, object } of demands) {
      const at = this.#o.lastChecked(kind, objectKey(object)) ?? 0;
      if (!oldest || at < oldest.at) oldest = { at, object };
    }
    return oldest?.object;
  }
}
