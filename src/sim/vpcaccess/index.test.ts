import { beforeEach, describe, expect, it } from "vitest";
import { SimError } from "../core/errors.ts";
import type { JsonObject, RestRoute, UnaryHandler } from "../core/module.ts";
import { OperationStore } from "../core/operations.ts";
import { createVpcAccessModule, type VpcAccessModule } from "./index.ts";

const PARENT = "projects/p/locations/us-central1";
const NAME = `${PARENT}/connectors/c1`;

let now: number;
let operations: OperationStore;
let vpc: VpcAccessModule;

function method(name: string): UnaryHandler {
  const handler = vpc.services[0]?.methods[name];
  if (!handler) throw new Error(`no method ${name}`);
  return handler;
}

function route(httpMethod: string, suffix: string, routes: RestRoute[] | undefined): UnaryHandler {
  const found = routes?.find((r) => r.httpMethod === httpMethod && r.pattern.endsWith(suffix));
  if (!found) throw new Error(`no route ${httpMethod} ${suffix}`);
  return found.handler;
}

async function call(name: string, request: JsonObject): Promise<JsonObject> {
  return await method(name)(request);
}

async function finish(operation: JsonObject): Promise<JsonObject> {
  return { ...(await operations.wait(String(operation.name), 1000)) };
}

async function rejection(promise: Promise<unknown> | (() => unknown)): Promise<SimError> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (err) {
    if (err instanceof SimError) return err;
    throw err;
  }
  throw new Error("expected a SimError");
}

const patch = (request: JsonObject) => route("PATCH", "connectors/*}", vpc.restRoutes)(request);

beforeEach(() => {
  now = Date.parse("2025-01-01T00:00:00Z");
  operations = new OperationStore(20);
  // A sample every 10 s keeps the load tests short; Google's 60 s is the default.
  vpc = createVpcAccessModule({ operations, now: () => now }, { samplePeriodSeconds: 10 });
});

