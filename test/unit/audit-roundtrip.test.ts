// The simulator's audit entries, read by driftguard's parser: for every write the simulator audits, the
// entry names the resource, method, caller and kind of change the controller side expects. The two sides
// share no code; this test is where they meet.

import { describe, expect, it } from "vitest";
import type { ServedCall } from "../../src/sim/core/dispatch.ts";
import { SimError } from "../../src/sim/core/errors.ts";
import { auditLogEntry } from "../../src/sim/audit/log-entry.ts";
import { auditedWrite } from "../../src/sim/audit/writes.ts";
import { toolFromUserAgent } from "../../src/sources/audit-actor.ts";
import { parseAuditMessage } from "../../src/sources/audit-entry.ts";

const SERVICE = "projects/p-1/locations/europe-west1/services/api";
const CONNECTOR = "projects/p-1/locations/europe-west1/connectors/conn";
const OPERATION = { name: "projects/p-1/locations/europe-west1/operations/op-000001", done: false };
const principals = { fallback: "sim-caller@driftguard.local" };

function call(method: string, request: Record<string, unknown>, extra: Partial<ServedCall> = {}): ServedCall {
  return {
    time: "2026-12-01T12:03:04.000Z",
    method,
    request,
    response: OPERATION,
    caller: { userAgent: "driftguard/0.1.0 grpc-node-js/1.13.4", token: "principal:alice@example.com" },
    surface: "google",
    ...extra,
  };
}

function roundTrip(served: ServedCall) {
  const write = auditedWrite(served, principals);
  if (!write) return undefined;
  return parseAuditMessage(Buffer.from(JSON.stringify(auditLogEntry(write))));
}

