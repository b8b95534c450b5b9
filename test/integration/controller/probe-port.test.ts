// A startup probe's port, declared or not, against Google's documented default: a probe action without a
// port probes container.ports[0].containerPort (google/cloud/run/v2/k8s.proto, HTTPGetAction.port). The live
// service, read through the real Cloud Run client, shows the port actually probed, never the proto3 zero,
// and driftguard reports in sync only when that port is the declared one.

import { ServicesClient } from "@google-cloud/run";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOptions } from "../../../src/gcp/connection.ts";
import { condition, Rig } from "../../support/controller.ts";

const PROJECT = "probe-project";
const name = (service: string) => `projects/${PROJECT}/locations/us-central1/services/${service}`;
const seed = (service: string, containerPort?: number) => ({
  name: name(service),
  template: {
    containers: [
      {
        name: "app",
        image: `us-docker.pkg.dev/${PROJECT}/app/${service}:v1`,
        ...(containerPort ? { ports: [{ name: "http1", containerPort }] } : {}),
      },
    ],
  },
});
const spec = (service: string, startupProbe: object) => ({
  service: { project: PROJECT, region: "us-central1", name: service },
  resyncInterval: "1s",
  startupProbe,
});

describe("startup probe ports", () => {
  let rig: Rig;
  let client: ServicesClient;
  beforeAll(async () => {
    rig = await Rig.start("probe-port", {
      sim: { seed: { services: [seed("default-port"), seed("other-port", 9090), seed("tcp-default")] } },
    });
    client = new ServicesClient(clientOptions(rig.gcp));
  });
  afterAll(async () => {
    await client.close();
    await rig.stop();
  });

  const liveProbe = async (service: string) => {
    const [live] = await client.getService({ name: name(service) });
    return live.template?.containers?.[0]?.startupProbe;
  };
  const inSync = (service: string) =>
    rig.waitFor("CloudRunServiceConfig", service, (o) => condition(o, "Ready")?.reason === "UpToDate", 30_000);

  it("shows a declared port 8080 as 8080 on the live service, in sync", async () => {
    await rig.create(
      "CloudRunServiceConfig",
      "default-port",
      spec("default-port", { httpGet: { path: "/healthz", port: 8080 } }),
    );
    await inSync("default-port");
    expect(await liveProbe("default-port")).toMatchObject({ httpGet: { path: "/healthz", port: 8080 } });
  });

  it("writes a declared port that differs from the container port", async () => {
    await rig.create(
      "CloudRunServiceConfig",
      "other-port",
      spec("other-port", { httpGet: { path: "/healthz", port: 8080 } }),
    );
    await inSync("other-port");
    expect(await liveProbe("other-port")).toMatchObject({ httpGet: { path: "/healthz", port: 8080 } });
    const [live] = await client.getService({ name: name("other-port") });
    expect(live.template?.containers?.[0]?.ports?.[0]?.containerPort).toBe(9090);
  });

  it("finds the default TCP probe on the container port already in sync, and writes nothing", async () => {
    const updates = rig.calls("UpdateService", name("tcp-default"));
    await rig.create(
      "CloudRunServiceConfig",
      "tcp-default",
      spec("tcp-default", { tcpSocket: { port: 8080 }, timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1 }),
    );
    await inSync("tcp-default");
    expect(rig.calls("UpdateService", name("tcp-default"))).toBe(updates);
    expect(await liveProbe("tcp-default")).toMatchObject({ tcpSocket: { port: 8080 } });
  });
});
