import { describe, expect, it } from "vitest";
import { CloudRunServiceConfigSpec } from "./cloudrun.ts";
import { quantityValue } from "./limits.ts";
import { parseWithIssues } from "./validate.ts";

const service = { project: "netra-staging", region: "us-central1", name: "netra-backend-staging" };

function issues(spec: Record<string, unknown>): string[] {
  const result = parseWithIssues(CloudRunServiceConfigSpec, { service, ...spec });
  return result.success ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

describe("quantityValue", () => {
  it.each([
    ["1", 1],
    ["500m", 0.5],
    ["0.08", 0.08],
    ["4Gi", 4 * 2 ** 30],
    ["512Mi", 512 * 2 ** 20],
    ["1G", 1e9],
    ["1e3", 1000],
    [2, 2],
    ["-2", undefined],
    ["four", undefined],
  ])("%j is %j", (text, value) => {
    expect(quantityValue(text)).toBe(value);
  });
});

describe("Cloud Run resource limits", () => {
  it.each([
    [{ cpu: "-2" }, "resources.cpu: must be a Kubernetes quantity"],
    [{ memory: "-512Mi" }, "resources.memory: must be a Kubernetes quantity"],
    [{ cpu: "9" }, "resources.cpu: must be at most 8 vCPU (Cloud Run's maximum), got 9"],
    [{ cpu: 3 }, "resources.cpu: must be 1, 2, 4, 6 or 8 vCPU"],
    [{ cpu: "50m" }, "resources.cpu: must be at least 0.08 vCPU"],
    [{ cpu: "0.0805" }, "resources.cpu: a fraction below 1 vCPU must be a multiple of 0.001"],
    [{ memory: "64Mi" }, "resources.memory: must be at least 128Mi"],
    [{ memory: "33Gi" }, "resources.memory: must be at most 32Gi"],
    [{ cpu: "1", memory: "8Gi" }, "resources: memory 8Gi needs at least 2 vCPU, got cpu 1"],
    [{ cpu: "2", memory: "16Gi" }, "resources: memory 16Gi needs at least 4 vCPU, got cpu 2"],
    [{ cpu: "4", memory: "1Gi" }, "resources: cpu 4 needs at least 2Gi of memory, got 1Gi"],
    [{ cpu: "8", memory: "2Gi" }, "resources: cpu 8 needs at least 4Gi of memory, got 2Gi"],
    [{ cpu: "400m", memory: "1Gi" }, "resources: memory 1Gi above 512Mi needs at least 0.5 vCPU, got cpu 400m"],
    [{ cpu: "0.9", memory: "2Gi" }, "resources: memory 2Gi above 1Gi needs at least 1 vCPU, got cpu 0.9"],
  ])("%j is refused: %s", (resources, message) => {
    expect(issues({ resources }).join("\n")).toContain(message);
  });

  it.each([
    { cpu: "80m", memory: "128Mi" },
    { cpu: "500m", memory: "1Gi" },
    { cpu: "1", memory: "4Gi" },
    { cpu: "2", memory: "8Gi" },
    { cpu: "6", memory: "24Gi" },
    { cpu: "8", memory: "32Gi" },
  ])("%j is accepted", (resources) => {
    expect(issues({ resources })).toEqual([]);
  });
});

describe("env, label and annotation limits", () => {
  it("refuses more than 1000 variables, counting those spec.database writes", () => {
    const env = Object.fromEntries(Array.from({ length: 999 }, (_, i) => [`V${i}`, "x"]));
    expect(issues({ env })).toEqual([]);
    expect(issues({ env, database: { pool: { size: 1, maxOverflow: 0 } } })).toEqual([
      "env: 1001 environment variables (spec.env and spec.database) exceed Cloud Run's 1000 per container",
    ]);
  });

  it("refuses a value over 32768 bytes, counted in UTF-8, and a NUL character", () => {
    expect(issues({ env: { A: "x".repeat(32768) } })).toEqual([]);
    expect(issues({ env: { A: "é".repeat(16385) } })).toEqual([
      "env.A: must be at most 32768 bytes (Cloud Run's limit per variable)",
    ]);
    expect(issues({ env: { A: "a\u0000b" } })).toEqual(["env.A: must not contain a NUL character"]);
  });

  it("applies Google's label rules, international lowercase letters included", () => {
    expect(issues({ labels: { team: "core", "cost_center-1": "", équipe: "données", 部署: "東京" } })).toEqual([]);
    const key = "must be 1-63 characters of lowercase letters (international ones too), digits, _ and -";
    expect(issues({ labels: { Team: "core" } })).toEqual([
      `labels.Team: invalid key: ${key}, starting with a lowercase letter (Google)`,
    ]);
    expect(issues({ labels: { "🚀": "x" } })[0]).toContain('labels["🚀"]: invalid key');
    expect(issues({ labels: { "app.kubernetes.io/name": "x" } })[0]).toContain(
      'labels["app.kubernetes.io/name"]: invalid key',
    );
    expect(issues({ labels: { ["a".repeat(64)]: "x" } })[0]).toContain(`labels.${"a".repeat(64)}: invalid key`);
    expect(issues({ labels: { team: "Core" } })[0]).toContain("labels.team: must be at most 63 characters of");
    expect(issues({ labels: { team: "x".repeat(100 * 1024) } })[0]).toContain("labels.team: Too big");
  });

  it("applies Kubernetes' annotation key rules", () => {
    expect(issues({ annotations: { "example.com/owner": "me", note: "x" } })).toEqual([]);
    expect(issues({ annotations: { "bad key": "x" } })).toEqual([
      'annotations["bad key"]: invalid key: must be a Kubernetes qualified name such as example.com/owner',
    ]);
  });
});
