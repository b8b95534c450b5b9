import { describe, expect, it } from "vitest";
import { VpcConnectorConfigSpec } from "./connector.ts";
import { parseWithIssues } from "./validate.ts";

function spec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { connector: { project: "netra-staging", region: "us-central1", name: "staging-connector" }, ...overrides };
}

function issues(value: unknown): string[] {
  const result = parseWithIssues(VpcConnectorConfigSpec, value);
  return result.success ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

describe("VpcConnectorConfigSpec", () => {
  it("fills in the autoscaling defaults when autoscaling is omitted", () => {
    const parsed = VpcConnectorConfigSpec.parse(spec({ machineType: "e2-micro", minInstances: 2, maxInstances: 3 }));
    expect(parsed.managementPolicy).toBe("Enforce");
    expect(parsed.resyncInterval).toBe("60s");
    expect(parsed.autoscaling).toEqual({
      enabled: true,
      pollInterval: "30s",
      metricsDelay: "3m",
      scaleUpThreshold: 0.7,
      targetUtilization: 0.6,
      scaleDownThreshold: 0.3,
      stabilizationWindow: "60s",
      cooldown: "300s",
      maxStep: 2,
      ceiling: 10,
      machineTypeLadder: [],
      raiseMinInstances: false,
    });
  });

  it.each([
    ["missing connector", { connector: undefined }, "connector: required field is missing"],
    [
      "connector name too long",
      { connector: { project: "netra-staging", region: "us-central1", name: "a".repeat(26) } },
      "connector.name: must be a connector name",
    ],
    ["unknown machine type", { machineType: "e2-standard-8" }, "machineType: Invalid option"],
    ["min instances below 2", { minInstances: 1 }, "minInstances: Too small"],
    ["min instances above 9", { minInstances: 10 }, "minInstances: Too big"],
    ["max instances above 10", { maxInstances: 50 }, "maxInstances: Too big"],
    ["max instances below 3", { maxInstances: 2 }, "maxInstances: Too small"],
    ["threshold above 1", { autoscaling: { scaleUpThreshold: 1.5 } }, "autoscaling.scaleUpThreshold: Too big"],
    ["ceiling above 10", { autoscaling: { ceiling: 12 } }, "autoscaling.ceiling: Too big"],
    ["maxStep of 0", { autoscaling: { maxStep: 0 } }, "autoscaling.maxStep: Too small"],
    ["malformed cooldown", { autoscaling: { cooldown: "5 minutes" } }, "autoscaling.cooldown: must be a duration"],
    [
      "unknown ladder rung",
      { autoscaling: { machineTypeLadder: ["e2-micro", "n1-standard-1"] } },
      "autoscaling.machineTypeLadder[1]: Invalid option",
    ],
    ["enabled as string", { autoscaling: { enabled: "yes" } }, "autoscaling.enabled: Invalid input: expected boolean"],
    ["unknown field", { autoscaling: { threshold: 0.5 } }, "autoscaling.threshold: unknown field"],
  ])("rejects %s", (_name, overrides, expected) => {
    const found = issues(spec(overrides));
    expect(
      found.some((issue) => issue.startsWith(expected)),
      `got ${JSON.stringify(found)}`,
    ).toBe(true);
  });
});
