import { describe, expect, it } from "vitest";
import { DRIFTGUARD_USER_AGENT } from "../gcp/connection.ts";
import type { ManagedObject, ResourceType } from "../kinds/kind.ts";
import { AuditFeed, type AuditOutcome } from "./audit-feed.ts";

const services: ResourceType = { group: "g", version: "v1", plural: "services", kind: "Service" };
const connectors: ResourceType = { group: "g", version: "v1", plural: "connectors", kind: "Connector" };

interface Spec {
  target?: string;
}

function object(namespace: string, name: string, target?: string): ManagedObject {
  return { metadata: { namespace, name }, spec: target === undefined ? {} : { target } };
}

const googleNames = (o: ManagedObject) => {
  const target = (o.spec as Spec).target;
  return target ? [target] : [];
};

function rig(self: { principal?: string } = {}) {
  const queued: string[] = [];
  const outcomes: AuditOutcome[] = [];
  const feed = new AuditFeed({
    targets: [
      { resource: services, googleNames },
      { resource: connectors, googleNames },
    ],
    self,
    enqueue: (resource, key) => queued.push(`${resource.kind}:${key}`),
    onOutcome: (outcome) => outcomes.push(outcome),
  });
  return { feed, queued, outcomes };
}

const SERVICE = "projects/p-1/locations/europe-west1/services/api";
const CONNECTOR = "projects/p-1/locations/europe-west1/connectors/conn";

function message(options: {
  method?: string;
  resourceName?: string;
  principal?: string;
  userAgent?: string;
  timestamp?: string;
  service?: string;
}): string {
  return JSON.stringify({
    logName: "projects/p-1/logs/cloudaudit.googleapis.com%2Factivity",
    timestamp: options.timestamp ?? "2026-12-01T12:03:04Z",
    resource: {
      type: "cloud_run_revision",
      labels: { project_id: "p-1", location: "europe-west1", service_name: "api" },
    },
    protoPayload: {
      "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
      serviceName: options.service ?? "run.googleapis.com",
      methodName: options.method ?? "google.cloud.run.v2.Services.UpdateService",
      resourceName: options.resourceName ?? SERVICE,
      authenticationInfo: { principalEmail: options.principal ?? "alice@example.com" },
      requestMetadata: { callerSuppliedUserAgent: options.userAgent ?? "google-cloud-sdk gcloud/528.0.0 command/x" },
    },
  });
}

