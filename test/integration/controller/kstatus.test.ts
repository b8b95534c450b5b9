// GitOps tools read driftguard's status by convention: `kubectl wait --for=condition=Ready`, and kstatus
// (Flux health checks), which looks at observedGeneration, Reconciling and Stalled. This runs the real
// kubectl against the real API server for a converging, a failing and a paused object, and captures the
// status documents of objects in each state as fixtures for health-check tests (Argo CD's Lua).
//
// Fixtures: test/fixtures/status/*.json. DRIFTGUARD_UPDATE_FIXTURES=1 rewrites them from this run;
// otherwise the run is checked against them (the conditions' types, statuses and reasons, and the status
// fields present), so a change in what status says shows up as a fixture diff.

import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAUSED_ANNOTATION } from "../../../src/controller/resync.ts";
import type { ManagedObject } from "../../../src/kinds/kind.ts";
import { condition, Rig, serviceSeed } from "../../support/controller.ts";
import { kubectl } from "../../support/kube.ts";

const PROJECT = "netra-staging";
const FIXTURES = join(import.meta.dirname, "../../fixtures/status");
const UPDATE = process.env.DRIFTGUARD_UPDATE_FIXTURES === "1";

const spec = (service: string, extra: object = {}) => ({
  service: { project: PROJECT, region: "us-central1", name: service },
  resyncInterval: "1s",
  requestTimeout: "600s",
  ...extra,
});

const SERVICES = [
  "converging",
  "failing",
  "paused",
  "updating",
  "invalid-spec",
  "revision-failed",
  "dependency",
  "rejected",
  "observed-drift",
];

