// The audit feed as the controller runs it: one Pub/Sub subscription of Admin Activity entries (consumed by
// the leader only), the feed that maps each entry to the objects managing that Google resource, and the
// attribution lookups the reconcilers ask when they find drift. Polling stays as it was: the feed only
// queues objects sooner, so a broken subscription costs speed, never correctness.

import type { Logger } from "pino";
import { PubSubSubscriber, type SubscriptionState } from "../gcp/pubsub.ts";
import type { CommonSpec, ManagedKind, ManagedObject, ObjectLookup, ResourceType } from "../kinds/kind.ts";
import { AuditFeed, type AuditOutcome } from "../sources/audit-feed.ts";
import { splitKey, type Change } from "../sources/source.ts";
import type { AttributionLookup } from "./attribution.ts";

export interface AuditConfig {
  /** "projects/P/subscriptions/S", fed by a Logging sink of Admin Activity entries. */
  subscription: string;
  /** driftguard's own Google principal; when set, only its writes with driftguard's user agent are its own. */
  selfPrincipal?: string;
  /** Messages held at once; default 100. */
  maxMessages?: number;
  maxBackoffMs?: number;
  probeMs?: number;
}

export interface AuditHooks {
  onAuditMessage?: (outcome: AuditOutcome) => void;
  onAuditSubscription?: (state: SubscriptionState, error?: Error) => void;
}

export class AuditWiring {
  readonly feed: AuditFeed;
  readonly #subscriber: PubSubSubscriber;
  readonly #source: ObjectLookup;

  constructor(
    config: AuditConfig,
    kinds: Array<ManagedKind<CommonSpec>>,
    source: ObjectLookup,
    enqueue: (resource: ResourceType, key: string) => void,
    log: Logger,
    hooks: AuditHooks = {},
  ) {
    this.#source = source;
    this.feed = new AuditFeed({
      targets: kinds.map((kind) => ({ resource: kind.resource, googleNames: (o) => googleNames(kind, o) })),
      ...(config.selfPrincipal ? { self: { principal: config.selfPrincipal } } : {}),
      enqueue,
      onOutcome: (outcome, change) => {
        hooks.onAuditMessage?.(outcome);
        if (outcome === "enqueued" && change) {
          log.info(
            { resource: change.resource, method: change.method, principal: change.principal, at: change.at },
            "audit entry: change by someone else, reconciling now",
          );
        } else if (outcome === "malformed") log.warn("audit entry: not a LogEntry; acknowledged and dropped");
      },
    });
    this.#subscriber = new PubSubSubscriber({
      subscription: config.subscription,
      onMessage: (data) => this.feed.handle(data),
      onState: (state, error) => {
        hooks.onAuditSubscription?.(state, error);
        if (state === "degraded") {
          log.error(
            { err: error, subscription: config.subscription },
            "audit subscription failing: drift is found by polling until it recovers",
          );
        } else if (state === "connected")
          log.info({ subscription: config.subscription }, "audit subscription connected");
      },
      ...(config.maxMessages ? { maxMessages: config.maxMessages } : {}),
      ...(config.maxBackoffMs ? { maxBackoffMs: config.maxBackoffMs } : {}),
      ...(config.probeMs ? { probeMs: config.probeMs } : {}),
    });
  }

  /** The manager's change hook: keeps the feed's index in step with the watch. */
  readonly onChange = (resource: ResourceType, key: string, change: Change): void => {
    const { namespace, name } = splitKey(key);
    this.feed.observe(resource, key, change.deleted ? undefined : this.#source.get(resource, namespace, name));
  };

  /** What the reconciler of one kind asks when it finds drift. */
  attribution(resource: ResourceType): AttributionLookup {
    return { lastChange: (key) => this.feed.lastChange(resource, key) };
  }

  /** Starts consuming (the leader, once its workers run). */
  start(): void {
    this.#subscriber.start();
  }

  /** Stops consuming; unhandled messages go back to Pub/Sub for the next leader. */
  stop(): Promise<void> {
    return this.#subscriber.stop();
  }

  close(): Promise<void> {
    return this.#subscriber.close();
  }
}

function googleNames(kind: ManagedKind<CommonSpec>, object: ManagedObject): string[] {
  const parsed = kind.parseSpec(object.spec);
  return parsed.ok ? [kind.targetName(parsed.spec)] : [];
}
