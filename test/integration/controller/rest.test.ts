// The same reconcile cycle over the client libraries' REST (HTTP/1.1 + JSON) fallback transport, which
// deployments behind proxies that cannot carry gRPC use.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { condition, envOf, Rig, serviceSeed } from "../../support/controller.ts";

const PROJECT = "netra-staging";
const SERVICE = `projects/${PROJECT}/locations/us-central1/services/backend`;

describe("CloudRunServiceConfig over the REST transport", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await Rig.start("rest", { transport: "rest", sim: { seed: serviceSeed(["backend"]) } });
  });
  afterAll(() => rig.stop());

  it("converges, heals drift, and sends every call over REST", async () => {
    await rig.create("CloudRunServiceConfig", "backend", {
      service: { project: PROJECT, region: "us-central1", name: "backend" },
      resyncInterval: "1s",
      requestTimeout: "600s",
      scaling: { minInstances: 1, maxInstances: 4 },
      resources: { cpu: "2", memory: "2Gi" },
      env: { FEATURE: "on" },
      startupProbe: { httpGet: { path: "/healthz" }, periodSeconds: 5, failureThreshold: 6 },
    });
    await rig.waitFor("CloudRunServiceConfig", "backend", (o) => condition(o, "Ready")?.status === "True");
    const live = rig.service(SERVICE);
    expect(live.template.timeout).toBe("600s");
    expect(live.template.scaling).toMatchObject({ minInstanceCount: 1, maxInstanceCount: 4 });
    expect(live.template.containers[0]?.resources?.limits).toMatchObject({ cpu: "2", memory: "2Gi" });
    expect(live.template.containers[0]?.startupProbe).toMatchObject({
      httpGet: { path: "/healthz" },
      periodSeconds: 5,
      failureThreshold: 6,
    });
    expect(envOf(live.template.containers[0])).toEqual({ UNMANAGED: "keep-me", FEATURE: "on" });

    const container = live.template.containers[0];
    const env = (container?.env ?? []).map((e) => (e.name === "FEATURE" ? { ...e, value: "off" } : e));
    rig.sim.control.patchService(SERVICE, { template: { timeout: "30s", containers: [{ ...container, env }] } });
    const healed = await rig.waitFor(
      "CloudRunServiceConfig",
      "backend",
      (o) => o.status?.driftCorrections === 1 && condition(o, "Ready")?.status === "True",
      15_000,
    );
    expect(healed.status?.drift).toEqual([]);
    const after = rig.service(SERVICE);
    expect(after.template.timeout).toBe("600s");
    expect(envOf(after.template.containers[0]).FEATURE).toBe("on");
    const events = await rig.events("backend");
    expect(events.find((e) => e.reason === "DriftCorrected")?.note).toContain("requestTimeout 30s → 600s");

    const calls = rig.callsAbout(SERVICE);
    expect(calls.filter((r) => r.method.endsWith("/UpdateService")).length).toBe(2);
    expect(new Set(rig.sim.control.requests().map((r) => r.transport))).toEqual(new Set(["rest"]));
  });
});
