// List + watch of one cluster-wide collection with an in-memory cache, written as a small explicit
// loop instead of the client's makeInformer (which stops silently on several errors):
// - list (paged), then watch from the list's resourceVersion with bookmarks;
// - 410 Gone (HTTP or an ERROR event) relists; other ERROR events relist after a backoff;
// - transport errors reconnect from the last resourceVersion with exponential backoff;
// - the server closes each watch after `watchTimeoutSeconds` (sending a bookmark first) and we re-watch;
// - a watchdog restarts a watch that has been silent for `staleAfterMs`.
// Cached objects are pruned of what nothing here reads, and a status-only update keeps the spec object it
// had (see cached-object.ts).

import { Watch, type KubeConfig } from "@kubernetes/client-node";
import { silentLogger, type Logger } from "../observability/logger.ts";
import { objectKey, pruneObject, shareUnchangedSpec, type KubeObject } from "./cached-object.ts";
import { collectionPath, listAll, type ResourceRef } from "./raw.ts";

export interface InformerOptions {
  resource: ResourceRef;
  /** Restart the watch after this long without an event, bookmark or reconnect. Default 2 minutes. */
  staleAfterMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Server-side watch duration; kept under the client's 30s idle timeout. Default 25. */
  watchTimeoutSeconds?: number;
  pageSize?: number;
  logger?: Logger;
  /** The watch implementation; the client's Watch unless given. */
  watch?: Pick<Watch, "watch">;
}

/** Why a watch ended, and so what the loop does next. */
type WatchEnd = "expired" | "failed" | "interrupted" | "ended" | "restart" | "stopped";

/** A watch that ends sooner than this after connecting counts as a failure (no tight reconnect loop). */
const MIN_HEALTHY_WATCH_MS = 1000;

