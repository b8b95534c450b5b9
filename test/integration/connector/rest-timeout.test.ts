// A hung VPC Access REST call (the connector PATCH, the operation GET) ends at its own timeout, as a
// retryable DEADLINE_EXCEEDED, instead of holding a worker for undici's 300 s. The simulator is told to
// sit on the calls for ten minutes; a raw server that accepts and never answers covers a silent peer.

import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loopbackConnection } from "../../../src/gcp/connection.ts";
import { classifyGoogleError } from "../../../src/gcp/errors.ts";
import { CallGuard } from "../../../src/gcp/guard.ts";
import { VpcAccessApi } from "../../../src/gcp/vpcaccess.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";

const NAME = "projects/demo-project/locations/us-central1/connectors/edge";
const OPERATION = "projects/demo-project/locations/us-central1/operations/some-operation";
const TIMEOUT_MS = 500;
const TEN_MINUTES = 600_000;

let sim: Simulator;
let silent: Server;
const sockets: Socket[] = [];

beforeAll(async () => {
  sim = await startSimulator({
    seed: {
      connectors: [{ name: NAME, network: "default", machineType: "e2-micro", minInstances: 2, maxInstances: 4 }],
    },
  });
  silent = createServer((socket) => void sockets.push(socket)); // reads the request, never writes
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => silent.close(resolve));
  await sim.stop();
});

const guard = () => new CallGuard({ api: "vpcaccess", qps: 100, burst: 100 });

async function timed<T>(call: () => Promise<T>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - started };
}

type Call = (api: VpcAccessApi) => Promise<unknown>;

describe("VPC Access REST calls that get no answer", () => {
  it.each<[string, string, Call]>([
    [
      "the connector PATCH",
      "PatchConnector",
      (api: VpcAccessApi) => api.patchConnector(NAME, { minInstances: 2, maxInstances: 5 }, ["maxInstances"]),
    ],
    ["the operation GET", "GetOperation", (api: VpcAccessApi) => api.getOperation(OPERATION)],
  ])("end %s at the timeout, as a retryable deadline", async (_what, method, call) => {
    sim.control.addFault({ method, latencyMs: TEN_MINUTES });
    const api = new VpcAccessApi({ ...loopbackConnection(sim, "grpc"), restTimeoutMs: TIMEOUT_MS }, guard());
    try {
      const { error, ms } = await timed(() => call(api));
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(ms).toBeLessThan(TIMEOUT_MS + 5_000);
      expect(classifyGoogleError(error)).toMatchObject({ code: "DEADLINE_EXCEEDED", retryable: true });
      expect(String((error as Error).message)).toContain(`no answer within ${TIMEOUT_MS} ms`);
    } finally {
      sim.control.clearFaults();
      await api.close();
    }
  });

  it("end a call to a server that accepts the connection and never answers", async () => {
    const port = (silent.address() as { port: number }).port;
    const connection = {
      ...loopbackConnection(sim, "grpc"),
      restEndpoint: `http://127.0.0.1:${port}`,
      restTimeoutMs: TIMEOUT_MS,
    };
    const api = new VpcAccessApi(connection, guard());
    try {
      const { error, ms } = await timed(() => api.getOperation(OPERATION));
      expect(ms).toBeLessThan(TIMEOUT_MS + 5_000);
      expect(classifyGoogleError(error)).toMatchObject({ code: "DEADLINE_EXCEEDED", retryable: true });
    } finally {
      await api.close();
    }
  });
});
