// The planner's order of checks with the real CloudRunServiceConfig kind. None of these cases reach
// Google (paused, invalid, denied); reading live state, and what the connection budget and a connector
// dependency hold back from it, is covered end to end against the simulator in test/integration/plan.

import { ServicesClient } from "@google-cloud/run";
import { afterAll, describe, expect, it } from "vitest";
import { clientOptions } from "../gcp/connection.ts";
import { CallGuard } from "../gcp/guard.ts";
import { CloudRunKind } from "../kinds/cloudrun/kind.ts";
import type { CommonSpec, ManagedKind } from "../kinds/kind.ts";
import { ManifestSetLookup } from "./lookup.ts";
import { buildPlan } from "./planner.ts";
import { manifest, ObjectList } from "./test-fixtures.ts";

const services = new ServicesClient(
  clientOptions({ transport: "grpc", grpcEndpoint: "127.0.0.1:9", accessToken: "t" }),
);
const kind = new CloudRunKind(services, new CallGuard({ api: "run" })) as unknown as ManagedKind<CommonSpec>;
afterAll(() => services.close());

const service = (name: string, extra: object = {}, annotations: Record<string, string> = {}) =>
  manifest(
    "CloudRunServiceConfig",
    name,
    { service: { project: "netra-staging", region: "us-central1", name }, ...extra },
    annotations,
  );

async function planOf(...objects: ReturnType<typeof service>[]) {
  const loaded = new ObjectList(objects);
  return buildPlan({ source: "directory", kinds: [kind], objects: loaded, lookup: new ManifestSetLookup(loaded) });
}

describe("buildPlan", () => {
  it("skips paused objects before looking at their spec", async () => {
    const plan = await planOf(service("held", { requestTimeout: "never" }, { "driftguard.dev/paused": "true" }));
    expect(plan.resources).toEqual([
      {
        kind: "CloudRunServiceConfig",
        namespace: "staging",
        name: "held",
        outcome: "skipped",
        reason: "Paused",
        message: 'driftguard.dev/paused: "true"',
      },
    ]);
  });

  it("blocks a project the namespace may not target, before any Google call", async () => {
    const loaded = new ObjectList([service("elsewhere")]);
    const plan = await buildPlan({
      source: "directory",
      kinds: [kind],
      objects: loaded,
      lookup: new ManifestSetLookup(loaded),
      tenancy: {
        namespaceAnnotations: () => ({ "driftguard.dev/allowed-projects": "netra-sandbox" }),
        requireAllowlist: false,
      },
    });
    expect(plan.resources[0]).toMatchObject({
      outcome: "blocked",
      reason: "ProjectNotAllowed",
      message:
        "Project netra-staging (spec.service.project) is not in namespace staging's " +
        "driftguard.dev/allowed-projects (netra-sandbox)",
    });
  });

  it("blocks an invalid spec with every validation issue, cross-field rules included", async () => {
    const plan = await planOf(
      service("broken", { requestTimeout: "soon", scaling: { minInstances: 5, maxInstances: 2 } }),
    );
    const [entry] = plan.resources;
    expect(entry).toMatchObject({ outcome: "blocked", reason: "InvalidSpec" });
    const issues = entry?.outcome === "blocked" ? (entry.issues ?? []) : [];
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(/^spec\.requestTimeout: /);
    expect(issues[1]).toBe("spec.scaling.minInstances: minInstances 5 exceeds maxInstances 2");
  });
});
