// Runs one controller per managed kind over a shared desired-state source: a work queue per kind,
// a fixed pool of workers, and the requeue decisions the reconciler returns. Changes to a dependency
// (a VpcConnectorConfig) re-queue the objects that reference it.

import type { Logger } from "pino";
import type { CommonSpec, ResourceType } from "../kinds/kind.ts";
import type { Change, DesiredStateSource } from "../sources/source.ts";
import type { Reconciler } from "./reconciler.ts";
import { WorkQueue, type WorkQueueOptions } from "./workqueue.ts";

export interface ControllerMetrics {
  reconciled(controller: string, result: "success" | "error" | "requeue" | "requeue_after", seconds: number): void;
  /** Time between two periodic checks of one object: the resync interval as it really is. */
  checkInterval?(controller: string, seconds: number): void;
}

export interface ManagerOptions {
  source: DesiredStateSource;
  // The manager treats every kind alike; the spec type only matters inside each reconciler.
  reconcilers: Array<Reconciler<CommonSpec>>;
  workers?: number;
  queue?: (controller: string) => WorkQueueOptions;
  log: Logger;
  metrics?: ControllerMetrics;
  /** Sees every change the source reports, before it is queued (e.g. to keep an index of the objects). */
  onChange?: (resource: ResourceType, key: string, change: Change) => void;
}

interface Controller {
  name: string;
  reconciler: Reconciler<CommonSpec>;
  queue: WorkQueue;
  workers: Array<Promise<void>>;
  /** When each object's last pass started (ms since the epoch), and whether a resync was due next. */
  checked: Map<string, { at: number; resyncDue: boolean }>;
}

export class Manager {
  #o: ManagerOptions;
  #controllers = new Map<string, Controller>();
  #started = false;

  constructor(options: ManagerOptions) {
    this.#o = options;
    for (const reconciler of options.reconcilers) {
      const name = reconciler.kind.resource.kind.toLowerCase();
      this.#controllers.set(reconciler.kind.resource.kind, {
        name,
        reconciler,
        queue: new WorkQueue(options.queue?.(name) ?? {}),
        workers: [],
        checked: new Map(),
      });
    }
    for (const controller of this.#controllers.values()) {
      controller.reconciler.kind.index?.onRequeue((keys) => keys.forEach((k) => controller.queue.add(k)));
    }
  }

  /** Loads desired state, then starts the workers; resolves once the first full load is queued. */
  async start(): Promise<void> {
    if (this.#started) throw new Error("manager already started");
    this.#started = true;
    await this.#o.source.start((resource, key, change) => this.#onChange(resource, key, change));
    const workers = this.#o.workers ?? 4;
    for (const controller of this.#controllers.values()) {
      for (let i = 0; i < workers; i++) controller.workers.push(this.#work(controller));
    }
  }

  /** Stops taking work, lets in-flight reconciles finish (bounded by `timeoutMs`), stops the source. */
  async stop(timeoutMs = 10_000): Promise<void> {
    const drained = Promise.all(
      [...this.#controllers.values()].map(async (c) => {
        await c.queue.shutDownWithDrain();
        await Promise.all(c.workers);
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([drained, timeout]);
    clearTimeout(timer);
    await this.#o.source.stop();
  }

  /**
   * Queues at once every key of `kinds` (all when omitted) that waits out an exponential backoff, and
   * forgets their failure counts: the API they failed on answers again.
   */
  resetBackoff(kinds?: string[]): number {
    let queued = 0;
    for (const [kind, controller] of this.#controllers) {
      if (kinds === undefined || kinds.includes(kind)) queued += controller.queue.resetBackoff();
    }
    return queued;
  }

  /** When the object `key` of `kind` was last checked (ms since the epoch), if it has been. */
  lastChecked(kind: string, key: string): number | undefined {
    return this.#controllers.get(kind)?.checked.get(key)?.at;
  }

  /** Number of keys waiting per controller, for /readyz and tests. */
  queueLengths(): Record<string, number> {
    return Object.fromEntries([...this.#controllers.values()].map((c) => [c.name, c.queue.len()]));
  }

  /** Queues one object of one kind now, without re-queuing its dependents (e.g. for an audit entry). */
  enqueue(resource: ResourceType, key: string): void {
    this.#controllers.get(resource.kind)?.queue.add(key);
  }

  #onChange(resource: ResourceType, key: string, change: Change): void {
    if (change.deleted) this.#controllers.get(resource.kind)?.checked.delete(key);
    this.#o.onChange?.(resource, key, change);
    if (!change.readinessOnly) this.#controllers.get(resource.kind)?.queue.add(key);
    for (const controller of this.#controllers.values()) {
      const kind = controller.reconciler.kind;
      // Indexes learn every change first (a peer lowering its pool re-admits the configs waiting on it).
      if (kind.index && !change.readinessOnly) {
        const [namespace = "", name = ""] = key.split("/");
        const object = change.deleted ? undefined : this.#o.source.get(resource, namespace, name);
        for (const k of kind.index.changed(resource, key, object)) controller.queue.add(k);
      }
      if (!kind.dependsOn?.some((d) => d.kind === resource.kind) || !kind.dependents) continue;
      const [namespace = "", name = ""] = key.split("/");
      const dependency = this.#o.source.get(resource, namespace, name);
      const keys = dependency
        ? kind.dependents(dependency, this.#o.source)
        : this.#o.source.list(kind.resource).map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`);
      for (const k of keys) controller.queue.add(k);
    }
  }

  async #work(controller: Controller): Promise<void> {
    const { queue, reconciler, name } = controller;
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      const started = performance.now();
      const previous = controller.checked.get(key);
      const check = { at: Date.now(), resyncDue: false };
      // Only a pass that followed a scheduled resync measures the interval (not operation polls or retries).
      if (previous?.resyncDue) this.#o.metrics?.checkInterval?.(name, (check.at - previous.at) / 1000);
      controller.checked.set(key, check);
      try {
        const result = await reconciler.reconcile(key);
        check.resyncDue = result.resync === true;
        const seconds = (performance.now() - started) / 1000;
        if (result.retry) {
          queue.addRateLimited(key, result.retryAfterMs);
          this.#o.metrics?.reconciled(name, result.failed ? "error" : "requeue", seconds);
        } else {
          queue.forget(key);
          if (result.requeueAfterMs !== undefined) {
            queue.addAfter(key, result.requeueAfterMs, result.resync ? "resync" : "event");
          }
          const outcome = result.requeueAfterMs === undefined ? "success" : "requeue_after";
          this.#o.metrics?.reconciled(name, result.failed ? "error" : outcome, seconds);
        }
      } catch (err) {
        // The reconciler classifies Google errors itself; anything reaching here is a bug or a Kubernetes failure.
        this.#o.log.child({ controller: name, key }).error({ err }, "reconcile threw");
        queue.addRateLimited(key);
        this.#o.metrics?.reconciled(name, "error", (performance.now() - started) / 1000);
      } finally {
        queue.done(key);
        const [namespace = "", objectName = ""] = key.split("/");
        if (!this.#o.source.get(reconciler.kind.resource, namespace, objectName)) controller.checked.delete(key);
      }
    }
  }
}
