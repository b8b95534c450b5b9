import { describe, expect, it } from "vitest";
import { createLogger } from "../observability/logger.ts";
import type { CommonSpec, ManagedKind, ManagedObject } from "../kinds/kind.ts";
import type { DesiredStateSource } from "../sources/source.ts";
import { resyncNeeds, ScheduleAudit, unmet } from "./schedule-audit.ts";

const round = (n: number) => Math.round(n * 1e6) / 1e6;
const demand = (project: string, count: number, resyncMs: number) =>
  Array.from({ length: count }, () => ({ api: "run" as const, project, resyncMs }));

describe("resyncNeeds", () => {
  it("adds one read per object per declared interval, per API and project", () => {
    const needs = resyncNeeds([...demand("a", 600, 60_000), ...demand("b", 30, 10_000)], 10, 100);
    expect(needs.map((n) => ({ ...n, needed: round(n.needed) }))).toEqual([
      { api: "run", project: "a", needed: 10, allowed: 10, objects: 600 },
      { api: "run", project: "b", needed: 3, allowed: 10, objects: 30 },
    ]);
    expect(unmet(needs)).toEqual([]);
  });

  it("flags a project whose declared intervals need more than --qps", () => {
    // 1,000 services at 60s: 16.7 reads/s, above 10/s.
    const [need] = unmet(resyncNeeds(demand("big", 1000, 60_000), 10, 100));
    expect(need).toMatchObject({ project: "big", allowed: 10, objects: 1000 });
    expect(need?.needed).toBeCloseTo(16.67, 1);
  });

  it("shares the global cap: small projects keep their need, the rest split what is left", () => {
    const needs = resyncNeeds(
      [...demand("small", 60, 60_000), ...demand("x", 600, 60_000), ...demand("y", 600, 60_000)],
      10,
      12,
    );
    const allowed = Object.fromEntries(needs.map((n) => [n.project, round(n.allowed)]));
    expect(allowed).toEqual({ small: 4, x: 5.5, y: 5.5 });
    expect(unmet(needs).map((n) => n.project)).toEqual(["x", "y"]);
  });
});

describe("ScheduleAudit", () => {
  const kind = {
    resource: { kind: "CloudRunServiceConfig" },
    parseSpec: (raw: unknown) => ({ ok: true, spec: raw as CommonSpec }),
    referencedProjects: (spec: CommonSpec & { project?: string }) => [
      { field: "spec.project", project: spec.project ?? "" },
    ],
  } as unknown as ManagedKind<CommonSpec>;
  const object = (name: string, project: string, resyncInterval: string): ManagedObject => ({
    metadata: { namespace: "ns", name },
    spec: { project, resyncInterval, managementPolicy: "Enforce" },
  });

  it("records one Warning Event per unmet project, on the object waiting longest", async () => {
    const objects = [
      ...Array.from({ length: 30 }, (_, i) => object(`busy-${i}`, "busy", "1s")),
      object("quiet", "quiet", "60s"),
    ];
    const events: Array<{ name?: string; reason: string; note: string }> = [];
    const source = {
      list: () => objects,
      recordEvent: (o: ManagedObject, _type: string, reason: string, note: string) => {
        events.push({ name: o.metadata?.name, reason, note });
        return Promise.resolve();
      },
    } as unknown as DesiredStateSource;
    const checkedAt = (key: string) => (key === "ns/busy-7" ? 1 : 1000);
    const audit = new ScheduleAudit({
      kinds: [{ kind, api: "run" }],
      source,
      qps: 10,
      globalQps: 100,
      log: createLogger({ level: "silent" }),
      lastChecked: (_kind, key) => checkedAt(key),
    });
    const needs = await audit.run();
    expect(needs.map((n) => [n.project, round(n.needed)])).toEqual([
      ["busy", 30],
      ["quiet", round(1 / 60)],
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ name: "busy-7", reason: "ResyncIntervalNotMet" });
    expect(events[0]?.note).toContain("30 objects in project busy need 30.0 run reads/s, but the limits allow 10.0/s");
    expect(events[0]?.note).toContain("3.0× less often than declared");
  });
});