describe("simulator audit entries as driftguard reads them", () => {
  it.each([
    [
      "google.cloud.run.v2.Services/UpdateService",
      { service: { name: SERVICE } },
      SERVICE,
      "google.cloud.run.v2.Services.UpdateService",
      false,
    ],
    [
      "google.cloud.run.v2.Services/CreateService",
      { parent: "projects/p-1/locations/europe-west1", serviceId: "api" },
      SERVICE,
      "google.cloud.run.v2.Services.CreateService",
      false,
    ],
    [
      "google.cloud.run.v2.Services/DeleteService",
      { name: SERVICE },
      SERVICE,
      "google.cloud.run.v2.Services.DeleteService",
      true,
    ],
    [
      "google.cloud.vpcaccess.v1.VpcAccessService/PatchConnector",
      { connector: { name: CONNECTOR } },
      CONNECTOR,
      "google.cloud.vpcaccess.v1.VpcAccessService.UpdateConnector",
      false,
    ],
    [
      "google.cloud.vpcaccess.v1.VpcAccessService/CreateConnector",
      { parent: "projects/p-1/locations/europe-west1", connectorId: "conn" },
      CONNECTOR,
      "google.cloud.vpcaccess.v1.VpcAccessService.CreateConnector",
      false,
    ],
    [
      "google.cloud.vpcaccess.v1.VpcAccessService/DeleteConnector",
      { name: CONNECTOR },
      CONNECTOR,
      "google.cloud.vpcaccess.v1.VpcAccessService.DeleteConnector",
      true,
    ],
  ])("%s", (method, request, resource, auditMethod, deleted) => {
    expect(roundTrip(call(method, request))).toEqual({
      kind: "change",
      change: {
        resource,
        service: resource.includes("/connectors/") ? "vpcaccess.googleapis.com" : "run.googleapis.com",
        method: auditMethod,
        principal: "alice@example.com",
        userAgent: "driftguard/0.1.0 grpc-node-js/1.13.4",
        at: "2026-12-01T12:03:04.000Z",
        deleted,
        operation: { id: OPERATION.name, first: true, last: false },
      },
    });
  });

  it("records a control-API change with gcloud's user agent as v1 ReplaceService, and others as v2", () => {
    const patch = (userAgent: string) =>
      roundTrip(
        call(
          "driftguard.sim.Control/PatchService",
          { name: SERVICE, patch: {}, actor: "bob@example.com" },
          {
            surface: "control",
            caller: { userAgent, token: "" },
            response: { operation: OPERATION.name, service: {} },
          },
        ),
      );
    const gcloud = patch("google-cloud-sdk gcloud/528.0.0 command/gcloud.run.services.update");
    expect(gcloud).toMatchObject({
      change: {
        resource: SERVICE,
        method: "google.cloud.run.v1.Services.ReplaceService",
        principal: "bob@example.com",
      },
    });
    expect(gcloud?.kind === "change" && toolFromUserAgent(gcloud.change.userAgent)).toBe("gcloud");
    // Not long-running in v1: no operation, as in the recorded entry.
    expect(gcloud?.kind === "change" && "operation" in gcloud.change).toBe(false);
    expect(patch("curl/8.5.0")).toMatchObject({ change: { method: "google.cloud.run.v2.Services.UpdateService" } });
  });

  it("reads Cloud Run v1 writes (gcloud's API) with the region from the answer or the regional host", () => {
    const v1 = (rpc: string, request: Record<string, unknown>, response: Record<string, unknown>) =>
      roundTrip(
        call(`google.cloud.run.v1.Services/${rpc}`, request, {
          caller: {
            userAgent: "google-cloud-sdk gcloud/528.0.0 command/gcloud.run.services.update",
            token: "principal:alice@example.com",
          },
          response,
        }),
      );
    const answer = { metadata: { labels: { "cloud.googleapis.com/location": "europe-west1" } } };
    expect(v1("ReplaceService", { name: "namespaces/p-1/services/api" }, answer)).toMatchObject({
      change: {
        resource: SERVICE,
        method: "google.cloud.run.v1.Services.ReplaceService",
        principal: "alice@example.com",
      },
    });
    expect(v1("CreateService", { namespace: "p-1", service: { metadata: { name: "api" } } }, answer)).toMatchObject({
      change: { resource: SERVICE, method: "google.cloud.run.v1.Services.CreateService" },
    });
    expect(
      v1(
        "DeleteService",
        { name: "namespaces/p-1/services/api", host: "europe-west1-run.googleapis.com" },
        { kind: "Status" },
      ),
    ).toMatchObject({ change: { resource: SERVICE, deleted: true } });
    // No region anywhere (the global endpoint): nothing Google's entry could be matched against.
    expect(v1("DeleteService", { name: "namespaces/p-1/services/api" }, { kind: "Status" })).toBeUndefined();
  });

  it("names callers by their token, else the fallback principal", () => {
    const byToken = {
      fallback: "sim-caller@driftguard.local",
      byToken: { "ci-token": "ci@p-1.iam.gserviceaccount.com" },
    };
    const served = (token: string) =>
      call(
        "google.cloud.run.v2.Services/UpdateService",
        { service: { name: SERVICE } },
        { caller: { userAgent: "", token } },
      );
    expect(auditedWrite(served("ci-token"), byToken)?.principal).toBe("ci@p-1.iam.gserviceaccount.com");
    expect(auditedWrite(served("other"), byToken)?.principal).toBe("sim-caller@driftguard.local");
  });

  it("writes a failed call's status, which driftguard ignores; reads are not audited", () => {
    const failed = call(
      "google.cloud.run.v2.Services/DeleteService",
      { name: SERVICE },
      { response: undefined, error: new SimError("NOT_FOUND", "no such service") },
    );
    const write = auditedWrite(failed, principals);
    expect(write?.status).toEqual({ code: 5, message: "no such service" });
    expect(roundTrip(failed)).toEqual({ kind: "ignored", reason: "failed_call" });
    expect(
      auditedWrite(call("google.cloud.run.v2.Services/GetService", { name: SERVICE }), principals),
    ).toBeUndefined();
  });
});
