// Over REST, google-gax drops the per-call deadline a gRPC call carries, so each exchange the official
// clients make (Cloud Run's GetService, UpdateService and operation GET, VPC Access's GetConnector,
// Monitoring's ListTimeSeries) must end at the connection's own bound, as a retryable DEADLINE_EXCEEDED,
// instead of holding a worker for minutes. The simulator sits on the calls for ten minutes; raw servers
// stand for a peer that accepts and never answers and for one that sends its headers and then stalls.

import { ServicesClient } from "@google-cloud/run";
import { operationsProtos } from "google-gax";
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOptions, loopbackConnection, type GcpConnection } from "../../../src/gcp/connection.ts";
import { classifyGoogleError } from "../../../src/gcp/errors.ts";
import { CallGuard } from "../../../src/gcp/guard.ts";
import { ConnectorMetrics } from "../../../src/gcp/monitoring.ts";
import { VpcAccessApi } from "../../../src/gcp/vpcaccess.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { condition, Rig, serviceSeed } from "../../support/controller.ts";

const PROJECT = "netra-staging";
const SERVICE = `projects/${PROJECT}/locations/us-central1/services/api`;
const CONNECTOR = `projects/${PROJECT}/locations/us-central1/connectors/edge`;
const OPERATION = `projects/${PROJECT}/locations/us-central1/operations/some-operation`;
const TIMEOUT_MS = 500;
const TEN_MINUTES = 600_000;
/** The call options the Cloud Run kind sends with every call. */
const NO_RETRY = { retry: null };

let sim: Simulator;
const rawServers: Server[] = [];
const sockets: Socket[] = [];

/** A loopback server that reads requests and answers with `reply` (nothing, or headers without the body). */
async function rawServer(reply: string | undefined): Promise<number> {
  const server = createServer((socket) => {
    sockets.push(socket);
    if (reply !== undefined) socket.once("data", () => socket.write(reply));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  rawServers.push(server);
  return (server.address() as { port: number }).port;
}

beforeAll(async () => {
  sim = await startSimulator({
    seed: {
      ...serviceSeed(["api"]),
      connectors: [{ name: CONNECTOR, machineType: "e2-micro", minInstances: 2, maxInstances: 3 }],
    },
  });
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(rawServers.map((server) => new Promise((resolve) => server.close(resolve))));
  await sim.stop();
});

const rest = (): GcpConnection => ({ ...loopbackConnection(sim, "rest"), restTimeoutMs: TIMEOUT_MS });

async function timed(call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - started };
}

function expectDeadline({ error, ms }: { error: unknown; ms: number }): void {
  expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
  expect(ms).toBeLessThan(TIMEOUT_MS + 5_000);
  expect(classifyGoogleError(error)).toMatchObject({ code: "DEADLINE_EXCEEDED", retryable: true });
  expect(String((error as Error).message)).toContain(`no answer within ${TIMEOUT_MS} ms`);
}

type CloudRunCall = (client: ServicesClient) => Promise<unknown>;

describe("Cloud Run REST calls that get no answer", () => {
  it.each<[string, CloudRunCall]>([
    ["GetService", (client) => client.getService({ name: SERVICE }, NO_RETRY)],
    [
      "UpdateService",
      (client) =>
        client.updateService(
          { service: { name: SERVICE, template: { timeout: { seconds: 600 } } }, updateMask: { paths: ["template"] } },
          NO_RETRY,
        ),
    ],
    [
      "GetOperation",
      (client) =>
        client.operationsClient.getOperation(
          operationsProtos.google.longrunning.GetOperationRequest.create({ name: OPERATION }),
          NO_RETRY,
        ),
    ],
  ])("end %s at the connection's bound, as a retryable deadline", async (method, call) => {
    sim.control.addFault({ method, latencyMs: TEN_MINUTES });
    const client = new ServicesClient(clientOptions(rest()));
    try {
      expectDeadline(await timed(() => call(client)));
    } finally {
      sim.control.clearFaults();
      await client.close();
    }
  });

  it.each([
    ["accepts the connection and never answers", undefined],
    ["sends its headers and never the body", "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{"],
  ])("end a call to a server that %s", async (_what, reply) => {
    const port = await rawServer(reply);
    const client = new ServicesClient(clientOptions({ ...rest(), restEndpoint: `http://127.0.0.1:${port}` }));
    try {
      expectDeadline(await timed(() => client.getService({ name: SERVICE }, NO_RETRY)));
    } finally {
      await client.close();
    }
  });
});

describe("the other clients' REST calls", () => {
  it("end VPC Access's GetConnector at the connection's bound", async () => {
    sim.control.addFault({ method: "GetConnector", latencyMs: TEN_MINUTES });
    const api = new VpcAccessApi(rest(), new CallGuard({ api: "vpcaccess", qps: 100, burst: 100 }));
    try {
      expectDeadline(await timed(() => api.getConnector(CONNECTOR)));
    } finally {
      sim.control.clearFaults();
      await api.close();
    }
  });

  it("end Monitoring's ListTimeSeries at the query's own deadline", async () => {
    sim.control.addFault({ method: "ListTimeSeries", latencyMs: TEN_MINUTES });
    const guard = new CallGuard({ api: "monitoring", qps: 100, burst: 100 });
    const metrics = new ConnectorMetrics({ ...rest(), restTimeoutMs: 60_000 }, guard, { callTimeoutMs: TIMEOUT_MS });
    try {
      const started = performance.now();
      const target = { project: PROJECT, region: "us-central1", name: "edge" };
      const reading = await metrics.read(target, "e2-micro");
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 5_000);
      expect(reading).toMatchObject({ ok: false, reason: "ReadFailed" });
      expect(reading.ok ? "" : reading.problem).toContain(`no answer within ${TIMEOUT_MS} ms`);
    } finally {
      sim.control.clearFaults();
      await metrics.close();
    }
  });
});

describe("a reconcile whose Cloud Run read hangs over REST", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await Rig.start("rest-deadline", {
      transport: "rest",
      gcp: (connection) => ({ ...connection, restTimeoutMs: TIMEOUT_MS }),
      sim: { seed: serviceSeed(["api"]) },
    });
  });
  afterAll(() => rig?.stop());

  it("fails as Unavailable at the bound, then converges once Google answers", async () => {
    rig.sim.control.addFault({ method: "GetService", latencyMs: TEN_MINUTES });
    await rig.create("CloudRunServiceConfig", "api", {
      service: { project: PROJECT, region: "us-central1", name: "api" },
      requestTimeout: "600s",
    });
    const failed = await rig.waitFor(
      "CloudRunServiceConfig",
      "api",
      (o) => condition(o, "Synced")?.reason === "Unavailable",
      15_000,
    );
    expect(condition(failed, "Synced")?.message).toContain(`no answer within ${TIMEOUT_MS} ms`);
    rig.sim.control.clearFaults();
    await rig.waitFor("CloudRunServiceConfig", "api", (o) => condition(o, "Ready")?.status === "True", 30_000);
    expect(rig.service(SERVICE).template.timeout).toBe("600s");
  });
});