describe("connectors", () => {
  const create = (connector: JsonObject, connectorId = "c1") =>
    call("CreateConnector", { parent: PARENT, connectorId, connector });

  it("creates through an operation: CREATING, then READY", async () => {
    const operation = await create({
      network: "default",
      ipCidrRange: "10.8.0.0/28",
      minInstances: 2,
      maxInstances: 4,
    });
    expect(operation).toMatchObject({
      name: expect.stringMatching(/^projects\/p\/locations\/us-central1\/operations\//) as unknown,
      done: false,
      metadata: { "@type": "type.googleapis.com/google.cloud.vpcaccess.v1.OperationMetadata", target: NAME },
    });
    expect(await call("GetConnector", { name: NAME })).toMatchObject({ state: "CREATING" });
    const done = await finish(operation);
    expect(done.response).toEqual({
      "@type": "type.googleapis.com/google.cloud.vpcaccess.v1.Connector",
      name: NAME,
      network: "default",
      ipCidrRange: "10.8.0.0/28",
      state: "READY",
      machineType: "e2-micro",
      minInstances: 2,
      maxInstances: 4,
      minThroughput: 200,
      maxThroughput: 400,
    });
  });

  it("derives instances from legacy throughput and defaults", async () => {
    await finish(
      await create({
        network: "n",
        ipCidrRange: "10.8.0.0/28",
        machineType: "f1-micro",
        minThroughput: 200,
        maxThroughput: 500,
      }),
    );
    // Throughput counts 100 Mbps per instance on every machine type.
    expect(await call("GetConnector", { name: NAME })).toMatchObject({
      minInstances: 2,
      maxInstances: 5,
      maxThroughput: 500,
    });
    await finish(await create({ network: "n", ipCidrRange: "10.8.0.16/28" }, "c2"));
    expect(await call("GetConnector", { name: `${PARENT}/connectors/c2` })).toMatchObject({
      minInstances: 2,
      maxInstances: 3,
      machineType: "e2-micro",
    });
  });

  it("rejects a bad create with one violation per problem", async () => {
    const error = await rejection(create({ ipCidrRange: "10.0.0.0/8", machineType: "n2", minInstances: 1 }, "Bad"));
    expect(error.code).toBe("INVALID_ARGUMENT");
    const fields = (error.details[0]?.fieldViolations as Array<{ field: string }>).map((v) => v.field);
    expect(fields).toEqual([
      "connector_id",
      "connector.network",
      "connector.ip_cidr_range",
      "connector.machine_type",
      "connector.min_instances",
    ]);
  });

  it("refuses a duplicate and reports unknown connectors as NOT_FOUND", async () => {
    await finish(await create({ network: "n", ipCidrRange: "10.8.0.0/28" }));
    expect((await rejection(create({ network: "n", ipCidrRange: "10.8.0.0/28" }))).code).toBe("ALREADY_EXISTS");
    expect((await rejection(call("GetConnector", { name: `${PARENT}/connectors/nope` }))).code).toBe("NOT_FOUND");
  });

  it("lists page by page in name order, within the parent only", async () => {
    vpc.seed({
      connectors: ["c", "a", "b"].map((id) => ({
        name: `${PARENT}/connectors/${id}`,
        machineType: "e2-micro",
        minInstances: 2,
        maxInstances: 3,
      })),
    });
    vpc.seed({
      connectors: [
        {
          name: "projects/p/locations/europe-west1/connectors/z",
          machineType: "e2-micro",
          minInstances: 2,
          maxInstances: 3,
        },
      ],
    });
    const first = await call("ListConnectors", { parent: PARENT, pageSize: 2 });
    expect((first.connectors as JsonObject[]).map((c) => c.name)).toEqual([
      `${PARENT}/connectors/a`,
      `${PARENT}/connectors/b`,
    ]);
    const second = await call("ListConnectors", { parent: PARENT, pageSize: 2, pageToken: first.nextPageToken });
    expect((second.connectors as JsonObject[]).map((c) => c.name)).toEqual([`${PARENT}/connectors/c`]);
    expect(second.nextPageToken).toBeUndefined();
    expect((await rejection(call("ListConnectors", { parent: PARENT, pageToken: "garbage" }))).code).toBe(
      "INVALID_ARGUMENT",
    );
  });

  it("deletes through an operation", async () => {
    vpc.seed({ connectors: [{ name: NAME, machineType: "e2-micro", minInstances: 2, maxInstances: 3 }] });
    const operation = await call("DeleteConnector", { name: NAME });
    expect(await call("GetConnector", { name: NAME })).toMatchObject({ state: "DELETING" });
    expect(await finish(operation)).toMatchObject({
      done: true,
      response: { "@type": "type.googleapis.com/google.protobuf.Empty" },
    });
    expect((await rejection(call("GetConnector", { name: NAME }))).code).toBe("NOT_FOUND");
  });
});

describe("PATCH", () => {
  beforeEach(() =>
    vpc.seed({ connectors: [{ name: NAME, machineType: "e2-micro", minInstances: 2, maxInstances: 3 }] }),
  );

  it("resizes in place: UPDATING until the operation is done", async () => {
    const operation = await patch({
      connector: { name: NAME, minInstances: 3, maxInstances: 6 },
      updateMask: "minInstances,maxInstances",
    });
    expect(await call("GetConnector", { name: NAME })).toMatchObject({ state: "UPDATING", minInstances: 2 });
    expect(
      (
        await rejection(() =>
          patch({
            connector: { name: NAME, minInstances: 3, maxInstances: 7 },
            updateMask: "minInstances,maxInstances",
          }),
        )
      ).code,
    ).toBe("FAILED_PRECONDITION");
    expect((await finish(operation)).response).toMatchObject({
      state: "READY",
      minInstances: 3,
      maxInstances: 6,
      maxThroughput: 600,
    });
  });

  it("rejects a decrease and an unsupported mask", async () => {
    const both = "minInstances,maxInstances";
    await finish(await patch({ connector: { name: NAME, minInstances: 2, maxInstances: 5 }, updateMask: both }));
    const shrink = await rejection(() =>
      patch({ connector: { name: NAME, minInstances: 2, maxInstances: 4 }, updateMask: both }),
    );
    expect(shrink.message).toBe("max_instances can only be increased: 5 → 4 requires recreating the connector");
    const mask = await rejection(() => patch({ connector: { name: NAME, network: "x" }, updateMask: "network" }));
    expect(mask.details[0]?.fieldViolations).toEqual([expect.objectContaining({ field: "update_mask" })]);
  });
});

describe("load control and state", () => {
  const controls = () => vpc.controlRoutes;

  beforeEach(() =>
    vpc.seed({
      connectors: [{ name: NAME, machineType: "e2-micro", minInstances: 2, maxInstances: 5, loadMbps: 100 }],
    }),
  );

  it("sets a step load and reports the model", async () => {
    now += 30_000;
    const state = await route("POST", ":load", controls())({ name: NAME, mbps: 300 });
    expect(state).toMatchObject({ name: NAME, offeredMbps: 300, instances: 2 });
    now += 10_000;
    expect(await route("GET", ":load", controls())({ name: NAME })).toMatchObject({ instances: 4, servedMbps: 300 });
    expect(vpc.samples(NAME, 0, now).map((s) => s.offeredMbps)).toEqual([100, 100, 100, 300]);
  });

  it("changes the packet size alone or with a load, and CPU follows the packet rate", async () => {
    const before = (await route("GET", ":load", controls())({ name: NAME })) as { meanCpuUtilization: number };
    const state = await route("POST", ":load", controls())({ name: NAME, packetBytes: 250 });
    expect(state).toMatchObject({ offeredMbps: 100, packetBytes: 250 });
    expect((state as { meanCpuUtilization: number }).meanCpuUtilization).toBeGreaterThan(before.meanCpuUtilization);
    now += 10_000;
    const [sample] = vpc.samples(NAME, now, now);
    expect(sample?.sentPackets).toBe(Math.round((sample?.sentBytes ?? 0) / 250));
    const bad = await rejection(() => route("POST", ":load", controls())({ name: NAME, packetBytes: 10 }));
    expect(bad.details[0]?.fieldViolations).toEqual([expect.objectContaining({ field: "packetBytes" })]);
  });

  it("rejects a malformed load or noise body", async () => {
    const load = await rejection(() =>
      route("POST", ":load", controls())({ name: NAME, ramp: { fromMbps: -1, toMbps: 5, seconds: 0 } }),
    );
    expect((load.details[0]?.fieldViolations as Array<{ field: string }>).map((v) => v.field)).toEqual([
      "ramp.fromMbps",
    ]);
    const noise = await rejection(() => route("POST", ":noise", controls())({ name: NAME, amplitude: 2 }));
    expect(noise.details[0]?.fieldViolations).toEqual([expect.objectContaining({ field: "amplitude" })]);
  });

  it("snapshots, restores and resets", async () => {
    now += 20_000;
    const snapshot = vpc.snapshot();
    await finish(await call("DeleteConnector", { name: NAME }));
    vpc.restore(snapshot);
    expect(await call("GetConnector", { name: NAME })).toMatchObject({ state: "READY", maxInstances: 5 });
    expect(vpc.samples(NAME, 0, now)).toHaveLength(2);
    vpc.reset();
    expect(vpc.connectors()).toEqual([]);
  });

  it("validates seeds with the field at fault", () => {
    const error = (() => {
      try {
        vpc.seed({
          connectors: [{ name: "c1", machineType: "e2-micro", minInstances: 4, maxInstances: 3, colour: "red" }],
        });
      } catch (err) {
        return err as SimError;
      }
      throw new Error("seed accepted");
    })();
    const fields = (error.details[0]?.fieldViolations as Array<{ field: string }>).map((v) => v.field);
    expect(fields).toEqual(["connectors[0].colour", "connectors[0].name", "connectors[0].maxInstances"]);
  });
});
