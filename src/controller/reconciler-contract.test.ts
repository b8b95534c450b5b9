// The reconciler's first pass over one object, table-driven: which calls it makes, what Ready and Synced
// say, and when it comes back.

import { describe, expect, it } from "vitest";
import type { WidgetSpec } from "../../test/support/memory-kind.ts";
import { condition, KEY, spec, world } from "../../test/support/reconciler-world.ts";

describe("Reconciler contract", () => {
  const table: Array<{
    name: string;
    live: Record<string, string>;
    spec: Partial<WidgetSpec>;
    annotations?: Record<string, string>;
    calls: string[];
    ready: string;
    synced: string;
    requeue: "resync" | "poll" | "none";
  }> = [
    {
      name: "in sync: one read, Ready, back at the resync interval",
      live: { timeout: "600s" },
      spec: spec({ timeout: "600s" }),
      calls: ["observe"],
      ready: "True/UpToDate",
      synced: "True/UpToDate",
      requeue: "resync",
    },
    {
      name: "differs: one read, one update, polled soon",
      live: { timeout: "300s" },
      spec: spec({ timeout: "600s" }),
      calls: ["observe", "update"],
      ready: "False/Updating",
      synced: "True/Updating",
      requeue: "poll",
    },
    {
      name: "Observe: read, never written",
      live: { timeout: "300s" },
      spec: spec({ timeout: "600s" }, { managementPolicy: "Observe" }),
      calls: ["observe"],
      ready: "False/DriftDetected",
      synced: "False/DriftDetected",
      requeue: "resync",
    },
    {
      name: "paused: no call at all",
      live: { timeout: "300s" },
      spec: spec({ timeout: "600s" }),
      annotations: { "driftguard.dev/paused": "true" },
      calls: [],
      ready: "Unknown/Paused",
      synced: "False/Paused",
      requeue: "none",
    },
    {
      name: "invalid spec: no call at all",
      live: {},
      spec: { project: "p" },
      calls: [],
      ready: "False/InvalidSpec",
      synced: "False/InvalidSpec",
      requeue: "none",
    },
  ];
  for (const row of table) {
    it(row.name, async () => {
      const w = world({ operationPollMs: 7 });
      w.kind.live.set(KEY, row.live);
      w.source.apply(KEY, row.spec, row.annotations);
      const result = await w.reconciler.reconcile(KEY);
      expect(w.kind.calls.map((c) => c.split(" ")[0])).toEqual(row.calls);
      expect(`${condition(w, "Ready")?.status}/${condition(w, "Ready")?.reason}`).toBe(row.ready);
      expect(`${condition(w, "Synced")?.status}/${condition(w, "Synced")?.reason}`).toBe(row.synced);
      const requeue = result.requeueAfterMs === undefined ? "none" : result.requeueAfterMs === 7 ? "poll" : "resync";
      expect(requeue).toBe(row.requeue);
      expect(w.source.status(KEY).observedGeneration).toBe(1);
    });
  }
});
