import { EventsV1Api, type KubeConfig } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../src/observability/logger.ts";
import { EventRecorder, REPORTING_CONTROLLER, type ObjectReference } from "../../../src/kube/events.ts";
import { createNamespace, kubectl, testKubeConfig } from "../../support/kube.ts";
import { ObservedKubeConfig } from "./observed-kubeconfig.ts";
import { installWidgetCrd, widgetClient } from "./widgets.ts";

interface RawEvent {
  metadata: { name: string };
  eventTime: string;
  reportingController: string;
  reportingInstance: string;
  regarding: ObjectReference;
  type: string;
  reason: string;
  action: string;
  note: string;
  series?: { count: number; lastObservedTime: string };
}

/** Reads the namespace's events the way an operator would (kubectl, events.k8s.io/v1). */
async function eventsIn(namespace: string): Promise<RawEvent[]> {
  const result = await kubectl(["get", "events.v1.events.k8s.io", "-n", namespace, "-o", "json"]);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { items: RawEvent[] }).items.sort((a, b) =>
    a.eventTime.localeCompare(b.eventTime),
  );
}

let kc: KubeConfig;
beforeAll(async () => {
  await installWidgetCrd();
  kc = testKubeConfig();
});

async function widgetIn(prefix: string): Promise<ObjectReference & { namespace: string }> {
  const namespace = await createNamespace(prefix);
  const widget = await widgetClient(kc).create(namespace, "gadget");
  return {
    apiVersion: "test.driftguard.dev/v1",
    kind: "Widget",
    name: "gadget",
    namespace,
    uid: widget.metadata.uid ?? "",
  };
}

/** A clock the test moves by hand. */
function manualClock(start = Date.parse("2030-01-01T00:00:00.000Z")) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

