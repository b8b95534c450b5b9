// The simulated Serverless VPC Access API driven by the real @google-cloud/vpc-access client, over gRPC and
// over REST (fallback mode), plus the REST-only PATCH the Node client does not have.

import { protos, v1 } from "@google-cloud/vpc-access";
import { googleAuthLibrary, grpc } from "google-gax";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";

const PARENT = "projects/demo/locations/us-central1";
const State = protos.google.cloud.vpcaccess.v1.Connector.State;
const SEEDED = `${PARENT}/connectors/seeded`;

let sim: Simulator;

function offlineAuth(): googleAuthLibrary.OAuth2Client {
  const auth = new googleAuthLibrary.OAuth2Client();
  auth.setCredentials({ access_token: "test-token", expiry_date: Date.now() + 3_600_000 });
  return auth;
}

function client(mode: "grpc" | "rest"): v1.VpcAccessServiceClient {
  return mode === "grpc"
    ? new v1.VpcAccessServiceClient({
        servicePath: "127.0.0.1",
        port: sim.grpcPort,
        sslCreds: grpc.credentials.createInsecure(),
      })
    : new v1.VpcAccessServiceClient({
        fallback: true,
        servicePath: "127.0.0.1",
        port: sim.restPort,
        protocol: "http",
        authClient: offlineAuth(),
      });
}

async function rest(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${sim.restPort}${path}`, {
    method,
    headers: { authorization: "Bearer test-token", "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function untilDone(operationName: string): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { json } = await rest("GET", `/v1/${operationName}`);
    if (json.done === true) return json;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`operation ${operationName} did not finish`);
}

async function errorOf(promise: Promise<unknown>): Promise<{ code?: number; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { code?: number; message: string };
  }
  throw new Error("call succeeded");
}

beforeAll(async () => {
  sim = await startSimulator({
    // Long enough to observe the transient states (CREATING, UPDATING) from a second call.
    operationLatencyMs: 400,
    seed: { connectors: [{ name: SEEDED, machineType: "e2-micro", minInstances: 2, maxInstances: 4 }] },
  });
});

afterAll(async () => {
  await sim.stop();
});

describe.each(["grpc", "rest"] as const)("VpcAccessServiceClient over %s", (mode) => {
  // The fallback client surfaces REST errors as the HTTP error itself (status code, Google's JSON body).
  const codeOf = (rpc: grpc.status, http: number) => (mode === "grpc" ? rpc : http);

  it("creates, reads, lists and deletes connectors through operations", async () => {
    const vpc = client(mode);
    const name = `${PARENT}/connectors/${mode}-conn`;
    const [create] = await vpc.createConnector({
      parent: PARENT,
      connectorId: `${mode}-conn`,
      connector: {
        network: "default",
        ipCidrRange: mode === "grpc" ? "10.9.0.0/28" : "10.9.0.16/28",
        minInstances: 2,
        maxInstances: 5,
      },
    });
    expect((await vpc.getConnector({ name }))[0].state).toBe("CREATING");
    const [created] = await create.promise();
    // Operation results are decoded from Any, so their enums come back as numbers.
    expect(created).toMatchObject({
      name,
      state: State.READY,
      machineType: "e2-micro",
      minInstances: 2,
      maxInstances: 5,
      maxThroughput: 500,
    });

    const [page] = await vpc.listConnectors({ parent: PARENT, pageSize: 1 });
    expect(page.map((c) => c.name)).toEqual(expect.arrayContaining([name, SEEDED]) as unknown);

    const [remove] = await vpc.deleteConnector({ name });
    await remove.promise();
    const missing = await errorOf(vpc.getConnector({ name }));
    expect(missing.code).toBe(codeOf(grpc.status.NOT_FOUND, 404));
    await vpc.close();
  });

  it("rejects an invalid connector with INVALID_ARGUMENT naming the fields", async () => {
    const vpc = client(mode);
    const error = await errorOf(
      vpc.createConnector({
        parent: PARENT,
        connectorId: `${mode}-bad`,
        connector: {
          network: "default",
          ipCidrRange: "10.9.1.0/28",
          machineType: "n1-standard-1",
          minInstances: 1,
          maxInstances: 12,
        },
      }),
    );
    expect(error.code).toBe(codeOf(grpc.status.INVALID_ARGUMENT, 400));
    expect(error.message).toContain("connector.machine_type");
    expect(error.message).toContain("connector.min_instances must be between 2 and 9, got 1");
    expect(error.message).toContain("connector.max_instances must be between 3 and 10, got 12");
    await vpc.close();
  });
});

describe("REST PATCH (connectors update)", () => {
  const patchPath = (mask: string) => `/v1/${SEEDED}?alt=json&updateMask=${encodeURIComponent(mask)}`;

  it("grows a connector in place through an UPDATING operation", async () => {
    const { status, json: operation } = await rest("PATCH", patchPath("minInstances,maxInstances"), {
      minInstances: 3,
      maxInstances: 6,
    });
    expect(status).toBe(200);
    expect(operation).toMatchObject({ done: false, metadata: { target: SEEDED } });
    const vpc = client("grpc");
    expect((await vpc.getConnector({ name: SEEDED }))[0]).toMatchObject({ state: "UPDATING", minInstances: 2 });
    const busy = await rest("PATCH", patchPath("maxInstances"), { maxInstances: 7 });
    expect(busy.json.error).toMatchObject({ status: "FAILED_PRECONDITION" });

    const done = await untilDone(String(operation.name));
    expect(done.response).toMatchObject({
      "@type": "type.googleapis.com/google.cloud.vpcaccess.v1.Connector",
      minInstances: 3,
      maxInstances: 6,
    });
    expect((await vpc.getConnector({ name: SEEDED }))[0]).toMatchObject({
      state: "READY",
      minInstances: 3,
      maxInstances: 6,
      maxThroughput: 600,
    });
    await vpc.close();
  });

  it("refuses to shrink and explains that shrinking needs a new connector", async () => {
    const { status, json } = await rest("PATCH", patchPath("minInstances,maxInstances"), {
      minInstances: 2,
      maxInstances: 6,
    });
    expect(status).toBe(400);
    expect(json.error).toMatchObject({
      code: 400,
      status: "INVALID_ARGUMENT",
      message: "min_instances can only be increased: 3 → 2 requires recreating the connector",
      details: [
        expect.objectContaining({
          "@type": "type.googleapis.com/google.rpc.BadRequest",
          fieldViolations: [
            {
              field: "connector.min_instances",
              description: "min_instances can only be increased: 3 → 2 requires recreating the connector",
            },
          ],
        }),
      ],
    });
  });

  it("refuses fields it cannot update", async () => {
    const { status, json } = await rest("PATCH", patchPath("network"), { network: "other" });
    expect(status).toBe(400);
    expect(JSON.stringify(json.error)).toContain("only machineType, minInstances, maxInstances can be updated");
  });
});

describe("load control", () => {
  it("sets and reads a connector's offered load", async () => {
    const path = `/control/v1/connectors/${SEEDED}:load`;
    const set = await rest("POST", path, { ramp: { fromMbps: 100, toMbps: 500, seconds: 600 } });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ name: SEEDED, ramp: { fromMbps: 100, toMbps: 500, seconds: 600 } });
    const read = await rest("GET", path);
    expect(read.json.offeredMbps).toBeGreaterThanOrEqual(100);
    const bad = await rest("POST", path, { mbps: -5 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain("mbps must be a non-negative number");
  });
});
