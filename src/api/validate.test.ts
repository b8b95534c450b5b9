import { describe, expect, it } from "vitest";
import { formatPath, validateManifest } from "./validate.ts";

const connector = {
  apiVersion: "driftguard.dev/v1alpha1",
  kind: "VpcConnectorConfig",
  metadata: { name: "staging-connector", namespace: "netra" },
  spec: { connector: { project: "netra-staging", region: "us-central1", name: "staging-connector" } },
};

describe("validateManifest", () => {
  it("accepts a valid object and names it", () => {
    expect(validateManifest(connector)).toEqual({
      outcome: "checked",
      kind: "VpcConnectorConfig",
      name: "staging-connector",
      namespace: "netra",
      issues: [],
    });
  });

  it("reports schema and rule issues with full paths", () => {
    const result = validateManifest({ ...connector, spec: { ...connector.spec, minInstances: 5, maxInstances: 4 } });
    expect(result).toMatchObject({
      outcome: "checked",
      issues: [{ path: "spec.minInstances", message: "minInstances 5 must be less than maxInstances 4" }],
    });
  });

  it("reports a missing spec and unknown top-level fields", () => {
    const { spec: _spec, ...withoutSpec } = connector;
    expect(validateManifest({ ...withoutSpec, sepc: {} })).toMatchObject({
      issues: [
        { path: "spec", message: "required field is missing" },
        { path: "sepc", message: "unknown field" },
      ],
    });
  });

  it("ignores objects of other groups and non-objects", () => {
    expect(validateManifest({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } })).toEqual({
      outcome: "ignored",
      reason: "not a driftguard.dev resource",
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "c",
    });
    expect(validateManifest("text")).toEqual({ outcome: "ignored", reason: "not a Kubernetes object" });
    expect(validateManifest({ apiVersion: "apps.driftguard.dev/v1", kind: "X" })).toMatchObject({ outcome: "ignored" });
  });

  it("rejects unknown kinds and versions of the group", () => {
    expect(validateManifest({ ...connector, kind: "Connector" })).toMatchObject({
      issues: [
        {
          path: "kind",
          message:
            'unknown kind "Connector" in driftguard.dev: expected one of CloudRunServiceConfig, VpcConnectorConfig, ServiceConfigPolicy',
        },
      ],
    });
    expect(validateManifest({ ...connector, apiVersion: "driftguard.dev/v1" })).toMatchObject({
      issues: [
        { path: "apiVersion", message: "unsupported version driftguard.dev/v1: expected driftguard.dev/v1alpha1" },
      ],
    });
  });
});

describe("formatPath", () => {
  it("joins names with dots, indexes with brackets and quotes other keys", () => {
    expect(formatPath(["spec", "database", "timeouts", "pool"])).toBe("spec.database.timeouts.pool");
    expect(formatPath(["spec", "autoscaling", "machineTypeLadder", 1])).toBe("spec.autoscaling.machineTypeLadder[1]");
    expect(formatPath(["spec", "annotations", "run.googleapis.com/vpc-access-egress"])).toBe(
      'spec.annotations["run.googleapis.com/vpc-access-egress"]',
    );
    expect(formatPath([])).toBe("");
  });
});
