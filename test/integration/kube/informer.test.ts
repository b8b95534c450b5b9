import { CustomObjectsApi, Watch, type KubeConfig } from "@kubernetes/client-node";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/kube/cached-object.ts";
import { Informer } from "../../../src/kube/informer.ts";
import { NAMESPACES } from "../../../src/kube/raw.ts";
import { createNamespace, kubectl, testKubeConfig } from "../../support/kube.ts";
import { eventually, installWidgetCrd, WIDGETS, widgetClient, type Widget } from "./widgets.ts";

/** The real Watch, with hooks to break the running watch and to rewrite the next watch's resourceVersion. */
class ControllableWatch {
  readonly #real: Watch;
  #current: AbortController | undefined;
  #nextResourceVersion: string | undefined;
  #gate: Promise<void> = Promise.resolve();
  readonly resourceVersions: string[] = [];

  constructor(kc: KubeConfig) {
    this.#real = new Watch(kc);
  }

  async watch(...[path, query, callback, done]: Parameters<Watch["watch"]>): Promise<AbortController> {
    await this.#gate;
    const resourceVersion = this.#nextResourceVersion ?? String(query.resourceVersion);
    this.#nextResourceVersion = undefined;
    this.resourceVersions.push(resourceVersion);
    // The informer runs one watch at a time, so the watch that ends is always the current one.
    let ended = false;
    const controller = await this.#real.watch(path, { ...query, resourceVersion }, callback, (error) => {
      ended = true;
      this.#current = undefined;
      done(error);
    });
    if (!ended) this.#current = controller;
    return controller;
  }

  get connected(): boolean {
    return this.#current !== undefined;
  }

  /** Drops the live connection; the next watch waits until the returned function is called. */
  async breakConnection(options: { resumeFrom?: string } = {}): Promise<() => void> {
    await eventually(() => this.connected, 15_000, "a connected watch");
    let open: () => void = () => undefined;
    this.#gate = new Promise((resolve) => (open = resolve));
    this.#nextResourceVersion = options.resumeFrom;
    this.#current?.abort();
    return open;
  }
}

type Seen = { type: "add" | "update" | "delete"; name: string; size?: number | undefined };

function record(informer: Informer<Widget>, namespace: string): Seen[] {
  const seen: Seen[] = [];
  const push = (type: Seen["type"], widget: Widget) => {
    if (widget.metadata.namespace === namespace)
      seen.push({ type, name: widget.metadata.name, size: widget.spec?.size });
  };
  informer.onAdd((w) => push("add", w));
  informer.onUpdate((_old, w) => push("update", w));
  informer.onDelete((w) => push("delete", w));
  return seen;
}

const cacheOf = (informer: Informer<Widget>, namespace: string) =>
  Object.fromEntries(
    informer
      .list()
      .filter((w) => w.metadata.namespace === namespace)
      .map((w) => [w.metadata.name, w.spec?.size]),
  );

let kc: KubeConfig;
let widgets: ReturnType<typeof widgetClient>;
const started: Array<Informer<KubeObject>> = [];

function startInformer<T extends KubeObject>(informer: Informer<T>): Informer<T> {
  informer.start();
  started.push(informer as unknown as Informer<KubeObject>);
  return informer;
}

beforeAll(async () => {
  await installWidgetCrd();
  kc = testKubeConfig();
  widgets = widgetClient(kc);
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((informer) => informer.stop()));
});

