import { describe, expect, it } from "vitest";
import { compilePolicy } from "./compile.ts";

const policy = (spec: object, name = "production") => ({
  apiVersion: "driftguard.dev/v1alpha1",
  kind: "ServiceConfigPolicy",
  metadata: { name },
  spec,
});
const problemsOf = (spec: object): string[] => {
  const result = compilePolicy(policy(spec));
  return result.ok ? [] : result.problems;
};

describe("compilePolicy", () => {
  it("compiles floors, ceilings, required values and a startup budget", () => {
    const result = compilePolicy(
      policy({
        namespaceSelector: { matchLabels: { environment: "production" } },
        rules: [
          { name: "init-floor", field: "database.timeouts.initialization", min: "75s" },
          { name: "max-ceiling", field: "scaling.maxInstances", max: 20, severity: "Warn" },
          { name: "egress", field: "vpcAccess.egress", equals: "ALL_TRAFFIC" },
          { name: "machine", kind: "VpcConnectorConfig", field: "machineType", min: "e2-micro" },
        ],
        startupBudget: { allowances: { vpcScaling: "30s", cloudSql: "25s", safetyMargin: "15s" } },
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policy.rules.map((r) => [r.name, r.severity])).toEqual([
      ["init-floor", "Deny"],
      ["max-ceiling", "Warn"],
      ["egress", "Deny"],
      ["machine", "Deny"],
    ]);
    expect(result.policy.rules[0]?.min).toEqual({ text: "75s", value: 75_000 });
    expect(result.policy.startupBudget).toEqual({
      totalMs: 70_000,
      breakdown: "vpcScaling 30s + cloudSql 25s + safetyMargin 15s = 70s",
      severity: "Deny",
    });
  });

  it("refuses an unknown field, naming the kind and listing the known ones", () => {
    const [problem] = problemsOf({ rules: [{ name: "typo", field: "database.timeout.initialization", min: "75s" }] });
    expect(problem).toMatch(
      /^spec\.rules\[0\] \(typo\)\.field: CloudRunServiceConfig has no field "database\.timeout\.initialization"/,
    );
    expect(problem).toContain("database.timeouts.initialization");
    expect(
      problemsOf({ rules: [{ name: "x", kind: "VpcConnectorConfig", field: "requestTimeout", max: "10s" }] })[0],
    ).toContain("VpcConnectorConfig has no field");
  });

  it.each([
    [
      { field: "database.timeouts.initialization", min: 75 },
      'is a duration: expected a duration such as "75s", got 75',
    ],
    [{ field: "scaling.maxInstances", max: "20s" }, 'is an integer: expected an integer, got "20s"'],
    [{ field: "resources.memory", min: "lots" }, "is a memory quantity: expected a quantity"],
    [{ field: "vpcAccess.egress", equals: "SOME_TRAFFIC" }, "expected one of ALL_TRAFFIC, PRIVATE_RANGES_ONLY"],
    [{ field: "vpcAccess.egress", min: "ALL_TRAFFIC" }, "has no order; use equals or oneOf"],
    [{ field: "database.pool.prePing", equals: "yes" }, "expected true or false"],
    [{ field: "scaling.minInstances", oneOf: ["one"] }, "oneOf[0]: scaling.minInstances is an integer"],
  ])("refuses a value of the wrong type: %j", (rule, message) => {
    const problems = problemsOf({ rules: [{ name: "r", ...rule }] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it.each([
    [{ field: "database.timeouts.initialization", min: "90s", max: "75s" }, "min 90s is above max 75s"],
    [{ field: "scaling.maxInstances", min: 2, max: 10, equals: 20 }, "equals 20 lies outside min/max"],
    [{ field: "vpcAccess.egress", equals: "ALL_TRAFFIC", oneOf: ["PRIVATE_RANGES_ONLY"] }, "is not among oneOf"],
    [{ field: "scaling.maxInstances", max: 5, oneOf: ["10", "20"] }, "every oneOf value lies outside min/max"],
    [{ field: "scaling.maxInstances" }, "states nothing"],
  ])("refuses a rule that contradicts itself or says nothing: %j", (rule, message) => {
    expect(problemsOf({ rules: [{ name: "r", ...rule }] })).toEqual([expect.stringContaining(message)]);
  });

  it("compares quantities by value, so 1 and 1000m are the same floor", () => {
    const result = compilePolicy(policy({ rules: [{ name: "cpu", field: "resources.cpu", min: "1000m", max: 1 }] }));
    expect(result.ok).toBe(true);
  });

  it("refuses schema errors, duplicate rule names, bad selectors and an empty budget", () => {
    expect(problemsOf({ rules: [{ name: "Bad Name", field: "requestTimeout", min: "1s" }] })[0]).toContain(
      "spec.rules[0].name: must be a DNS label",
    );
    expect(problemsOf({ rules: [{ name: "r", field: "requestTimeout", min: "1s", severity: "Block" }] })[0]).toContain(
      "spec.rules[0].severity",
    );
    expect(
      problemsOf({
        rules: [
          { name: "r", field: "requestTimeout", min: "1s" },
          { name: "r", field: "requestTimeout", max: "10s" },
        ],
      }),
    ).toEqual([expect.stringContaining("another rule has the same name")]);
    expect(
      problemsOf({ namespaceSelector: { matchExpressions: [{ key: "environment", operator: "In" }] }, rules: [] }),
    ).toEqual([expect.stringContaining("In needs values")]);
    expect(problemsOf({ startupBudget: { allowances: {} } })).toEqual([expect.stringContaining("name at least one")]);
    expect(problemsOf({ startupBudget: { allowances: { vpc: "thirty" } } })[0]).toContain(
      "spec.startupBudget.allowances.vpc",
    );
  });
});
