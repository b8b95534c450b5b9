import { describe, expect, it } from "vitest";
import { cloudRunResource } from "../kinds/cloudrun/kind.ts";
import { connectorReadiness, connectorResource } from "../kinds/connector/resource.ts";
import { ManifestSetLookup } from "./lookup.ts";
import { manifest, ObjectList } from "./test-fixtures.ts";

const target = { project: "netra-staging", region: "us-central1", name: "staging-connector" };

describe("ManifestSetLookup", () => {
  const objects = new ObjectList([
    manifest("VpcConnectorConfig", "good", { connector: target }),
    manifest("VpcConnectorConfig", "bad", { connector: target, minInstances: 5, maxInstances: 3 }),
    manifest("CloudRunServiceConfig", "backend", {}),
  ]);
  const lookup = new ManifestSetLookup(objects);

  it("resolves a valid connector config in the same set without a Ready status", () => {
    expect(connectorReadiness(objects, "staging", "good").ready).toBe(false);
    expect(connectorReadiness(lookup, "staging", "good")).toMatchObject({
      ready: true,
      fullName: "projects/netra-staging/locations/us-central1/connectors/staging-connector",
    });
  });

  it("reports an invalid connector config as not Ready because of its spec", () => {
    expect(connectorReadiness(lookup, "staging", "bad")).toMatchObject({
      ready: false,
      message: "Waiting for VpcConnectorConfig staging/bad: Ready=False (InvalidSpec)",
    });
  });

  it("leaves missing connectors missing and other kinds untouched", () => {
    expect(connectorReadiness(lookup, "staging", "absent").message).toContain("does not exist yet");
    expect(lookup.list(cloudRunResource)).toEqual(objects.list(cloudRunResource));
    expect(lookup.list(connectorResource)).toHaveLength(2);
  });

  it("never changes the loaded objects", () => {
    lookup.list(connectorResource);
    expect(objects.get(connectorResource, "staging", "good")?.status).toEqual({});
  });
});
