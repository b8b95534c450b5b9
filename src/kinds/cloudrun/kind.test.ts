import { ServicesClient } from "@google-cloud/run";
import { afterAll, describe, expect, it, vi } from "vitest";
import { CloudRunServiceConfigSpec } from "../../api/cloudrun.ts";
import { clientOptions } from "../../gcp/connection.ts";
import { CallGuard } from "../../gcp/guard.ts";
import type { KindContext, ManagedObject, ObjectLookup, ResourceType } from "../kind.ts";
import { connectorResource } from "../connector/resource.ts";
import { ADMISSION_RECHECK_MS, CloudRunKind, cloudRunResource } from "./kind.ts";

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

const onSharedDb = (name: string, size: number) =>
  object(
    cloudRunResource.kind,
    name,
    service(name, {
      scaling: { maxInstances: 4 },
      database: { cloudSqlInstance: "netra-staging:us-central1:db", maxConnections: 100, pool: { size } },
    }),
  );

describe("CloudRunKind.admit", () => {
  it("admits a plain spec", () => {
    expect(admit(object(cloudRunResource.kind, "a", service("a")))).toBeUndefined();
  });

  it("re-checks an exceeded shared connection budget soon, since a peer's change raises no event here", () => {
    const blocked = admit(onSharedDb("a", 10), [onSharedDb("b", 11)]);
    expect(blocked).toMatchObject({ reason: "ConnectionBudgetExceeded", retryAfterMs: ADMISSION_RECHECK_MS });
    expect(blocked?.message).toContain("84 connections");
    expect(admit(onSharedDb("a", 10), [onSharedDb("b", 10)])).toBeUndefined();
  });

  it("waits for a referenced connector config and re-checks it soon", () => {
    const target = object(cloudRunResource.kind, "a", service("a", { vpcAccess: { connectorRef: { name: "vpc" } } }));
    expect(admit(target)).toMatchObject({ reason: "DependencyNotReady", retryAfterMs: ADMISSION_RECHECK_MS });
    const connector = (status: string) =>
      object(
        connectorResource.kind,
        "vpc",
        { connector: { project: "netra-staging", region: "us-central1", name: "staging-connector" } },
        { conditions: [{ type: "Ready", status, reason: "UpToDate" }] },
      );
    expect(admit(target, [connector("False")])?.reason).toBe("DependencyNotReady");
    expect(admit(target, [connector("True")])).toBeUndefined();
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

  it("validates each peer's spec once, not on every reconcile", () => {
    const onDb = (name: string) => service(name, { database: { cloudSqlInstance: "netra-staging:us-central1:db" } });
    const peers = Array.from({ length: 20 }, (_, i) => object("CloudRunServiceConfig", `peer-${i}`, onDb(`peer-${i}`)));
    const target = object("CloudRunServiceConfig", "target", onDb("target"));
    admit(target, peers);
    const parse = vi.spyOn(CloudRunServiceConfigSpec, "safeParse");
    try {
      for (let pass = 0; pass < 5; pass++) expect(admit(target, peers)).toBeUndefined();
      expect(parse).not.toHaveBeenCalled();
      // A changed object comes with a new spec object, which is validated again.
      admit(target, [...peers.slice(1), object("CloudRunServiceConfig", "peer-0", onDb("peer-0"))]);
      expect(parse).toHaveBeenCalledTimes(1);
      // A config that names no Cloud SQL instance has no budget to check and looks at no peer.
      const alone = object("CloudRunServiceConfig", "alone", service("alone"));
      admit(alone, [object("CloudRunServiceConfig", "fresh", onDb("fresh"))]);
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });
});