describe("kstatus and kubectl wait", () => {
  let rig: Rig;
  beforeAll(async () => {
    const connector = (id: string, minInstances: number, maxInstances: number) => ({
      name: `projects/${PROJECT}/locations/us-central1/connectors/${id}`,
      machineType: "e2-micro",
      minInstances,
      maxInstances,
    });
    rig = await Rig.start("kstatus", {
      sim: {
        seed: { ...serviceSeed(SERVICES), connectors: [connector("steady", 2, 3), connector("oversized", 3, 5)] },
      },
    });
  });
  afterAll(() => rig.stop());

  const wait = (name: string, condition: string, timeout: string) =>
    kubectl([
      "wait",
      "-n",
      rig.namespace,
      `--for=condition=${condition}`,
      `--timeout=${timeout}`,
      `cloudrunserviceconfigs.driftguard.dev/${name}`,
    ]);

  it("kubectl wait succeeds for an object that converges", async () => {
    await rig.create("CloudRunServiceConfig", "converging", spec("converging"));
    const result = await wait("converging", "Ready", "30s");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("condition met");
    const done = await rig.get("CloudRunServiceConfig", "converging");
    expect(done.status?.observedGeneration).toBe(done.metadata?.generation);
    expect(condition(done, "Reconciling")).toBeUndefined();
    expect(condition(done, "Stalled")).toBeUndefined();
    await capture("ready", done);
  });

  it("kubectl wait times out for an object that cannot converge, and status says why", async () => {
    await rig.create(
      "CloudRunServiceConfig",
      "failing",
      spec("failing", { scaling: { minInstances: 5, maxInstances: 2 } }),
    );
    await rig.waitForCondition("CloudRunServiceConfig", "failing", "Ready", { reason: "InvalidSpec" });
    const result = await wait("failing", "Ready", "3s");
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("timed out");
    const reason = await kubectl([
      "get",
      "-n",
      rig.namespace,
      "cloudrunserviceconfigs.driftguard.dev/failing",
      "-o",
      'jsonpath={.status.conditions[?(@.type=="Ready")].reason}: {.status.conditions[?(@.type=="Ready")].message}',
    ]);
    expect(reason.stdout).toMatch(/^InvalidSpec: .*spec\.scaling\.minInstances/);
    // kstatus reads the failure from Stalled, which a waiting tool can wait for too.
    expect((await wait("failing", "Stalled", "10s")).code).toBe(0);
  });

  it("kubectl wait times out for a paused object, which says Paused", async () => {
    await rig.create("CloudRunServiceConfig", "paused", spec("paused"), { [PAUSED_ANNOTATION]: "true" });
    const paused = await rig.waitForCondition("CloudRunServiceConfig", "paused", "Ready", { reason: "Paused" });
    expect(condition(paused, "Ready")?.status).toBe("Unknown");
    const result = await wait("paused", "Ready", "3s");
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("timed out");
    await capture("paused", paused);
  });

  it("captures the status documents of objects in every state", async () => {
    // Updating: hold the operation poll back so the pass that started the update is what status shows.
    rig.sim.control.addFault({ method: "GetOperation", latencyMs: 4_000 });
    await rig.create("CloudRunServiceConfig", "updating", spec("updating"));
    const updating = await rig.waitForCondition("CloudRunServiceConfig", "updating", "Ready", { reason: "Updating" });
    expect(condition(updating, "Reconciling")?.status).toBe("True");
    rig.sim.control.clearFaults();
    await capture("updating", updating);

    await capture("invalid-spec", await rig.waitForCondition("CloudRunServiceConfig", "failing", "Stalled", {}));

    rig.sim.control.addRevisionFailure({
      service: "revision-failed",
      reason: "REVISION_FAILED",
      message: "The user-provided container failed to start and listen on the port defined by PORT=8080.",
    });
    await rig.create("CloudRunServiceConfig", "revision-failed", spec("revision-failed"));
    await capture(
      "revision-failed",
      await rig.waitForCondition("CloudRunServiceConfig", "revision-failed", "Stalled", { reason: "RevisionFailed" }),
    );
    rig.sim.control.clearRevisionFailures();

    await rig.create(
      "CloudRunServiceConfig",
      "dependency",
      spec("dependency", { vpcAccess: { connectorRef: { name: "not-there" }, egress: "ALL_TRAFFIC" } }),
    );
    const waiting = await rig.waitForCondition("CloudRunServiceConfig", "dependency", "Ready", {
      reason: "DependencyNotReady",
    });
    expect(condition(waiting, "Reconciling")?.status).toBe("True");
    await capture("dependency-not-ready", waiting);

    await rig.create("CloudRunServiceConfig", "rejected", spec("rejected", { resources: { cpu: "500m" } }));
    await capture(
      "update-rejected",
      await rig.waitForCondition("CloudRunServiceConfig", "rejected", "Stalled", { reason: "UpdateRejected" }),
    );

    await rig.create(
      "CloudRunServiceConfig",
      "observed-drift",
      spec("observed-drift", { managementPolicy: "Observe" }),
    );
    await capture(
      "observe-drift",
      await rig.waitForCondition("CloudRunServiceConfig", "observed-drift", "Ready", { reason: "DriftDetected" }),
    );
  });

  it("captures the status documents of connectors", async () => {
    const connectorSpec = (id: string, minInstances: number, maxInstances: number) => ({
      connector: { project: PROJECT, region: "us-central1", name: id },
      resyncInterval: "1s",
      machineType: "e2-micro",
      minInstances,
      maxInstances,
      autoscaling: { enabled: false },
    });
    await rig.create("VpcConnectorConfig", "steady", connectorSpec("steady", 2, 3));
    await capture(
      "ready",
      await rig.waitForCondition("VpcConnectorConfig", "steady", "Ready", { status: "True" }),
      "connector",
    );
    await rig.create("VpcConnectorConfig", "oversized", connectorSpec("oversized", 2, 4));
    await capture(
      "replacement-required",
      await rig.waitForCondition("VpcConnectorConfig", "oversized", "Stalled", { reason: "ReplacementRequired" }),
      "connector",
    );
  });

  /** Writes (DRIFTGUARD_UPDATE_FIXTURES=1) or checks the fixture for one state. */
  async function capture(state: string, object: ManagedObject, kind = "cloudrun"): Promise<void> {
    const document = normalise(object, rig.namespace);
    const file = join(FIXTURES, `${kind}-${state}.json`);
    if (UPDATE || !existsSync(file)) {
      if (!UPDATE) throw new Error(`${file} is missing: run with DRIFTGUARD_UPDATE_FIXTURES=1 to capture it`);
      await mkdir(FIXTURES, { recursive: true });
      await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
      return;
    }
    const fixture = JSON.parse(await readFile(file, "utf8")) as ManagedObject;
    expect(healthView(document), `${file} is stale: run with DRIFTGUARD_UPDATE_FIXTURES=1`).toEqual(
      healthView(fixture),
    );
  }
});

/** What a health check reads: the generations, each condition's type, status and reason, and which fields exist. */
function healthView(object: ManagedObject) {
  const status = object.status ?? {};
  const conditions = (status.conditions ?? []) as Array<{ type: string; status: string; reason: string }>;
  return {
    generation: object.metadata?.generation,
    observedGeneration: status.observedGeneration,
    conditions: conditions
      .map(({ type, status, reason }) => ({ type, status, reason }))
      .sort((a, b) => (a.type < b.type ? -1 : 1)),
    fields: Object.keys(status).sort(),
  };
}

/** The object as a health check receives it, without what differs from run to run (times, names, ids). */
function normalise(object: ManagedObject, namespace: string): ManagedObject {
  const { name, generation, annotations } = object.metadata ?? {};
  const document = {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: { name, namespace: "demo", generation, ...(annotations ? { annotations } : {}) },
    spec: object.spec,
    status: object.status,
  };
  const text = JSON.stringify(document)
    .replaceAll(namespace, "demo")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "2026-12-01T12:00:00Z")
    .replace(/operations\/[A-Za-z0-9-]+/g, "operations/operation-id")
    .replace(/-(\d{5})-[a-z0-9]{3}\b/g, "-$1-abc");
  return JSON.parse(text) as ManagedObject;
}
