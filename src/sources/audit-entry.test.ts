import { describe, expect, it } from "vitest";
import { AUDITED_METHODS, parseAuditMessage, type AuditParse } from "./audit-entry.ts";

// A real Admin Activity entry for a Cloud Run v1 ReplaceService made in the Cloud console, as a Logging sink
// delivered it; origin: nakamasato/cloud-run-slack-bot, docs/auditing.md (MIT licence). Trimmed: the
// request's and response's Service bodies are left out; every field read here is as recorded.
const recordedV1 = {
  insertId: "qd23mgd4u3f",
  logName: "projects/test-project-1234/logs/cloudaudit.googleapis.com%2Factivity",
  protoPayload: {
    "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
    authenticationInfo: { principalEmail: "masatonaka1989@gmail.com" },
    authorizationInfo: [
      {
        granted: true,
        permission: "run.services.update",
        permissionType: "ADMIN_WRITE",
        resource: "namespaces/test-project-1234/services/cloud-run-slack-bot",
        resourceAttributes: {},
      },
    ],
    methodName: "google.cloud.run.v1.Services.ReplaceService",
    request: {
      "@type": "type.googleapis.com/google.cloud.run.v1.ReplaceServiceRequest",
      name: "projects/test-project-1234/locations/asia-northeast1/services/cloud-run-slack-bot",
      region: "asia-northeast1",
    },
    requestMetadata: {
      callerIp: "2400:4050:8e02:1600:4972:ac1a:6f34:a2b2",
      callerSuppliedUserAgent:
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36,gzip(gfe),gzip(gfe)",
      destinationAttributes: {},
      requestAttributes: { auth: {}, time: "2024-05-06T22:58:04.672717Z" },
    },
    resourceLocation: { currentLocations: ["asia-northeast1"] },
    resourceName: "namespaces/test-project-1234/services/cloud-run-slack-bot",
    serviceName: "run.googleapis.com",
  },
  receiveTimestamp: "2024-05-06T22:58:04.779921199Z",
  resource: {
    labels: {
      configuration_name: "",
      location: "asia-northeast1",
      project_id: "test-project-1234",
      revision_name: "",
      service_name: "cloud-run-slack-bot",
    },
    type: "cloud_run_revision",
  },
  severity: "NOTICE",
  timestamp: "2024-05-06T22:58:04.355675Z",
};

type Entry = Record<string, unknown> & { protoPayload: Record<string, unknown> };

function entry(overrides: { payload?: Record<string, unknown>; top?: Record<string, unknown> } = {}): Entry {
  const base = structuredClone(recordedV1) as Entry;
  return { ...base, ...overrides.top, protoPayload: { ...base.protoPayload, ...overrides.payload } };
}

function v2(method: string, resourceName: string): Entry {
  return entry({
    payload: {
      methodName: `google.cloud.run.v2.Services.${method}`,
      resourceName,
      requestMetadata: {
        callerSuppliedUserAgent: "google-cloud-sdk gcloud/528.0.0 command/gcloud.run.services.update",
      },
    },
    top: {
      operation: {
        id: "projects/p-1/locations/europe-west1/operations/abc",
        producer: "run.googleapis.com",
        first: true,
      },
    },
  });
}

function parse(value: unknown): AuditParse {
  return parseAuditMessage(Buffer.from(typeof value === "string" ? value : JSON.stringify(value)));
}