describe("Informer against a real API server", () => {
  it("lists existing objects, then delivers add, update and delete events", async () => {
    const ns = await createNamespace("informer-events");
    await widgets.create(ns, "before", 1);
    const informer = new Informer<Widget>(kc, { resource: WIDGETS });
    const seen = record(informer, ns);
    startInformer(informer);
    await eventually(() => informer.hasSynced(), 15_000, "initial list");
    expect(seen).toEqual([{ type: "add", name: "before", size: 1 }]);
    expect(informer.get(ns, "before")?.kind).toBe("Widget");

    await widgets.create(ns, "after", 2);
    await widgets.resize(ns, "before", 5);
    await widgets.remove(ns, "after");
    await eventually(() => seen.length === 4, 15_000, "watch events");
    expect(seen.slice(1)).toEqual([
      { type: "add", name: "after", size: 2 },
      { type: "update", name: "before", size: 5 },
      { type: "delete", name: "after", size: 2 },
    ]);
    expect(cacheOf(informer, ns)).toEqual({ before: 5 });
    expect(informer.get(ns, "after")).toBeUndefined();
    expect(informer.isStale()).toBe(false);
    expect(informer.isStale(Date.now() + 10 * 60_000)).toBe(true);
  });

  it("reconnects from the last resourceVersion after the watch breaks, without relisting", async () => {
    const ns = await createNamespace("informer-reconnect");
    const watch = new ControllableWatch(kc);
    const informer = new Informer<Widget>(kc, { resource: WIDGETS, watch, backoffBaseMs: 100 });
    const seen = record(informer, ns);
    startInformer(informer);
    await eventually(() => informer.hasSynced());
    await widgets.create(ns, "a", 1);
    await eventually(() => informer.get(ns, "a") !== undefined);
    const { lists, watches } = informer.stats();

    const reopen = await watch.breakConnection();
    await widgets.create(ns, "b", 2);
    await widgets.resize(ns, "a", 3);
    await widgets.remove(ns, "b");
    reopen();

    await eventually(
      () => cacheOf(informer, ns).a === 3 && informer.get(ns, "b") === undefined,
      15_000,
      "changes made while disconnected",
    );
    expect(informer.stats().lists).toBe(lists);
    expect(informer.stats().watches).toBeGreaterThan(watches);
    expect(watch.resourceVersions.length).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([
      { type: "add", name: "a", size: 1 },
      { type: "add", name: "b", size: 2 },
      { type: "update", name: "a", size: 3 },
      { type: "delete", name: "b", size: 2 },
    ]);
  });

  it("relists on 410 Gone and reports what changed while it was away", async () => {
    const ns = await createNamespace("informer-gone");
    await widgets.create(ns, "kept", 1);
    await widgets.create(ns, "removed", 1);
    const watch = new ControllableWatch(kc);
    const informer = new Informer<Widget>(kc, { resource: WIDGETS, watch, backoffBaseMs: 100 });
    const seen = record(informer, ns);
    startInformer(informer);
    await eventually(() => informer.hasSynced());
    const { lists } = informer.stats();

    // Resume from a resourceVersion the server has long forgotten: it answers 410 Gone.
    const reopen = await watch.breakConnection({ resumeFrom: "1" });
    await widgets.resize(ns, "kept", 7);
    await widgets.remove(ns, "removed");
    await widgets.create(ns, "added", 4);
    reopen();

    await eventually(() => informer.stats().lists > lists, 15_000, "a relist");
    await eventually(() => seen.length === 5, 15_000, "relist events");
    expect(watch.resourceVersions).toContain("1");
    expect(seen.slice(2)).toEqual(
      expect.arrayContaining([
        { type: "update", name: "kept", size: 7 },
        { type: "delete", name: "removed", size: 1 },
        { type: "add", name: "added", size: 4 },
      ]),
    );
    expect(cacheOf(informer, ns)).toEqual({ kept: 7, added: 4 });
  });

  it("restarts a silent watch from its watchdog and keeps delivering events", async () => {
    const informer = startInformer(
      new Informer<Widget>(kc, { resource: WIDGETS, staleAfterMs: 800, watchTimeoutSeconds: 300 }),
    );
    await eventually(() => informer.hasSynced());
    const { watches, lists } = informer.stats();
    await eventually(() => informer.stats().watches >= watches + 2, 15_000, "watchdog restarts");
    expect(informer.stats().lists).toBe(lists);
    const ns = await createNamespace("informer-watchdog");
    await widgets.create(ns, "late", 9);
    await eventually(() => informer.get(ns, "late")?.spec?.size === 9, 15_000, "an event after the restarts");
    await eventually(() => !informer.isStale(), 15_000, "a fresh watch");
  });

  it("caches objects without managedFields or kubectl's last-applied copy, listed and watched alike", async () => {
    const ns = await createNamespace("informer-prune");
    const manifest = (name: string) =>
      JSON.stringify({
        apiVersion: `${WIDGETS.group}/${WIDGETS.version}`,
        kind: "Widget",
        metadata: { name, namespace: ns, annotations: { team: "blue" } },
        spec: { size: 1 },
      });
    expect((await kubectl(["apply", "-f", "-"], { input: manifest("listed") })).code).toBe(0);
    const informer = startInformer(new Informer<Widget>(kc, { resource: WIDGETS }));
    await eventually(() => informer.get(ns, "listed") !== undefined, 15_000, "listed widget");
    expect((await kubectl(["apply", "-f", "-"], { input: manifest("watched") })).code).toBe(0);
    await eventually(() => informer.get(ns, "watched") !== undefined, 15_000, "watched widget");

    for (const name of ["listed", "watched"]) {
      const metadata = informer.get(ns, name)?.metadata as Record<string, unknown>;
      expect(metadata).not.toHaveProperty("managedFields");
      // Only kubectl's own copy goes; the object's annotations stay.
      expect(metadata.annotations).toEqual({ team: "blue" });
    }
    // The server does keep both: they are dropped from the cache only.
    const served = await kubectl(["get", "widgets", "-n", ns, "listed", "-o", "json", "--show-managed-fields"]);
    const raw = JSON.parse(served.stdout) as { metadata: { managedFields?: unknown[]; annotations: object } };
    expect(raw.metadata.managedFields?.length).toBeGreaterThan(0);
    expect(Object.keys(raw.metadata.annotations)).toContain("kubectl.kubernetes.io/last-applied-configuration");
  });

  it("keeps one spec object across status-only updates, and takes a new one when the spec changes", async () => {
    const ns = await createNamespace("informer-spec");
    await widgets.create(ns, "w", 1);
    const informer = startInformer(new Informer<Widget>(kc, { resource: WIDGETS }));
    await eventually(() => informer.get(ns, "w") !== undefined, 15_000, "listed widget");
    const first = informer.get(ns, "w") as Widget;
    const writeStatus = async (round: number) => {
      const current = await widgets.get(ns, "w");
      await kc.makeApiClient(CustomObjectsApi).replaceNamespacedCustomObjectStatus({
        ...WIDGETS,
        namespace: ns,
        name: "w",
        body: { ...current, status: { round } },
      });
      await eventually(() => informer.get(ns, "w")?.status?.round === round, 15_000, `status round ${round}`);
    };
    await writeStatus(1);
    const afterStatus = informer.get(ns, "w") as Widget;
    expect(afterStatus).not.toBe(first);
    expect(afterStatus.spec).toBe(first.spec);
    await widgets.resize(ns, "w", 2);
    await eventually(() => informer.get(ns, "w")?.spec?.size === 2, 15_000, "resized widget");
    expect(informer.get(ns, "w")?.spec).not.toBe(first.spec);
    // Recreated under the same name (a new uid, generation 1 again): never the old object's spec.
    await widgets.remove(ns, "w");
    await eventually(() => informer.get(ns, "w") === undefined, 15_000, "deleted widget");
    await widgets.create(ns, "w", 7);
    await eventually(() => informer.get(ns, "w")?.spec?.size === 7, 15_000, "recreated widget");
  });

  it("stops promptly while its watch is open", async () => {
    const informer = new Informer<Widget>(kc, { resource: WIDGETS, watchTimeoutSeconds: 300 });
    informer.start();
    await eventually(() => informer.hasSynced());
    const startedAt = Date.now();
    await informer.stop();
    // Well under the watch's own lifetime: stop() aborts the open connection instead of waiting it out.
    expect(Date.now() - startedAt).toBeLessThan(5000);
  });

  it("watches Namespaces with their annotations", async () => {
    const informer = new Informer<{ kind?: string; metadata: { name: string; annotations?: Record<string, string> } }>(
      kc,
      { resource: NAMESPACES },
    );
    const updates: string[] = [];
    informer.onUpdate((_old, ns) =>
      updates.push(`${ns.metadata.name}:${ns.metadata.annotations?.["driftguard.dev/tenant"] ?? ""}`),
    );
    startInformer(informer);
    await eventually(() => informer.hasSynced());
    expect(informer.get(undefined, "default")?.kind).toBe("Namespace");

    const name = await createNamespace("informer-ns", { "driftguard.dev/tenant": "blue" });
    await eventually(() => informer.get(undefined, name) !== undefined);
    expect(informer.get(undefined, name)?.metadata.annotations).toMatchObject({ "driftguard.dev/tenant": "blue" });
    const annotate = await kubectl(["annotate", "namespace", name, "--overwrite", "driftguard.dev/tenant=green"]);
    expect(annotate.code).toBe(0);
    await eventually(() => updates.includes(`${name}:green`), 15_000, "namespace update");
  });
});