export class Informer<T extends KubeObject> {
  readonly #kc: KubeConfig;
  readonly #path: string;
  readonly #watch: Pick<Watch, "watch">;
  readonly #log: Logger;
  readonly #staleAfterMs: number;
  readonly #backoffBaseMs: number;
  readonly #backoffMaxMs: number;
  readonly #watchTimeoutSeconds: number;
  readonly #pageSize: number;
  readonly #cache = new Map<string, T>();
  readonly #handlers = {
    add: [] as Array<(o: T) => void>,
    update: [] as Array<(a: T, b: T) => void>,
    delete: [] as Array<(o: T) => void>,
  };
  #resourceVersion = "";
  #synced = false;
  #lastEventAt = 0;
  #failures = 0;
  #lists = 0;
  #watches = 0;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #endWatch: ((end: WatchEnd) => void) | undefined;
  #wake: (() => void) | undefined;
  #watchdog: NodeJS.Timeout | undefined;

  constructor(kc: KubeConfig, options: InformerOptions) {
    this.#kc = kc;
    this.#path = collectionPath(options.resource);
    this.#watch = options.watch ?? new Watch(kc);
    this.#log = (options.logger ?? silentLogger).child({ informer: this.#path });
    this.#staleAfterMs = options.staleAfterMs ?? 120_000;
    this.#backoffBaseMs = options.backoffBaseMs ?? 500;
    this.#backoffMaxMs = options.backoffMaxMs ?? 30_000;
    this.#watchTimeoutSeconds = options.watchTimeoutSeconds ?? 25;
    this.#pageSize = options.pageSize ?? 500;
  }

  onAdd(handler: (object: T) => void): void {
    this.#handlers.add.push(handler);
  }

  onUpdate(handler: (oldObject: T, newObject: T) => void): void {
    this.#handlers.update.push(handler);
  }

  onDelete(handler: (object: T) => void): void {
    this.#handlers.delete.push(handler);
  }

  start(): void {
    if (this.#loop) throw new Error(`informer for ${this.#path} already started`);
    this.#lastEventAt = Date.now();
    this.#loop = this.#run();
    this.#watchdog = setInterval(
      () => {
        if (this.isStale()) this.restartWatch();
      },
      Math.min(this.#staleAfterMs / 4, 10_000),
    );
    this.#watchdog.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#watchdog);
    this.#endWatch?.("stopped");
    this.#wake?.();
    await this.#loop;
  }

  /** Ends the current watch; the loop re-watches at once from the last resourceVersion. */
  restartWatch(): void {
    this.#endWatch?.("restart");
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.#cache.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.#cache.values()];
  }

  /** True once the first full list is in the cache (for /readyz). */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** When the last event, bookmark, list or watch (re)connect happened (ms since the epoch). */
  get lastEventAt(): number {
    return this.#lastEventAt;
  }

  /** True when nothing arrived for longer than staleAfterMs (for /healthz). */
  isStale(now = Date.now()): boolean {
    return now - this.#lastEventAt > this.#staleAfterMs;
  }

  stats(): { lists: number; watches: number; resourceVersion: string } {
    return { lists: this.#lists, watches: this.#watches, resourceVersion: this.#resourceVersion };
  }

  async #run(): Promise<void> {
    let needList = true;
    while (!this.#stopped) {
      try {
        if (needList) {
          await this.#relist();
          needList = false;
        }
        const end = await this.#watchOnce();
        if (end === "ended") this.#failures = 0;
        if (end === "expired" || end === "failed") needList = true;
        if (end === "failed" || end === "interrupted") await this.#backoff();
      } catch (error) {
        this.#log.warn({ err: error }, "list failed; retrying");
        await this.#backoff();
      }
    }
  }

  async #relist(): Promise<void> {
    const { items, resourceVersion } = await listAll<T>(this.#kc, this.#path, this.#pageSize);
    this.#lists += 1;
    const previous = new Map(this.#cache);
    this.#cache.clear();
    for (const item of items) {
      const key = objectKey(item);
      this.#cache.set(key, shareUnchangedSpec(previous.get(key), pruneObject(item)));
    }
    this.#resourceVersion = resourceVersion;
    this.#synced = true;
    this.#failures = 0;
    this.#lastEventAt = Date.now();
    this.#log.debug({ items: items.length, resourceVersion }, "listed");
    for (const [key, item] of this.#cache) {
      const before = previous.get(key);
      if (!before) this.#emit("add", item);
      else if (before.metadata?.resourceVersion !== item.metadata?.resourceVersion) this.#emit("update", before, item);
    }
    for (const [key, before] of previous) if (!this.#cache.has(key)) this.#emit("delete", before);
  }

  #watchOnce(): Promise<WatchEnd> {
    if (this.#stopped) return Promise.resolve("stopped");
    const startedAt = Date.now();
    this.#watches += 1;
    return new Promise<WatchEnd>((resolve) => {
      let verdict: WatchEnd | undefined;
      let controller: AbortController | undefined;
      let finished = false;
      const finish = (end: WatchEnd) => {
        if (finished) return;
        finished = true;
        this.#endWatch = undefined;
        resolve(end);
      };
      const endWith = (end: WatchEnd) => {
        verdict ??= end;
        if (controller) controller.abort();
      };
      this.#endWatch = endWith;
      const onEvent = (type: string, object: unknown) => {
        if (finished || verdict) return;
        const end = this.#apply(type, object);
        if (end) endWith(end);
      };
      const onDone = (error: unknown) => {
        if (verdict) return finish(verdict);
        if (statusCodeOf(error) === 410) return finish("expired");
        if (error && !isIdleTimeout(error)) this.#log.warn({ err: error }, "watch failed; reconnecting");
        const healthy = (!error || isIdleTimeout(error)) && Date.now() - startedAt >= MIN_HEALTHY_WATCH_MS;
        finish(healthy ? "ended" : "interrupted");
      };
      const query = {
        allowWatchBookmarks: true,
        resourceVersion: this.#resourceVersion,
        timeoutSeconds: this.#watchTimeoutSeconds,
      };
      this.#watch.watch(this.#path, query, onEvent, onDone).then(
        (abort) => {
          controller = abort;
          if (verdict || finished) abort.abort();
          else this.#lastEventAt = Date.now();
        },
        (error: unknown) => onDone(error),
      );
    });
  }

  /** Applies one watch event to the cache; returns how the watch must end, if it must. */
  #apply(type: string, object: unknown): WatchEnd | undefined {
    this.#lastEventAt = Date.now();
    if (type === "ERROR") {
      const code = (object as { code?: number } | undefined)?.code;
      this.#log.info(
        { code, status: object },
        code === 410 ? "resourceVersion expired; relisting" : "watch error event; relisting",
      );
      return code === 410 ? "expired" : "failed";
    }
    const item = pruneObject(object as T);
    const resourceVersion = item.metadata?.resourceVersion;
    if (resourceVersion) this.#resourceVersion = resourceVersion;
    if (type === "BOOKMARK") return undefined;
    const key = objectKey(item);
    const before = this.#cache.get(key);
    // DELETED carries the object's final state, which is what delete handlers get.
    if (type === "DELETED") {
      this.#cache.delete(key);
      this.#emit("delete", item);
    } else if (type === "ADDED" || type === "MODIFIED") {
      this.#cache.set(key, shareUnchangedSpec(before, item));
      if (before) this.#emit("update", before, item);
      else this.#emit("add", item);
    }
    return undefined;
  }

  #emit(event: "add" | "delete", object: T): void;
  #emit(event: "update", before: T, after: T): void;
  #emit(event: "add" | "update" | "delete", first: T, second?: T): void {
    const handlers: Array<(a: T, b: T) => void> = this.#handlers[event];
    for (const handler of handlers) {
      try {
        handler(first, second ?? first);
      } catch (error) {
        this.#log.error({ err: error, event, key: objectKey(second ?? first) }, "informer handler threw");
      }
    }
  }

  async #backoff(): Promise<void> {
    const delay =
      Math.min(this.#backoffMaxMs, this.#backoffBaseMs * 2 ** this.#failures) * (0.75 + Math.random() * 0.25);
    this.#failures += 1;
    if (this.#stopped) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
  }
}

function statusCodeOf(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === "number" ? code : undefined;
}

/** The client aborts a watch that has been idle for 30s; for us that is a normal end. */
function isIdleTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === "TimeoutError";
}