describe("EventRecorder against a real API server", () => {
  it("creates an events.k8s.io/v1 Event with the reporting controller and object reference", async () => {
    const regarding = await widgetIn("events-create");
    const clock = manualClock();
    const recorder = new EventRecorder(kc, { reportingInstance: "driftguard-0", now: clock.now });
    await recorder.warning(regarding, "UpdateFailed", "UpdateService", "PERMISSION_DENIED: grant run.services.update");

    const [event, ...rest] = await eventsIn(regarding.namespace);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: "driftguard-0",
      type: "Warning",
      reason: "UpdateFailed",
      action: "UpdateService",
      note: "PERMISSION_DENIED: grant run.services.update",
      regarding,
      eventTime: "2030-01-01T00:00:00.000000Z",
    });
    expect(event?.series).toBeUndefined();
    expect(event?.metadata.name).toMatch(/^gadget\.[0-9a-f]+$/);
  });

  it("turns repeats within the window into a series on one Event", async () => {
    const regarding = await widgetIn("events-series");
    const clock = manualClock();
    const recorder = new EventRecorder(kc, {
      reportingInstance: "driftguard-0",
      now: clock.now,
      seriesWindowMs: 60_000,
    });
    await recorder.normal(regarding, "DriftHealed", "UpdateService", "timeout 300s -> 60s");
    clock.advance(30_000);
    await recorder.normal(regarding, "DriftHealed", "UpdateService", "timeout 300s -> 60s");
    clock.advance(30_000);
    await Promise.all([
      recorder.normal(regarding, "DriftHealed", "UpdateService", "timeout 300s -> 60s"),
      recorder.normal(regarding, "DriftHealed", "UpdateService", "timeout 300s -> 60s"),
    ]);
    await recorder.normal(regarding, "DriftHealed", "UpdateService", "concurrency 80 -> 40");

    const events = await eventsIn(regarding.namespace);
    expect(events.map((e) => [e.note, e.series?.count])).toEqual([
      ["timeout 300s -> 60s", 4],
      ["concurrency 80 -> 40", undefined],
    ]);
    expect(events[0]?.series?.lastObservedTime).toBe("2030-01-01T00:01:00.000000Z");
  });

  it("starts a new Event once the window has passed or the old one is gone", async () => {
    const regarding = await widgetIn("events-window");
    const clock = manualClock();
    const recorder = new EventRecorder(kc, {
      reportingInstance: "driftguard-0",
      now: clock.now,
      seriesWindowMs: 60_000,
    });
    await recorder.normal(regarding, "Observed", "GetService", "in sync");
    clock.advance(60_001);
    await recorder.normal(regarding, "Observed", "GetService", "in sync");
    expect((await eventsIn(regarding.namespace)).map((e) => e.series?.count)).toEqual([undefined, undefined]);

    const deleted = await kubectl(["delete", "events.v1.events.k8s.io", "--all", "-n", regarding.namespace]);
    expect(deleted.code, deleted.stderr).toBe(0);
    clock.advance(1000);
    await recorder.normal(regarding, "Observed", "GetService", "in sync");
    const events = await eventsIn(regarding.namespace);
    expect(events).toHaveLength(1);
    expect(events[0]?.series).toBeUndefined();
  });

  it("forgets the least recently used series beyond its capacity, and only those", async () => {
    const regarding = await widgetIn("events-lru");
    const clock = manualClock();
    const recorder = new EventRecorder(kc, { reportingInstance: "driftguard-0", now: clock.now, maxTracked: 2 });
    await recorder.normal(regarding, "Observed", "GetService", "a");
    await recorder.normal(regarding, "Observed", "GetService", "b");
    await recorder.normal(regarding, "Observed", "GetService", "a"); // a is now the most recent
    await recorder.normal(regarding, "Observed", "GetService", "c"); // forgets b
    await recorder.normal(regarding, "Observed", "GetService", "a");
    await recorder.normal(regarding, "Observed", "GetService", "b");
    const events = await eventsIn(regarding.namespace);
    expect(events.map((e) => [e.note, e.series?.count ?? 1]).sort()).toEqual([
      ["a", 3],
      ["b", 1],
      ["b", 1],
      ["c", 1],
    ]);
  });

  it("truncates long notes so the API server accepts them, and reads back through the typed client", async () => {
    const regarding = await widgetIn("events-note");
    const recorder = new EventRecorder(kc, { reportingInstance: "driftguard-0" });
    await recorder.warning(regarding, "InvalidSpec", "Validate", "field ".repeat(400));
    const list = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: regarding.namespace });
    const [event] = list.items;
    expect(Buffer.byteLength(event?.note ?? "")).toBe(1024);
    expect(event?.note?.endsWith("...")).toBe(true);
  });

  it("logs and swallows API failures instead of throwing", async () => {
    const lines: Array<{ msg?: string; reason?: string }> = [];
    const logger = createLogger({
      level: "warn",
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as { msg?: string }) },
    });
    const recorder = new EventRecorder(kc, { reportingInstance: "driftguard-0", logger });
    const missing = { apiVersion: "v1", kind: "ConfigMap", name: "nowhere", namespace: "no-such-namespace-4242" };
    await expect(recorder.normal(missing, "Observed", "Get", "note")).resolves.toBeUndefined();
    expect(lines).toEqual([expect.objectContaining({ msg: "recording event failed", reason: "Observed" })]);
  });

  it("asks beforeWrite right before each request: a write queued behind another is refused once the gate closes", async () => {
    const regarding = await widgetIn("events-gate");
    const requests: string[] = [];
    let leading = true;
    // The gate closes the moment the first request goes out, while the repeat waits behind it.
    const observed = new ObservedKubeConfig((request) => {
      requests.push(request);
      leading = false;
    });
    const recorder = new EventRecorder(observed, { reportingInstance: "driftguard-0" });
    const beforeWrite = () => {
      if (!leading) throw new Error("no longer leading");
    };
    const event = {
      regarding,
      type: "Normal",
      reason: "Updated",
      action: "Reconcile",
      note: "Applied 1 field",
    } as const;
    await Promise.all([recorder.record(event, { beforeWrite }), recorder.record(event, { beforeWrite })]);
    expect(requests).toEqual([`POST /apis/events.k8s.io/v1/namespaces/${regarding.namespace}/events`]);
    const events = await eventsIn(regarding.namespace);
    expect(events).toHaveLength(1);
    expect(events[0]?.series).toBeUndefined();
  });
});