describe("AuditFeed", () => {
  it("queues the object managing the changed service at once, for its v1 and v2 names alike", () => {
    const { feed, queued, outcomes } = rig();
    feed.observe(services, "team-a/api", object("team-a", "api", SERVICE));
    expect(feed.handle(message({}))).toBe("enqueued");
    expect(
      feed.handle(
        message({ method: "google.cloud.run.v1.Services.ReplaceService", resourceName: "namespaces/p-1/services/api" }),
      ),
    ).toBe("enqueued");
    expect(queued).toEqual(["Service:team-a/api", "Service:team-a/api"]);
    expect(outcomes).toEqual(["enqueued", "enqueued"]);
  });

  it("queues every object that manages the resource, and only of the matching kind", () => {
    const { feed, queued } = rig();
    feed.observe(services, "a/one", object("a", "one", SERVICE));
    feed.observe(services, "b/two", object("b", "two", SERVICE));
    feed.observe(connectors, "a/one", object("a", "one", CONNECTOR));
    feed.handle(message({}));
    expect(queued.sort()).toEqual(["Service:a/one", "Service:b/two"]);
    queued.length = 0;
    feed.handle(
      message({
        service: "vpcaccess.googleapis.com",
        method: "google.cloud.vpcaccess.v1.VpcAccessService.UpdateConnector",
        resourceName: CONNECTOR,
      }),
    );
    expect(queued).toEqual(["Connector:a/one"]);
  });

  it("follows the watch: a retargeted object moves in the index, a deleted one leaves it", () => {
    const { feed, queued } = rig();
    feed.observe(services, "a/api", object("a", "api", SERVICE));
    feed.observe(services, "a/api", object("a", "api", "projects/p-1/locations/europe-west1/services/other"));
    expect(feed.handle(message({}))).toBe("unmatched");
    feed.observe(services, "a/api", object("a", "api", SERVICE));
    feed.observe(services, "a/api", undefined);
    expect(feed.handle(message({}))).toBe("unmatched");
    expect(queued).toEqual([]);
    expect(feed.indexedNames()).toBe(0);
  });

  it("indexes nothing for an object whose spec names no resource (invalid), and forgets its old name", () => {
    const { feed } = rig();
    feed.observe(services, "a/api", object("a", "api", SERVICE));
    feed.observe(services, "a/api", object("a", "api"));
    expect(feed.handle(message({}))).toBe("unmatched");
  });

  it("does not count driftguard's own writes as drift, and forgets the change they healed", () => {
    const { feed, queued } = rig();
    feed.observe(services, "a/api", object("a", "api", SERVICE));
    feed.handle(message({ timestamp: "2026-12-01T12:03:04Z" }));
    expect(feed.lastChange(services, "a/api")).toEqual({
      principal: "alice@example.com",
      tool: "gcloud",
      at: "2026-12-01T12:03:04Z",
      actorKind: "user",
    });
    const own = message({
      principal: "driftguard@ops.iam.gserviceaccount.com",
      userAgent: `${DRIFTGUARD_USER_AGENT} grpc-node-js/1.13.4`,
      timestamp: "2026-12-01T12:03:09Z",
    });
    expect(feed.handle(own)).toBe("own_write");
    expect(queued).toEqual(["Service:a/api"]);
    expect(feed.lastChange(services, "a/api")).toBeUndefined();
  });

  it("keeps the latest change when entries arrive out of order", () => {
    const { feed } = rig();
    feed.observe(services, "a/api", object("a", "api", SERVICE));
    feed.handle(message({ principal: "bob@example.com", timestamp: "2026-12-01T12:05:00.5Z" }));
    feed.handle(message({ principal: "ci@p-1.iam.gserviceaccount.com", timestamp: "2026-12-01T12:04:00Z" }));
    expect(feed.lastChange(services, "a/api")).toMatchObject({ principal: "bob@example.com", actorKind: "user" });
    // driftguard's write from before bob's change (delivered late) does not clear it either.
    feed.handle(message({ userAgent: DRIFTGUARD_USER_AGENT, timestamp: "2026-12-01T12:04:30Z" }));
    expect(feed.lastChange(services, "a/api")).toMatchObject({ principal: "bob@example.com" });
  });

  it("remembers a long-running change from its first entry, not from the closing one stamped later", () => {
    const { feed, queued } = rig();
    feed.observe(services, "a/api", object("a", "api", SERVICE));
    const withOperation = (text: string, operation: object) => JSON.stringify({ ...JSON.parse(text), operation });
    feed.handle(withOperation(message({ timestamp: "2026-12-01T12:03:04Z" }), { id: "op-1", first: true }));
    feed.handle(message({ userAgent: DRIFTGUARD_USER_AGENT, timestamp: "2026-12-01T12:03:06Z" }));
    const closing = withOperation(message({ timestamp: "2026-12-01T12:03:40Z" }), { id: "op-1", last: true });
    expect(feed.handle(closing)).toBe("enqueued");
    expect(feed.lastChange(services, "a/api")).toBeUndefined();
    expect(queued).toEqual(["Service:a/api", "Service:a/api"]);
  });

  it("attributes a service account, and a change with an unknown tool", () => {
    const { feed } = rig();
    feed.observe(services, "a/api", object("a", "api", SERVICE));
    feed.handle(message({ principal: "ci@p-1.iam.gserviceaccount.com", userAgent: "curl/8.5.0" }));
    expect(feed.lastChange(services, "a/api")).toEqual({
      principal: "ci@p-1.iam.gserviceaccount.com",
      at: "2026-12-01T12:03:04Z",
      actorKind: "serviceAccount",
    });
  });

  it("with its principal configured, treats another driftguard's writes as drift", () => {
    const { feed, queued } = rig({ principal: "driftguard@ops.iam.gserviceaccount.com" });
    feed.observe(services, "a/api", object("a", "api", SERVICE));
    const other = message({
      principal: "driftguard@elsewhere.iam.gserviceaccount.com",
      userAgent: DRIFTGUARD_USER_AGENT,
    });
    expect(feed.handle(other)).toBe("enqueued");
    expect(feed.lastChange(services, "a/api")).toMatchObject({ tool: "driftguard", actorKind: "serviceAccount" });
    expect(queued).toEqual(["Service:a/api"]);
  });

  it("acks and counts what it cannot use, without queuing or remembering anything", () => {
    const { feed, queued, outcomes } = rig();
    feed.observe(services, "a/api", object("a", "api", SERVICE));
    feed.handle("not json");
    feed.handle(message({ method: "google.cloud.run.v2.Services.GetService" }));
    feed.handle(message({ resourceName: "projects/p-1/locations/europe-west1/services/unrelated" }));
    expect(outcomes).toEqual(["malformed", "unknown_method", "unmatched"]);
    expect(queued).toEqual([]);
    expect(feed.lastChange(services, "a/api")).toBeUndefined();
  });

  it("forgets an object's remembered change when the object is deleted", () => {
    const { feed } = rig();
    feed.observe(services, "a/api", object("a", "api", SERVICE));
    feed.handle(message({}));
    feed.observe(services, "a/api", undefined);
    expect(feed.lastChange(services, "a/api")).toBeUndefined();
  });
});
