// What keeps a replica that is not the leader from writing anything. Every replica fills its caches (so a
// standby is ready and takes over with warm caches), but only the leader's workers run; and should a
// reconcile still be in flight when leadership is lost, its next Google call, status write or event fails
// here instead of racing the new leader. `allowed()` is asked at the moment of sending (after any wait
// for a rate-limit token), and the elector answers it from the clock, not from a flag its renew loop
// sets: a process that was paused (SIGSTOP, a long GC, a frozen VM) must not act on a lease it may have
// lost while it could not run.

import type { CallContext } from "../gcp/errors.ts";
import { CallGuard, type CallGuardOptions } from "../gcp/guard.ts";
import type { ManagedObject, ResourceType } from "../kinds/kind.ts";
import { objectKey, type ChangeHandler, type DesiredStateSource, type EventType } from "../sources/source.ts";

export class NotLeaderError extends Error {
  constructor(action: string) {
    super(`${action} refused: this replica is not the leader`);
    this.name = "NotLeaderError";
  }
}

/**
 * A source whose caches can be filled before the controller starts (`warm`), and whose writes are refused
 * while `allowed()` is false. Starting it replays every cached object, since changes seen while warming
 * had no queue to go to.
 */
export class LeaderGatedSource implements DesiredStateSource {
  readonly #inner: DesiredStateSource;
  readonly #resources: ResourceType[];
  readonly #allowed: () => boolean;
  #notify: ChangeHandler | undefined;
  #warming: Promise<void> | undefined;

  constructor(inner: DesiredStateSource, resources: ResourceType[], allowed: () => boolean) {
    this.#inner = inner;
    this.#resources = resources;
    this.#allowed = allowed;
  }

  /** Starts the underlying source (lists and watches) without handing changes to anyone yet. */
  warm(): Promise<void> {
    this.#warming ??= this.#inner.start((resource, key, change) => this.#notify?.(resource, key, change));
    return this.#warming;
  }

  async start(notify: ChangeHandler): Promise<void> {
    await this.warm();
    this.#notify = notify;
    for (const resource of this.#resources) {
      for (const object of this.#inner.list(resource)) notify(resource, objectKey(object), { deleted: false });
    }
  }

  stop(): Promise<void> {
    this.#notify = undefined;
    return this.#inner.stop();
  }

  get(resource: ResourceType, namespace: string, name: string): ManagedObject | undefined {
    return this.#inner.get(resource, namespace, name);
  }

  list(resource: ResourceType): ManagedObject[] {
    return this.#inner.list(resource);
  }

  namespaceAnnotations(namespace: string): Record<string, string> | undefined {
    return this.#inner.namespaceAnnotations(namespace);
  }

  namespaceLabels(namespace: string): Record<string, string> | undefined {
    return this.#inner.namespaceLabels(namespace);
  }

  policies(): ManagedObject[] {
    return this.#inner.policies();
  }

  /** Refused at once when not leading, and asked again before every request the inner source sends. */
  writeStatus(resource: ResourceType, object: ManagedObject, status: Record<string, unknown>): Promise<boolean> {
    const refusal = () => new NotLeaderError(`status write for ${objectKey(object)}`);
    if (!this.#allowed()) return Promise.reject(refusal());
    return this.#inner.writeStatus(resource, object, status, () => {
      if (!this.#allowed()) throw refusal();
    });
  }

  /** Refused at once when not leading, and asked again right before each request the Event needs. */
  recordEvent(object: ManagedObject, type: EventType, reason: string, note: string): Promise<void> {
    const refusal = () => new NotLeaderError(`event ${reason} for ${objectKey(object)}`);
    if (!this.#allowed()) return Promise.reject(refusal());
    return this.#inner.recordEvent(object, type, reason, note, () => {
      if (!this.#allowed()) throw refusal();
    });
  }

  hasSynced(): boolean {
    return this.#inner.hasSynced();
  }

  isStale(): boolean {
    return this.#inner.isStale();
  }
}

/** A CallGuard that refuses every Google call while `allowed()` is false, checked as the call leaves. */
export class LeaderGatedGuard extends CallGuard {
  readonly #allowed: () => boolean;

  constructor(options: CallGuardOptions, allowed: () => boolean) {
    super(options);
    this.#allowed = allowed;
  }

  protected override beforeSend(context: CallContext): void {
    if (!this.#allowed()) throw new NotLeaderError(`${context.api} ${context.method}`);
  }
}
