// The real ServicesClient against the simulator, over gRPC and over REST (fallback): the same behaviour
// on both transports, as the controller sees it.

import type { protos } from "@google-cloud/run";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { PARENT, serviceName, servicesClient, type Transport } from "./cloudrun-clients.ts";

type IService = protos.google.cloud.run.v2.IService;

const baseTemplate = (image = "us-docker.pkg.dev/demo/app/web:1") => ({ containers: [{ image }] });

describe.each<Transport>(["grpc", "rest"])("Cloud Run Services over %s", (transport) => {
  let sim: Simulator;
  let client: ReturnType<typeof servicesClient>;

  beforeAll(async () => {
    sim = await startSimulator({ operationLatencyMs: 20 });
    client = servicesClient(sim, transport);
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });
  beforeEach(() => sim.control.reset());

  async function create(id: string, service: IService = { template: baseTemplate() }): Promise<IService> {
    const [operation] = await client.createService({ parent: PARENT, serviceId: id, service });
    const [created] = await operation.promise();
    return created;
  }

  async function update(request: protos.google.cloud.run.v2.IUpdateServiceRequest): Promise<IService> {
    const [operation] = await client.updateService(request);
    const [updated] = await operation.promise();
    return updated;
  }

  it("creates a service that reads back as written, defaulted and ready", async () => {
    await create("web", {
      template: {
        containers: [{ image: "gcr.io/demo/web", resources: { limits: { cpu: "1000m", memory: "4096Mi" } } }],
      },
    });
    const [service] = await client.getService({ name: serviceName("web") });
    const container = service.template?.containers?.[0];
    expect(container?.resources?.limits).toEqual({ cpu: "1000m", memory: "4096Mi" });
    expect(container?.ports).toEqual([expect.objectContaining({ name: "http1", containerPort: 8080 })]);
    expect(Number(service.template?.timeout?.seconds)).toBe(300);
    expect(service.template?.maxInstanceRequestConcurrency).toBe(80);
    expect(service.template?.scaling?.maxInstanceCount).toBe(100);
    expect(service.launchStage).toBe("GA");
    expect(String(service.generation)).toBe("1");
    expect(String(service.observedGeneration)).toBe("1");
    expect(service.reconciling).toBe(false);
    expect(service.terminalCondition).toMatchObject({ type: "Ready", state: "CONDITION_SUCCEEDED" });
    expect(service.latestReadyRevision).toMatch(
      /^projects\/demo\/locations\/us-central1\/services\/web\/revisions\/web-00001-[a-z]{3}$/,
    );
    expect(service.latestCreatedRevision).toBe(service.latestReadyRevision);
    expect(service.traffic).toEqual([
      expect.objectContaining({ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }),
    ]);
    expect(service.uri).toMatch(/^https:\/\/web-[a-z0-9]+-uc\.a\.run\.app$/);
    expect(service.etag).toBeTruthy();
  });

  it("reports reconciling while the operation runs", async () => {
    sim.control.setOperationLatency(500); // long enough that the Get surely lands mid-operation
    onTestFinished(() => sim.control.setOperationLatency(20));
    const [operation] = await client.createService({
      parent: PARENT,
      serviceId: "slow",
      service: { template: baseTemplate() },
    });
    const [during] = await client.getService({ name: serviceName("slow") });
    expect(during.reconciling).toBe(true);
    expect(during.terminalCondition?.state).toBe("CONDITION_PENDING");
    expect(during.latestCreatedRevision).toBe("");
    const progress = await client.checkCreateServiceProgress(operation.name ?? "");
    const [done] = await progress.promise();
    expect(done.reconciling).toBe(false);
  });

  it("lists services page by page", async () => {
    for (const id of ["a", "b", "c"]) await create(id);
    const [firstPage, nextRequest] = await client.listServices(
      { parent: PARENT, pageSize: 2 },
      { autoPaginate: false },
    );
    expect(firstPage.map((s) => s.name)).toEqual([serviceName("a"), serviceName("b")]);
    const [secondPage] = await client.listServices({ ...nextRequest, parent: PARENT }, { autoPaginate: false });
    expect(secondPage.map((s) => s.name)).toEqual([serviceName("c")]);
  });

  it("updates only the masked fields and makes a new revision for a template change", async () => {
    const created = await create("masked", { labels: { team: "a" }, template: baseTemplate() });
    const updated = await update({
      service: { name: serviceName("masked"), labels: { team: "ignored" }, template: { timeout: { seconds: 600 } } },
      updateMask: { paths: ["template.timeout"] },
    });
    expect(Number(updated.template?.timeout?.seconds)).toBe(600);
    expect(updated.template?.containers?.[0]?.image).toBe("us-docker.pkg.dev/demo/app/web:1");
    expect(updated.labels).toEqual({ team: "a" });
    expect(String(updated.generation)).toBe("2");
    expect(updated.etag).not.toBe(created.etag);
    expect(updated.latestReadyRevision).toMatch(/\/revisions\/masked-00002-[a-z]{3}$/);
  });

  it("keeps the revision when only labels change", async () => {
    const created = await create("labels");
    const updated = await update({
      service: { name: serviceName("labels"), labels: { env: "prod" } },
      updateMask: { paths: ["labels"] },
    });
    expect(String(updated.generation)).toBe("2");
    expect(updated.latestCreatedRevision).toBe(created.latestCreatedRevision);
  });

  it("rejects an update carrying a stale etag with ABORTED", async () => {
    const created = await create("etag");
    await update({ service: { ...created, labels: { a: "1" } } });
    await expect(client.updateService({ service: { ...created, labels: { a: "2" } } })).rejects.toMatchObject({
      code: 10,
    });
  });

  it("rejects system annotations with field violations the client can read", async () => {
    const request = {
      parent: PARENT,
      serviceId: "annotated",
      service: { template: { ...baseTemplate(), annotations: { "autoscaling.knative.dev/maxScale": "5" } } },
    };
    const error = (await client.createService(request).catch((err: unknown) => err)) as {
      code: number;
      message: string;
      statusDetails: Array<{ fieldViolations?: Array<{ field: string; description: string }> }>;
    };
    expect(error.code).toBe(3);
    expect(error.message).toContain("system annotations are not supported in Cloud Run API v2");
    expect(error.statusDetails[0]?.fieldViolations).toEqual([
      {
        field: "service.template.annotations[autoscaling.knative.dev/maxScale]",
        description: "system annotations are not supported in Cloud Run API v2.",
      },
    ]);
  });

  it("rejects invalid CPU and memory combinations and timeouts", async () => {
    const template = {
      timeout: { seconds: 4000 },
      containers: [{ image: "x", resources: { limits: { cpu: "4", memory: "1Gi" } } }],
    };
    const error = (await client
      .createService({ parent: PARENT, serviceId: "big", service: { template } })
      .catch((e: unknown) => e)) as {
      code: number;
      statusDetails: Array<{ fieldViolations?: Array<{ field: string }> }>;
    };
    expect(error.code).toBe(3);
    expect(error.statusDetails[0]?.fieldViolations?.map((v) => v.field)).toEqual([
      "service.template.timeout",
      "service.template.containers[0].resources.limits.memory",
    ]);
  });

  it("creates on update with allow_missing, and fails without it", async () => {
    const service = { name: serviceName("missing"), template: baseTemplate() };
    await expect(client.updateService({ service })).rejects.toMatchObject({ code: 5 });
    const created = await update({ service, allowMissing: true });
    expect(created.latestReadyRevision).toMatch(/\/revisions\/missing-00001-/);
  });

  it("validates only, changing nothing, with validate_only", async () => {
    const [operation] = await client.createService({
      parent: PARENT,
      serviceId: "dry",
      service: { template: baseTemplate() },
      validateOnly: true,
    });
    const [wouldBe] = await operation.promise();
    expect(wouldBe.template?.containers?.[0]?.resources?.limits).toEqual({ cpu: "1000m", memory: "512Mi" });
    await expect(client.getService({ name: serviceName("dry") })).rejects.toMatchObject({ code: 5 });
  });

  it("rejects reusing a revision name for a different template", async () => {
    await create("named", { template: { ...baseTemplate(), revision: "named-v1" } });
    const updateRequest = {
      service: { name: serviceName("named"), template: { ...baseTemplate("other"), revision: "named-v1" } },
    };
    await expect(client.updateService(updateRequest)).rejects.toMatchObject({ code: 6 });
  });

  it("fails a revision set up through the control API and leaves traffic on the last ready one", async () => {
    const created = await create("flaky");
    sim.control.addRevisionFailure({
      service: "flaky",
      reason: "CONTAINER_MISSING",
      message: "Image 'broken' not found.",
      times: 1,
    });
    const [operation] = await client.updateService({
      service: { name: serviceName("flaky"), template: baseTemplate("broken") },
    });
    await expect(operation.promise()).rejects.toMatchObject({ code: 9 });
    const [service] = await client.getService({ name: serviceName("flaky") });
    expect(service.latestCreatedRevision).toMatch(/\/revisions\/flaky-00002-/);
    expect(service.latestReadyRevision).toBe(created.latestReadyRevision);
    expect(service.terminalCondition).toMatchObject({ state: "CONDITION_FAILED", reason: "CONTAINER_MISSING" });
    expect(service.terminalCondition?.message).toContain("Image 'broken' not found.");
    const fixed = await update({ service: { name: serviceName("flaky"), template: baseTemplate("fixed") } });
    expect(fixed.latestReadyRevision).toMatch(/\/revisions\/flaky-00003-/);
  });

  it("deletes a service through its operation", async () => {
    await create("gone");
    const [operation] = await client.deleteService({ name: serviceName("gone") });
    const [deleted] = await operation.promise();
    expect(deleted.name).toBe(serviceName("gone"));
    await expect(client.getService({ name: serviceName("gone") })).rejects.toMatchObject({ code: 5 });
  });

  it("serves google.longrunning.Operations get and list", async () => {
    const [operation] = await client.createService({
      parent: PARENT,
      serviceId: "ops",
      service: { template: baseTemplate() },
    });
    await operation.promise();
    // The generated signatures want protobufjs message classes; plain objects are what gax accepts at run time.
    const getRequest = { name: operation.name ?? "" } as Parameters<typeof client.getOperation>[0];
    const [fetched] = await client.getOperation(getRequest);
    expect(fetched).toMatchObject({ name: operation.name, done: true });
    const listed = [];
    const listRequest = { name: PARENT } as Parameters<typeof client.listOperationsAsync>[0];
    for await (const op of client.listOperationsAsync(listRequest)) listed.push(op.name);
    expect(listed).toEqual([operation.name]);
  });
});
