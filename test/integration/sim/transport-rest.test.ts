// The REST surface on the wire, as gcloud or any HTTP client sees it: transcoded paths and query
// parameters, proto3 JSON bodies and Google's JSON error format.

import { afterAll, beforeAll, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { PARENT, serviceName } from "./cloudrun-clients.ts";

let sim: Simulator;
let base: string;

beforeAll(async () => {
  sim = await startSimulator({ operationLatencyMs: 0 });
  base = `http://127.0.0.1:${sim.restPort}`;
});
afterAll(() => sim.stop());

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const init: RequestInit = {
    method,
    headers: { authorization: "Bearer anything", "content-type": "application/json" },
  };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(`${base}${path}`, init);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

it("creates from a transcoded POST and reads the service back in proto3 JSON", async () => {
  const created = await call("POST", `/v2/${PARENT}/services?serviceId=rest`, {
    template: { containers: [{ image: "img" }] },
  });
  expect(created.status).toBe(200);
  expect(String(created.json.name)).toMatch(/^projects\/demo\/locations\/us-central1\/operations\//);
  expect(created.json).toMatchObject({ metadata: { "@type": "type.googleapis.com/google.cloud.run.v2.Service" } });
  const waited = await call("POST", `/v2/${String(created.json.name)}:wait`, { timeout: "5s" });
  expect(waited.json).toMatchObject({ done: true, response: { name: serviceName("rest") } });
  const got = await call("GET", `/v2/${serviceName("rest")}`);
  expect(got.json).toMatchObject({
    generation: "1",
    launchStage: "GA",
    template: { timeout: "300s" },
    terminalCondition: { state: "CONDITION_SUCCEEDED" },
  });
  const numeric = await call("GET", `/v2/${serviceName("rest")}?$alt=json;enum-encoding=int`);
  expect(numeric.json).toMatchObject({ launchStage: 4, terminalCondition: { state: 4 } });
});

it("reads updateMask and validateOnly from the query string", async () => {
  const patched = await call("PATCH", `/v2/${serviceName("rest")}?updateMask=template.timeout&validateOnly=true`, {
    template: { timeout: "90s" },
  });
  expect(patched.status).toBe(200);
  const got = await call("GET", `/v2/${serviceName("rest")}`);
  expect(got.json).toMatchObject({ generation: "1", template: { timeout: "300s" } });
});

it("answers errors in Google's JSON error format", async () => {
  const missing = await call("GET", `/v2/${serviceName("nope")}`);
  expect(missing).toMatchObject({ status: 404, json: { error: { code: 404, status: "NOT_FOUND" } } });
  const unknownParam = await call("GET", `/v2/${serviceName("rest")}?colour=blue`);
  expect(unknownParam).toMatchObject({ status: 400, json: { error: { status: "INVALID_ARGUMENT" } } });
  expect(JSON.stringify(unknownParam.json)).toContain('Unknown name \\"colour\\"');
  const badBody = await call("POST", `/v2/${PARENT}/services?serviceId=bad`, { template: { timeout: "forever" } });
  expect(badBody.json).toMatchObject({
    error: { status: "INVALID_ARGUMENT", details: [{ "@type": "type.googleapis.com/google.rpc.BadRequest" }] },
  });
  const noRoute = await call("GET", "/v9/unknown");
  expect(noRoute.status).toBe(404);
});

it("serves the VPC Access operations path the fallback client uses", async () => {
  const listed = await call("GET", "/v1/projects/demo/locations/us-central1/operations");
  expect(listed.status).toBe(200);
});
