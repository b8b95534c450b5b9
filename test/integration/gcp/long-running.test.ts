// Long-running operations through Google's clients: the decoders driftguard gives them read the same
// operation metadata as the library's own, without generating protobuf code on every operation.

import { ServicesClient } from "@google-cloud/run";
import { protobuf } from "google-gax";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOptions, loopbackConnection } from "../../../src/gcp/connection.ts";
import { useStaticCloudRunDecoders } from "../../../src/gcp/long-running.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";

const NAME = "projects/demo-project/locations/us-central1/services/api";
const UPDATES = 5;

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    operationLatencyMs: 0,
    seed: { services: [{ name: NAME, template: { containers: [{ image: "app:v1" }] } }] },
  });
});

afterAll(async () => {
  await sim.stop();
});

/**
 * UpdateService `UPDATES` times after one warm-up update (a new client sets each of its types up once);
 * returns how often protobufjs set a Type up after the warm-up, and the operations' metadata.
 */
async function updates(client: ServicesClient): Promise<{ setups: number; metadata: unknown[] }> {
  const metadata: unknown[] = [];
  let setups = 0;
  const prototype = protobuf.Type.prototype;
  const original = Object.getOwnPropertyDescriptor(prototype, "setup")?.value as (this: protobuf.Type) => protobuf.Type;
  try {
    for (let i = -1; i < UPDATES; i++) {
      if (i === 0) {
        prototype.setup = function counted(this: protobuf.Type) {
          setups++;
          return original.call(this);
        };
      }
      const [live] = await client.getService({ name: NAME });
      const [operation] = await client.updateService({
        service: { ...live, labels: { ...live.labels, round: String(i) } },
        updateMask: { paths: ["labels"] },
      });
      if (i >= 0) metadata.push(operation.metadata);
    }
    return { setups, metadata };
  } finally {
    prototype.setup = original;
    await client.close();
  }
}

describe.each(["grpc", "rest"] as const)("long-running operations over %s", (transport) => {
  it("are unpacked without generating code per operation, into the same metadata", async () => {
    const connection = loopbackConnection(sim, transport);
    const library = await updates(new ServicesClient(clientOptions(connection)));
    const ours = await updates(useStaticCloudRunDecoders(new ServicesClient(clientOptions(connection))));
    // Over gRPC the library's own decoders set the message types up again on every operation (over REST
    // it converts the JSON answer instead, and sets up nothing after the first call either way).
    expect(library.setups).toBeGreaterThanOrEqual(transport === "grpc" ? UPDATES : 0);
    expect(ours.setups).toBe(0);
    const plain = (m: unknown) => JSON.parse(JSON.stringify(m)) as { name?: string; labels?: Record<string, string> };
    expect(ours.metadata.map(plain)).toHaveLength(UPDATES);
    for (const [i, m] of ours.metadata.map(plain).entries()) {
      expect(m.name).toBe(NAME);
      // The metadata is the service as the update left it: same fields the library decodes.
      expect(plain(ours.metadata[i])).toEqual({
        ...plain(library.metadata[i]),
        ...pick(plain(ours.metadata[i]), VOLATILE),
      });
    }
  });
});

/** Fields that differ between two updates of the same service (generation, revision names, times). */
const VOLATILE = [
  "generation",
  "etag",
  "updateTime",
  "latestCreatedRevision",
  "latestReadyRevision",
  "observedGeneration",
  "reconciling",
  "traffic",
  "trafficStatuses",
  "conditions",
  "terminalCondition",
  "template",
  "labels",
  "uid",
];

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
}