describe("parseAuditMessage", () => {
  it("reads Google's recorded v1 ReplaceService entry, naming the service the v2 way", () => {
    expect(parse(recordedV1)).toEqual({
      kind: "change",
      change: {
        resource: "projects/test-project-1234/locations/asia-northeast1/services/cloud-run-slack-bot",
        service: "run.googleapis.com",
        method: "google.cloud.run.v1.Services.ReplaceService",
        principal: "masatonaka1989@gmail.com",
        userAgent: expect.stringMatching(/^Mozilla\/5\.0/) as string,
        at: "2024-05-06T22:58:04.355675Z",
        deleted: false,
      },
    });
  });

  it("replaces a project number in a v1 name by resource.labels.project_id", () => {
    const parsed = parse(entry({ payload: { resourceName: "namespaces/123456789012/services/cloud-run-slack-bot" } }));
    expect(parsed.kind === "change" && parsed.change.resource).toBe(
      "projects/test-project-1234/locations/asia-northeast1/services/cloud-run-slack-bot",
    );
  });

  it("takes a v1 name's missing region from resource.labels.location, and fails without it", () => {
    const noLocation = entry();
    (noLocation.resource as { labels: Record<string, string> }).labels.location = "";
    expect(parse(noLocation)).toEqual({ kind: "ignored", reason: "unknown_resource" });
  });

  it("reads v2 Update, Create and Delete with their long-running operation", () => {
    const name = "projects/p-1/locations/europe-west1/services/api";
    for (const [method, deleted] of [
      ["UpdateService", false],
      ["CreateService", false],
      ["DeleteService", true],
    ] as const) {
      const parsed = parse(v2(method, name));
      expect(parsed).toMatchObject({
        kind: "change",
        change: {
          resource: name,
          method: `google.cloud.run.v2.Services.${method}`,
          deleted,
          userAgent: "google-cloud-sdk gcloud/528.0.0 command/gcloud.run.services.update",
          operation: { id: "projects/p-1/locations/europe-west1/operations/abc", first: true, last: false },
        },
      });
    }
  });

  it("accepts v1's projects/P/regions/L form and names below a service", () => {
    for (const resourceName of [
      "projects/p-1/regions/europe-west1/services/api",
      "projects/p-1/locations/europe-west1/services/api/revisions/api-00002-abc",
    ]) {
      const parsed = parse(v2("UpdateService", resourceName));
      expect(parsed.kind === "change" && parsed.change.resource).toBe(
        "projects/p-1/locations/europe-west1/services/api",
      );
    }
  });

  it("falls back to resource.labels when a create names only the parent", () => {
    const parsed = parse(v2("CreateService", "projects/test-project-1234/locations/asia-northeast1"));
    expect(parsed.kind === "change" && parsed.change.resource).toBe(
      "projects/test-project-1234/locations/asia-northeast1/services/cloud-run-slack-bot",
    );
  });

  it("reads VPC Access UpdateConnector (the REST PATCH), Create with a parent and Delete, v1 and v1beta1", () => {
    const name = "projects/p-1/locations/europe-west1/connectors/conn-a";
    const vpc = (method: string, resourceName: string, request: Record<string, unknown> = {}) =>
      parse(
        entry({
          payload: { serviceName: "vpcaccess.googleapis.com", methodName: method, resourceName, request },
          top: { resource: { type: "audited_resource", labels: { project_id: "p-1" } } },
        }),
      );
    expect(vpc("google.cloud.vpcaccess.v1.VpcAccessService.UpdateConnector", name)).toMatchObject({
      kind: "change",
      change: { resource: name, service: "vpcaccess.googleapis.com", deleted: false },
    });
    expect(vpc("google.cloud.vpcaccess.v1beta1.VpcAccessService.DeleteConnector", name)).toMatchObject({
      change: { resource: name, deleted: true },
    });
    expect(
      vpc("google.cloud.vpcaccess.v1.VpcAccessService.CreateConnector", "projects/p-1/locations/europe-west1", {
        connectorId: "conn-a",
      }),
    ).toMatchObject({ change: { resource: name } });
    expect(
      vpc("google.cloud.vpcaccess.v1.VpcAccessService.CreateConnector", "projects/p-1/locations/europe-west1"),
    ).toEqual({ kind: "ignored", reason: "unknown_resource" });
  });

  it("ignores failed calls: Google logs them with a status and they change nothing", () => {
    const failed = entry({ payload: { status: { code: 10, message: "Conflict for resource" } } });
    expect(parse(failed)).toEqual({ kind: "ignored", reason: "failed_call" });
    expect(parse(entry({ payload: { status: {} } })).kind).toBe("change");
    expect(parse(entry({ payload: { status: { code: 0 } } })).kind).toBe("change");
  });

  it("ignores methods that change nothing driftguard manages, and a method under the wrong service", () => {
    for (const methodName of [
      "google.cloud.run.v1.Services.SetIamPolicy",
      "google.cloud.run.v2.Services.GetService",
      "google.cloud.run.v2.Jobs.UpdateJob",
      "",
    ]) {
      expect(parse(entry({ payload: { methodName } }))).toEqual({ kind: "ignored", reason: "unknown_method" });
    }
    expect(parse(entry({ payload: { serviceName: "vpcaccess.googleapis.com" } }))).toEqual({
      kind: "ignored",
      reason: "unknown_method",
    });
  });

  it("ignores other logs and entries without an AuditLog payload", () => {
    const dataAccess = entry({ top: { logName: "projects/p/logs/cloudaudit.googleapis.com%2Fdata_access" } });
    expect(parse(dataAccess)).toEqual({ kind: "ignored", reason: "not_admin_activity" });
    expect(parse({ logName: "projects/p/logs/run.googleapis.com%2Fstdout", textPayload: "hello" })).toEqual({
      kind: "ignored",
      reason: "not_admin_activity",
    });
    expect(parse({ ...recordedV1, protoPayload: { "@type": "type.googleapis.com/other" } })).toEqual({
      kind: "ignored",
      reason: "not_audit",
    });
    expect(parse({ ...recordedV1, protoPayload: undefined, jsonPayload: {} })).toEqual({
      kind: "ignored",
      reason: "not_audit",
    });
  });

  it("accepts the activity log of folders and organizations, and an unescaped log id", () => {
    for (const logName of [
      "organizations/123/logs/cloudaudit.googleapis.com%2Factivity",
      "folders/456/logs/cloudaudit.googleapis.com%2Factivity",
      "projects/p/logs/cloudaudit.googleapis.com/activity",
    ]) {
      expect(parse(entry({ top: { logName } })).kind).toBe("change");
    }
  });

  it("calls anything that is not a JSON object malformed, and never throws", () => {
    for (const data of ["", "{", "null", "[]", "42", '"text"', "\u0000\u0001binary"]) {
      expect(parse(data)).toEqual({ kind: "ignored", reason: "malformed" });
    }
    expect(parseAuditMessage(Buffer.from([0xff, 0xfe, 0x00]))).toEqual({ kind: "ignored", reason: "malformed" });
  });

  it("tolerates fields of the wrong type: missing principal and user agent become empty", () => {
    const odd = entry({
      payload: { authenticationInfo: "x", requestMetadata: [1], resourceName: 7 },
      top: { operation: { id: 3 }, timestamp: 5 },
    });
    expect(parse(odd)).toMatchObject({
      kind: "change",
      change: { principal: "", userAgent: "", at: "2024-05-06T22:58:04.779921199Z" },
    });
    const parsed = parse(odd);
    expect(parsed.kind === "change" && "operation" in parsed.change).toBe(false);
  });

  it("lists every audited method for the sink filter, and nothing else", () => {
    expect(AUDITED_METHODS).toHaveLength(12);
    expect(AUDITED_METHODS).toContain("google.cloud.run.v1.Services.ReplaceService");
    expect(AUDITED_METHODS).toContain("google.cloud.vpcaccess.v1.VpcAccessService.UpdateConnector");
    expect(AUDITED_METHODS.every((m) => /\.(Create|Replace|Update|Delete)(Service|Connector)$/.test(m))).toBe(true);
  });
});
