import type { KubeConfig } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { LeaderGatedSource, NotLeaderError } from "../../../src/controller/leader-gate.ts";
import type { ManagedObject } from "../../../src/kinds/kind.ts";
import { StatusWriter, type StatusTarget } from "../../../src/kube/status.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import { ClusterSource } from "../../../src/sources/cluster.ts";
import { createNamespace, testKubeConfig } from "../../support/kube.ts";
import { ObservedKubeConfig } from "./observed-kubeconfig.ts";
import { installWidgetCrd, WIDGETS, widgetClient, type Widget } from "./widgets.ts";

let kc: KubeConfig;
let widgets: ReturnType<typeof widgetClient>;

beforeAll(async () => {
  await installWidgetCrd();
  kc = testKubeConfig();
  widgets = widgetClient(kc);
});

async function newWidget(prefix: string): Promise<{ target: StatusTarget; widget: Widget }> {
  const namespace = await createNamespace(prefix);
  const widget = await widgets.create(namespace, "gadget", 2);
  return { target: { ...WIDGETS, namespace, name: "gadget" }, widget };
}

/** A kubeconfig that records each request; the Lease is lost while the re-read after a 409 is in flight. */
function leaseLostOnReread(): { kc: ObservedKubeConfig; sent: string[]; leading: () => boolean } {
  const sent: string[] = [];
  let leading = true;
  const kc = new ObservedKubeConfig((request) => {
    sent.push(request);
    if (request.startsWith("GET ")) leading = false;
  });
  return { kc, sent, leading: () => leading };
}

const ready = {
  observedGeneration: 1,
  conditions: [
    { type: "Ready", status: "True", reason: "UpToDate", message: "", lastTransitionTime: "2030-01-01T00:00:00Z" },
  ],
};

describe("StatusWriter against a real API server", () => {
  it("writes status through the subresource without touching spec or generation", async () => {
    const { target, widget } = await newWidget("status-write");
    const writer = new StatusWriter(kc);
    const result = await writer.write(target, ready, widget);
    expect(result.outcome).toBe("written");
    const stored = await widgets.get(target.namespace, target.name);
    expect(stored.status).toEqual(ready);
    expect(stored.spec).toEqual({ size: 2 });
    expect(stored.metadata.generation).toBe(widget.metadata.generation);
    expect(result.object?.metadata.resourceVersion).toBe(stored.metadata.resourceVersion);
  });

  it("skips the write when the status is equal apart from key order", async () => {
    const { target, widget } = await newWidget("status-same");
    const writer = new StatusWriter(kc);
    const first = await writer.write(target, ready, widget);
    const reordered = {
      conditions: [
        { lastTransitionTime: "2030-01-01T00:00:00Z", message: "", reason: "UpToDate", status: "True", type: "Ready" },
      ],
      observedGeneration: 1,
    };
    const second = await writer.write(target, reordered, first.object);
    expect(second.outcome).toBe("unchanged");
    expect((await widgets.get(target.namespace, target.name)).metadata.resourceVersion).toBe(
      first.object?.metadata.resourceVersion,
    );
  });

  it("replaces status exactly, dropping keys the new status no longer has", async () => {
    const { target, widget } = await newWidget("status-replace");
    const writer = new StatusWriter(kc);
    const first = await writer.write(
      target,
      { ...ready, lastDrift: { field: "timeout", at: "2030-01-01T00:00:00Z" } },
      widget,
    );
    await writer.write(target, ready, first.object);
    expect((await widgets.get(target.namespace, target.name)).status).toEqual(ready);
  });

  it("re-reads and retries after a conflict with a stale copy", async () => {
    const { target, widget } = await newWidget("status-conflict");
    await widgets.resize(target.namespace, target.name, 3);
    const result = await new StatusWriter(kc).write(target, ready, widget);
    expect(result).toMatchObject({ outcome: "written", attempts: 2 });
    const stored = await widgets.get(target.namespace, target.name);
    expect(stored.status).toEqual(ready);
    expect(stored.spec).toEqual({ size: 3 });
  });

  it("does not write when the re-read object already has the wanted status", async () => {
    const { target, widget } = await newWidget("status-already");
    const other = await new StatusWriter(kc).write(target, ready, widget);
    const result = await new StatusWriter(kc).write(target, ready, widget);
    expect(result).toMatchObject({ outcome: "unchanged", attempts: 2 });
    expect((await widgets.get(target.namespace, target.name)).metadata.resourceVersion).toBe(
      other.object?.metadata.resourceVersion,
    );
  });

  it("reads the object itself when no copy is given, and reports deleted objects as gone", async () => {
    const { target } = await newWidget("status-gone");
    const writer = new StatusWriter(kc);
    expect((await writer.write(target, ready)).outcome).toBe("written");
    const stale = await widgets.get(target.namespace, target.name);
    await widgets.remove(target.namespace, target.name);
    expect((await writer.write(target, { observedGeneration: 2 }, stale)).outcome).toBe("gone");
    expect((await writer.write(target, ready)).outcome).toBe("gone");
  });

  it("gives up after the configured number of conflicts", async () => {
    const { target, widget } = await newWidget("status-give-up");
    await widgets.resize(target.namespace, target.name, 3);
    await expect(new StatusWriter(kc, { maxAttempts: 1 }).write(target, ready, widget)).rejects.toThrow(
      /writing status of widgets.test.driftguard.dev status-give-up-[0-9a-f]+\/gadget: still conflicting after 1 attempts/,
    );
  });

  it("asks beforeWrite before every PUT: a refusal after a conflict's re-read sends no second PUT", async () => {
    const { target, widget } = await newWidget("status-gate");
    await widgets.resize(target.namespace, target.name, 3);
    const { kc, sent, leading } = leaseLostOnReread();
    const beforeWrite = () => {
      if (!leading()) throw new Error("not leading");
    };
    await expect(new StatusWriter(kc).write(target, ready, widget, { beforeWrite })).rejects.toThrow("not leading");
    const path = `/apis/${WIDGETS.group}/${WIDGETS.version}/namespaces/${target.namespace}/widgets/gadget/status`;
    expect(sent).toEqual([`PUT ${path}`, `GET ${path}`]);
    expect((await widgets.get(target.namespace, target.name)).status).toBeUndefined();
  });

  it("keeps the leader gate of the cluster source closed for the retry after a conflict", async () => {
    const { target, widget } = await newWidget("status-leader");
    await widgets.resize(target.namespace, target.name, 3);
    const { kc, sent, leading } = leaseLostOnReread();
    const resource = { ...WIDGETS, kind: "Widget" };
    const cluster = new ClusterSource({ resources: [], log: createLogger({ level: "silent" }), kubeConfig: kc });
    const gated = new LeaderGatedSource(cluster, [], leading);
    await expect(gated.writeStatus(resource, widget as ManagedObject, ready)).rejects.toThrow(NotLeaderError);
    expect(sent.map((request) => request.split(" ")[0])).toEqual(["PUT", "GET"]);
    expect((await widgets.get(target.namespace, target.name)).status).toBeUndefined();
  });
});
