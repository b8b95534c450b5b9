import { describe, expect, it } from "vitest";
import { CloudRunServiceConfigSpec } from "../api/cloudrun.ts";
import { compilePolicy, type CompiledPolicy } from "./compile.ts";
import { judgeSpec, summariseFindings } from "./evaluate.ts";

const compiled = (spec: object, name = "production"): CompiledPolicy => {
  const result = compilePolicy({
    apiVersion: "driftguard.dev/v1alpha1",
    kind: "ServiceConfigPolicy",
    metadata: { name },
    spec,
  });
  if (!result.ok) throw new Error(result.problems.join("; "));
  return result.policy;
};
const production = { environment: "production" };
const service = (extra: object) =>
  CloudRunServiceConfigSpec.parse({
    service: { project: "netra-prod", region: "us-central1", name: "backend" },
    ...extra,
  }) as unknown as Record<string, unknown>;
const judge = (policy: CompiledPolicy, spec: Record<string, unknown>, labels: Record<string, string> = production) =>
  judgeSpec([policy], "CloudRunServiceConfig", labels, spec);

describe("judgeSpec", () => {
  const floors = compiled({
    namespaceSelector: { matchLabels: production },
    rules: [
      { name: "init-floor", field: "database.timeouts.initialization", min: "75s", message: "the 2025 outage" },
      { name: "max-ceiling", field: "scaling.maxInstances", max: 20 },
      { name: "egress", field: "vpcAccess.egress", equals: "ALL_TRAFFIC", severity: "Warn" },
    ],
  });

  it("denies a regressed timeout with the policy, rule, field, value and floor in the message", () => {
    const result = judge(floors, service({ database: { timeouts: { initialization: "25s" } } }));
    expect(result.denials).toEqual([
      {
        policy: "production",
        rule: "init-floor",
        severity: "Deny",
        message:
          "policy production rule init-floor: spec.database.timeouts.initialization is 25s, must be at least 75s (the 2025 outage)",
      },
    ]);
    expect(result.warnings).toEqual([]);
  });

  it("compares durations by length, whatever their unit", () => {
    expect(judge(floors, service({ database: { timeouts: { initialization: "1m15s" } } })).denials).toEqual([]);
    expect(judge(floors, service({ database: { timeouts: { initialization: "74999ms" } } })).denials).toHaveLength(1);
    expect(judge(floors, service({ database: { timeouts: { initialization: "2m" } } })).denials).toEqual([]);
  });

  it("applies ceilings inclusively and reports Warn rules apart from Deny rules", () => {
    expect(judge(floors, service({ scaling: { maxInstances: 20 } })).denials).toEqual([]);
    expect(judge(floors, service({ scaling: { maxInstances: 21 } })).denials[0]?.message).toContain(
      "spec.scaling.maxInstances is 21, must be at most 20",
    );
    const warned = judge(
      floors,
      service({
        vpcAccess: {
          connector: "projects/netra-prod/locations/us-central1/connectors/c",
          egress: "PRIVATE_RANGES_ONLY",
        },
      }),
    );
    expect(warned.denials).toEqual([]);
    expect(warned.warnings.map((w) => w.message)).toEqual([
      "policy production rule egress: spec.vpcAccess.egress is PRIVATE_RANGES_ONLY, must be ALL_TRAFFIC",
    ]);
  });

  it("judges only declared fields unless the rule requires them", () => {
    expect(judge(floors, service({})).denials).toEqual([]);
    const required = compiled({
      rules: [{ name: "must-init", field: "database.timeouts.initialization", required: true }],
    });
    expect(judge(required, service({})).denials[0]?.message).toContain(
      "spec.database.timeouts.initialization is not declared; the rule requires it",
    );
    expect(judge(required, service({ database: { timeouts: { initialization: "1s" } } })).denials).toEqual([]);
  });

  it("compares cpu and memory as quantities", () => {
    const sized = compiled({
      rules: [
        { name: "cpu", field: "resources.cpu", min: "1", max: "4" },
        { name: "memory", field: "resources.memory", min: "512Mi", max: "16Gi" },
      ],
    });
    expect(judge(sized, service({ resources: { cpu: "1000m", memory: "0.5Gi" } })).denials).toEqual([]);
    expect(judge(sized, service({ resources: { cpu: 8, memory: "32Gi" } })).denials.map((d) => d.rule)).toEqual([
      "cpu",
      "memory",
    ]);
    expect(judge(sized, service({ resources: { cpu: "500m" } })).denials[0]?.message).toContain(
      "spec.resources.cpu is 500m, must be at least 1",
    );
  });

  it("checks oneOf and booleans", () => {
    const words = compiled({
      rules: [
        { name: "policy", field: "managementPolicy", oneOf: ["Enforce"] },
        { name: "ping", field: "database.pool.prePing", equals: "true" },
      ],
    });
    const spec = service({ managementPolicy: "Observe", database: { pool: { prePing: false } } });
    expect(judge(words, spec).denials.map((d) => d.message)).toEqual([
      "policy production rule policy: spec.managementPolicy is Observe, must be one of Enforce",
      "policy production rule ping: spec.database.pool.prePing is false, must be true",
    ]);
  });

  it("applies only to selected namespaces and to the rule's kind", () => {
    const spec = service({ database: { timeouts: { initialization: "25s" } } });
    expect(judge(floors, spec, { environment: "staging" }).denials).toEqual([]);
    expect(judgeSpec([floors], "CloudRunServiceConfig", undefined, spec).denials).toEqual([]);
    expect(judgeSpec([floors], "VpcConnectorConfig", production, spec).denials).toEqual([]);
    const everywhere = compiled({ rules: [{ name: "init", field: "database.timeouts.initialization", min: "30s" }] });
    expect(judge(everywhere, spec, {}).denials).toHaveLength(1);
  });

  it("selects with matchExpressions", () => {
    const policy = compiled({
      namespaceSelector: { matchExpressions: [{ key: "environment", operator: "In", values: ["production", "dr"] }] },
      rules: [{ name: "init", field: "database.timeouts.initialization", min: "75s" }],
    });
    const spec = service({ database: { timeouts: { initialization: "25s" } } });
    expect(judge(policy, spec, { environment: "dr" }).denials).toHaveLength(1);
    expect(judge(policy, spec, { environment: "staging" }).denials).toEqual([]);
  });

  it("checks the startup budget against the probe's window and the initialization timeout", () => {
    const budget = compiled({
      startupBudget: { allowances: { vpcScaling: "30s", cloudSql: "25s", safetyMargin: "15s" } },
    });
    const fits = service({
      startupProbe: { tcpSocket: {}, periodSeconds: 10, failureThreshold: 9 },
      database: { timeouts: { initialization: "75s" } },
    });
    expect(judge(budget, fits).denials).toEqual([]);
    const short = service({
      startupProbe: { tcpSocket: {}, periodSeconds: 10, failureThreshold: 6 },
      database: { timeouts: { initialization: "60s" } },
    });
    expect(judge(budget, short).denials.map((d) => d.message)).toEqual([
      "policy production rule startupBudget: spec.startupProbe allows 60s to start, less than the startup budget vpcScaling 30s + cloudSql 25s + safetyMargin 15s = 70s",
      "policy production rule startupBudget: spec.database.timeouts.initialization is 60s, less than the startup budget vpcScaling 30s + cloudSql 25s + safetyMargin 15s = 70s",
    ]);
    expect(judge(budget, service({})).denials).toEqual([]);
  });

  it("summarises many findings without losing the count", () => {
    const findings = Array.from({ length: 8 }, (_, i) => ({
      policy: "p",
      rule: `r${i}`,
      severity: "Deny" as const,
      message: `m${i}`,
    }));
    expect(summariseFindings(findings, 2)).toBe("m0; m1; and 6 more");
    expect(summariseFindings(findings.slice(0, 1))).toBe("m0");
  });
});
