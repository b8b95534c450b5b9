// Turns audit entries into work: an index from Google resource names to the custom resources that manage
// them, kept in step with the watch, so an entry for a managed service or connector queues that object at
// once instead of waiting for its resync. It also remembers, per object, the latest change someone other
// than driftguard made, which is what drift reports name as the actor. Memory is bounded by the number of
// managed objects: one index entry and at most one remembered change each.

import type { ManagedObject, ResourceType } from "../kinds/kind.ts";
import { actorKind, isOwnWrite, toolFromUserAgent, type ActorKind, type SelfIdentity } from "./audit-actor.ts";
import { parseAuditMessage, type AuditChange, type AuditIgnoreReason } from "./audit-entry.ts";

export interface AuditTarget {
  resource: ResourceType;
  /** The canonical Google names (projects/P/locations/L/...) an object manages; [] when its spec is invalid. */
  googleNames(object: ManagedObject): string[];
}

/** What became of one message; each is counted. */
export type AuditOutcome = "enqueued" | "unmatched" | "own_write" | AuditIgnoreReason;

export interface AuditFeedOptions {
  targets: AuditTarget[];
  self?: SelfIdentity;
  /** Queues an object for reconcile now. */
  enqueue(resource: ResourceType, key: string): void;
  onOutcome?(outcome: AuditOutcome, change?: AuditChange): void;
}

/** The latest out-of-band change to one object (the shape of the controller's DriftAttribution). */
export interface RecordedChange {
  principal: string;
  tool?: string;
  at: string;
  actorKind: ActorKind;
}

export class AuditFeed {
  readonly #o: AuditFeedOptions;
  readonly #targets = new Map<string, AuditTarget>();
  /** Google name → object ids ("Kind/namespace/name"). */
  readonly #byName = new Map<string, Set<string>>();
  /** Object id → the Google names it manages. */
  readonly #namesOf = new Map<string, string[]>();
  readonly #latest = new Map<string, RecordedChange & { atMs: number }>();

  constructor(options: AuditFeedOptions) {
    this.#o = options;
    for (const target of options.targets) this.#targets.set(target.resource.kind, target);
  }

  /** Keeps the index in step with a watch event: the object as now cached, or undefined once deleted. */
  observe(resource: ResourceType, key: string, object: ManagedObject | undefined): void {
    const target = this.#targets.get(resource.kind);
    if (!target) return;
    const id = `${resource.kind}/${key}`;
    if (!object) this.#latest.delete(id);
    const names = object ? target.googleNames(object) : [];
    const before = this.#namesOf.get(id) ?? [];
    if (same(before, names)) return;
    for (const name of before) {
      const ids = this.#byName.get(name);
      ids?.delete(id);
      if (ids?.size === 0) this.#byName.delete(name);
    }
    if (names.length === 0) {
      this.#namesOf.delete(id);
      return;
    }
    this.#namesOf.set(id, names);
    for (const name of names) {
      let ids = this.#byName.get(name);
      if (!ids) this.#byName.set(name, (ids = new Set()));
      ids.add(id);
    }
  }

  /** Handles one message (a LogEntry in JSON); never throws. The caller acks it afterwards. */
  handle(data: Buffer | string): AuditOutcome {
    const parsed = parseAuditMessage(data);
    if (parsed.kind === "ignored") return this.#outcome(parsed.reason);
    const { change } = parsed;
    const ids = this.#byName.get(change.resource);
    if (!ids || ids.size === 0) return this.#outcome("unmatched", change);
    const own = isOwnWrite(change, this.#o.self ?? {});
    const atMs = Date.parse(change.at);
    // A long-running write's closing entry is stamped when the operation ends, possibly after driftguard has
    // healed it; the change was made (and remembered) with its first entry.
    const closing = change.operation?.last === true && !change.operation.first;
    if (!closing) for (const id of ids) this.#remember(id, change, own, Number.isNaN(atMs) ? Date.now() : atMs);
    if (own) return this.#outcome("own_write", change);
    for (const id of ids) {
      const slash = id.indexOf("/");
      const target = this.#targets.get(id.slice(0, slash));
      if (target) this.#o.enqueue(target.resource, id.slice(slash + 1));
    }
    return this.#outcome("enqueued", change);
  }

  /** The latest change someone other than driftguard made to this object, unless driftguard has written since. */
  lastChange(resource: ResourceType, key: string): RecordedChange | undefined {
    const latest = this.#latest.get(`${resource.kind}/${key}`);
    if (!latest) return undefined;
    const { atMs: _atMs, ...change } = latest;
    return change;
  }

  /** Number of Google names indexed, for tests and metrics. */
  indexedNames(): number {
    return this.#byName.size;
  }

  #remember(id: string, change: AuditChange, own: boolean, atMs: number): void {
    const latest = this.#latest.get(id);
    if (latest && latest.atMs > atMs) return; // an older entry delivered late
    if (own) {
      // driftguard wrote after that change (healing it): later drift is not that actor's.
      this.#latest.delete(id);
      return;
    }
    const tool = toolFromUserAgent(change.userAgent);
    this.#latest.set(id, {
      principal: change.principal,
      ...(tool ? { tool } : {}),
      at: change.at,
      actorKind: actorKind(change.principal),
      atMs,
    });
  }

  #outcome(outcome: AuditOutcome, change?: AuditChange): AuditOutcome {
    this.#o.onOutcome?.(outcome, change);
    return outcome;
  }
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
