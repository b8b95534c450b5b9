import { describe, expect, it } from "vitest";
import type { ManagedObject } from "../kind.ts";
import { MemberReader } from "./members.ts";

const DB = "netra-staging:us-central1:db";
const object = (extra: Partial<ManagedObject> = {}, annotations: Record<string, string> = {}): ManagedObject => ({
  apiVersion: "driftguard.dev/v1alpha1",
  kind: "CloudRunServiceConfig",
  metadata: { namespace: "team", name: "backend", creationTimestamp: new Date("2026-01-01T00:00:00Z"), annotations },
  spec: {
    service: { project: "netra-staging", region: "us-central1", name: "backend" },
    scaling: { maxInstances: 4 },
    database: { cloudSqlInstance: DB, maxConnections: 200, pool: { size: 10, maxOverflow: 5 } },
  },
  ...extra,
});
const recorded = (reason: string) => ({
  connectionBudget: { instance: DB, admitted: 60 },
  conditions: [{ type: "Ready", status: "True", reason }],
});

describe("MemberReader.facts", () => {
  const reader = new MemberReader((namespace) => namespace !== "denied");

  it("reads the instance, the demand, the declared limit and who asked first", () => {
    expect(reader.facts("team/backend", object())).toEqual({
      key: "team/backend",
      order: `${String(Date.parse("2026-01-01T00:00:00Z")).padStart(15, "0")} team/backend`,
      instance: DB,
      counted: true,
      contribution: { key: "team/backend", poolSize: 10, maxOverflow: 5, maxInstances: 4, demand: 60 },
      limit: { maxConnections: 200, safetyMargin: 0.8, limit: 160 },
    });
  });

  it("does not count a paused, invalid or denied config", () => {
    expect(reader.facts("team/backend", object({}, { "driftguard.dev/paused": "true" })).counted).toBe(false);
    expect(reader.facts("team/backend", object({ spec: { service: {} } })).counted).toBe(false);
    const denied = object();
    denied.metadata = { ...denied.metadata, namespace: "denied" };
    expect(reader.facts("denied/backend", denied).counted).toBe(false);
  });

  it("hands back the grant recorded in status, unless the last pass says the config stopped counting", () => {
    expect(reader.facts("team/backend", object({ status: recorded("UpToDate") })).recorded).toEqual({
      instance: DB,
      admitted: 60,
    });
    for (const reason of ["Paused", "InvalidSpec", "ProjectNotAllowed", "NotFound"]) {
      expect(reader.facts("team/backend", object({ status: recorded(reason) })).recorded).toBeUndefined();
    }
  });
});
