// The Cloud Run Admin API v1 surface on the wire, without gcloud: requests in absolute form (the simulator
// used as an HTTP proxy, as gcloud's CLOUDSDK_PROXY_* settings make it), the region taken from the
// regional host, metadata.resourceVersion as the concurrency token, and one store behind v1 and v2.

import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { servicesClient } from "./cloudrun-clients.ts";

const NAME = "projects/demo/locations/us-central1/services/api";
const URL_V1 = "http://us-central1-run.sim.local/apis/serving.knative.dev/v1/namespaces/demo/services/api";

let sim: Simulator;

interface Answer {
  error?: { status: string };
  spec?: { template: { spec: { timeoutSeconds: number } } };
  [field: string]: unknown;
}

beforeAll(async () => {
  sim = await startSimulator({
    operationLatencyMs: 20,
    seed: { services: [{ name: NAME, template: { containers: [{ image: "img:1" }] } }] },
  });
});
afterAll(() => sim.stop());

/** An absolute-form request to the simulator's REST port, the way an HTTP client talks to its proxy. */
function viaProxy(method: string, url: string, body?: unknown): Promise<{ status: number; json: Answer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: sim.restPort, method, path: url, headers: { host: new URL(url).host } },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Answer }));
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.setHeader("content-type", "application/json");
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe("Cloud Run Admin API v1", () => {
  it("answers an absolute-form request for the regional host", async () => {
    const { status, json } = await viaProxy("GET", URL_V1);
    expect(status).toBe(200);
    expect(json).toMatchObject({
      apiVersion: "serving.knative.dev/v1",
      kind: "Service",
      metadata: { name: "api", labels: { "cloud.googleapis.com/location": "us-central1" } },
    });
    const conditions = (json.status as { conditions: Array<{ type: string; status: string }> }).conditions;
    expect(conditions.find((c) => c.type === "Ready")?.status).toBe("True");
  });

  it("does not find the service in another region", async () => {
    const { status, json } = await viaProxy("GET", URL_V1.replace("us-central1-", "europe-west1-"));
    expect(status).toBe(404);
    expect(json.error?.status).toBe("NOT_FOUND");
  });

  it("rejects a replace carrying a stale resourceVersion with 409 and changes nothing", async () => {
    const { json: read } = await viaProxy("GET", URL_V1);
    if (!read.spec) throw new Error("no spec in the v1 answer");
    read.spec.template.spec.timeoutSeconds = 90;
    const first = await viaProxy("PUT", URL_V1, read);
    expect(first.status).toBe(200);
    read.spec.template.spec.timeoutSeconds = 45;
    const stale = await viaProxy("PUT", URL_V1, read);
    expect(stale.status).toBe(409);
    expect(stale.json.error?.status).toBe("ABORTED");
    const [service] = await servicesClient(sim, "grpc").getService({ name: NAME });
    expect(Number(service.template?.timeout?.seconds)).toBe(90);
  });

  it("shares one concurrency token with v2: a v2 write makes an earlier v1 read stale", async () => {
    const { json: read } = await viaProxy("GET", URL_V1);
    const client = servicesClient(sim, "grpc");
    const [operation] = await client.updateService({
      service: { name: NAME, labels: { team: "a" } },
      updateMask: { paths: ["labels"] },
    });
    await operation.promise();
    const replaced = await viaProxy("PUT", URL_V1, read);
    expect(replaced.status).toBe(409);
  });

  it("refuses CONNECT with the reason, since it cannot serve Google's TLS", async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(sim.restPort, "127.0.0.1", () =>
        socket.write("CONNECT run.googleapis.com:443 HTTP/1.1\r\nhost: run.googleapis.com:443\r\n\r\n"),
      );
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 405/);
    expect(reply).toContain("point the endpoint override at http://");
  });
});
