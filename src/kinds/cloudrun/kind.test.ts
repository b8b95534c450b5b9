import { ServicesClient } from "@google-cloud/run";
import { afterAll, describe, expect, it } from "vitest";
import { CloudRunServiceConfigSpec } from "../../api/cloudrun.ts";
import { clientOptions } from "../../gcp/connection.ts";
import { CallGuard } from "../../gcp/guard.ts";
import type { KindContext, ManagedObject, ObjectLookup, ResourceType } from "../kind.ts";
import { connectorResource } from "../connector/resource.ts";
import { CloudRunKind, cloudRunResource } from "./kind.ts";

// admit reads only the cache: the client is never called, so it points nowhere.
const services = new ServicesClient(
  clientOptions({ transport: "rest", restEndpoint: "http://127.0.0.1:9", accessToken: "unused" }),
);
const kind = new CloudRunKind(services, new CallGuard({ api: "run" }));
afterAll(() => services.close());

const object = (kindName: string, name: string, spec: object, status?: Record<string, unknown>): ManagedObject => ({
  apiVersion: "driftguard.dev/v1alpha1",
  kind: kindName,
  metadata: { namespace: "staging", name },
  spec,
  ...(status ? { status } : {}),
});

function lookupOf(objects: ManagedObject[]): ObjectLookup {
  const of = (resource: ResourceType) => objects.filter((o) => o.kind === resource.kind);
  return {
    list: of,
    get: (resource, namespace, name) =>
      of(resource).find((o) => o.metadata?.namespace === namespace && o.metadata.name === name),
  };
}

const service = (name: string, extra: object = {}) => ({
  service: { project: "netra-staging", region: "us-central1", name },
  ...extra,
});

function admit(target: ManagedObject, others: ManagedObject[] = []) {
  const ctx: KindContext<CloudRunServiceConfigSpec> = {
    key: `staging/${target.metadata?.name}`,
    object: target,
    spec: CloudRunServiceConfigSpec.parse(target.spec),
    lookup: lookupOf([target, ...others]),
    now: new Date(0),
  };
  return kind.admit(ctx);
}

const connectorConfig = (project: string, ready: "True" | "False" = "True") =>
  object(
    connectorResource.kind,
    "vpc",
    { connector: { project, region: "us-central1", name: "staging-connector" } },
    { conditions: [{ type: "Ready", status: ready, reason: "UpToDate" }] },
  );

describe("CloudRunKind.admit", () => {
  it("admits a plain spec", () => {
    expect(admit(object(cloudRunResource.kind, "a", service("a")))).toBeUndefined();
  });

  it("does not wait for a referenced connector config: only the connector field waits (see observe)", () => {
    const target = object(cloudRunResource.kind, "a", service("a", { vpcAccess: { connectorRef: { name: "vpc" } } }));
    expect(admit(target)).toBeUndefined();
    expect(admit(target, [connectorConfig("netra-staging", "False")])).toBeUndefined();
  });

  it("refuses a spec that cannot be rendered before any Google call, without retrying", () => {
    const target = object(
      cloudRunResource.kind,
      "a",
      service("a", { annotations: { "run.googleapis.com/frobnicate": "yes" } }),
    );
    const blocked = admit(target);
    expect(blocked?.reason).toBe("InvalidSpec");
    expect(blocked?.message).toContain('spec.annotations["run.googleapis.com/frobnicate"]');
    expect(blocked?.retryAfterMs).toBeUndefined();
  });
});

describe("CloudRunKind.referencedProjects", () => {
  const projects = (spec: object, others: ManagedObject[] = []) =>
    kind.referencedProjects(CloudRunServiceConfigSpec.parse(spec), lookupOf(others), "staging");
  const own = { field: "spec.service.project", project: "netra-staging" };

  it("names the service's own project", () => {
    expect(projects(service("a"))).toEqual([own]);
  });

  it("names the project of a declared connector", () => {
    const connector = "projects/proj-other/locations/us-central1/connectors/private-net";
    expect(projects(service("a", { vpcAccess: { connector } }))).toEqual([
      own,
      { field: "spec.vpcAccess.connector", project: "proj-other" },
    ]);
  });

  it("names the project of the Cloud SQL instance", () => {
    expect(projects(service("a", { database: { cloudSqlInstance: "proj-other:us-central1:prod-db" } }))).toEqual([
      own,
      { field: "spec.database.cloudSqlInstance", project: "proj-other" },
    ]);
  });

  it("names the project of the connector a connectorRef resolves to, Ready or not", () => {
    const spec = service("a", { vpcAccess: { connectorRef: { name: "vpc" } } });
    expect(projects(spec, [connectorConfig("proj-other", "False")])).toEqual([
      own,
      { field: "spec.vpcAccess.connectorRef", project: "proj-other" },
    ]);
    expect(projects(spec)).toEqual([own]);
  });

  it("follows the connector as it moves, for the same parsed spec asked again", () => {
    const spec = CloudRunServiceConfigSpec.parse(service("a", { vpcAccess: { connectorRef: { name: "vpc" } } }));
    const asked = (others: ManagedObject[]) => kind.referencedProjects(spec, lookupOf(others), "staging");
    const via = (project: string) => ({ field: "spec.vpcAccess.connectorRef", project });
    expect(asked([connectorConfig("proj-one")])).toEqual([own, via("proj-one")]);
    expect(asked([connectorConfig("proj-two")])).toEqual([own, via("proj-two")]);
    expect(asked([])).toEqual([own]);
    expect(asked([connectorConfig("proj-one")])).toEqual([own, via("proj-one")]);
  });

  it("names the projects v1 annotations reach", () => {
    const spec = service("a", {
      annotations: {
        "run.googleapis.com/vpc-access-connector": "projects/proj-net/locations/us-central1/connectors/shared",
        "run.googleapis.com/cloudsql-instances": "proj-db:us-central1:one,proj-db2:us-central1:two",
      },
    });
    expect(projects(spec)).toEqual([
      own,
      { field: 'spec.annotations["run.googleapis.com/vpc-access-connector"]', project: "proj-net" },
      { field: 'spec.annotations["run.googleapis.com/cloudsql-instances"]', project: "proj-db" },
      { field: 'spec.annotations["run.googleapis.com/cloudsql-instances"]', project: "proj-db2" },
    ]);
  });
});
