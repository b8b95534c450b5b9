import { describe, expect, it } from "vitest";
import { compareEnvironments, flatten, pairKey, PARITY_KEY_LABEL, type ParitySide } from "./compare.ts";

const side = (name: string, spec: Record<string, unknown>, extra: Partial<ParitySide> = {}): ParitySide => ({
  kind: "CloudRunServiceConfig",
  namespace: "ns",
  name,
  spec,
  declared: spec,
  findings: [],
  ...extra,
});

describe("pairKey", () => {
  it("strips the environment as a suffix or a prefix, and prefers the parity-key label", () => {
    expect(pairKey(side("netra-backend-staging", {}), "staging")).toBe("netra-backend");
    expect(pairKey(side("staging-connector", {}), "staging")).toBe("connector");
    expect(pairKey(side("backend", {}), "staging")).toBe("backend");
    expect(pairKey(side("stagingish", {}), "staging")).toBe("stagingish");
    expect(pairKey(side("x", {}, { labels: { [PARITY_KEY_LABEL]: "api" } }), "staging")).toBe("api");
  });
});

describe("compareEnvironments", () => {
  it("compares by the field's type, skips identity fields and marks live drift", () => {
    const report = compareEnvironments(
      {
        environment: "staging",
        sides: [
          side("api-staging", {
            service: { name: "api-staging" },
            requestTimeout: "1m15s",
            resources: { cpu: "1000m" },
            scaling: { maxInstances: 4 },
          }),
        ],
      },
      {
        environment: "production",
        sides: [
          side(
            "api-production",
            {
              service: { name: "api-production" },
              requestTimeout: "75s",
              resources: { cpu: "1" },
              scaling: { maxInstances: 20 },
            },
            { liveDiffs: [{ field: "requestTimeout (template.timeout)", desired: "75s", live: "30s" }] },
          ),
        ],
      },
    );
    expect(report.pairs).toHaveLength(1);
    expect(report.pairs[0]?.rows).toEqual([
      { field: "requestTimeout", from: "1m15s", to: "75s", toLive: "30s", differs: false },
      { field: "resources.cpu", from: "1000m", to: "1", differs: false },
      { field: "scaling.maxInstances", from: "4", to: "20", differs: true },
    ]);
    expect(report.toReview).toBe(1);
  });

  it("is in parity when every declared value matches and nothing drifted or broke a rule", () => {
    const spec = { requestTimeout: "600s", env: { FEATURE: "on" } };
    const report = compareEnvironments(
      { environment: "a", sides: [side("svc-a", spec)] },
      { environment: "b", sides: [side("svc-b", spec)] },
    );
    expect(report.toReview).toBe(0);
    const findings = compareEnvironments(
      { environment: "a", sides: [side("svc-a", spec)] },
      { environment: "b", sides: [side("svc-b", spec, { findings: ["policy p rule r: ..."] })] },
    );
    expect(findings.toReview).toBe(1);
  });

  it("reports an object present on one side only, without rows", () => {
    const report = compareEnvironments(
      { environment: "a", sides: [side("only-a", { requestTimeout: "1s" })] },
      { environment: "b", sides: [] },
    );
    expect(report.pairs).toEqual([
      { key: "only", kind: "CloudRunServiceConfig", from: { namespace: "ns", name: "only-a", findings: [] }, rows: [] },
    ]);
    expect(report.toReview).toBe(1);
  });

  it("flattens nested specs to the dotted paths plans use", () => {
    expect([...flatten({ a: { b: 1, c: [] }, d: ["x", "y"], e: true })]).toEqual([
      ["a.b", "1"],
      ["a.c", "(none)"],
      ["d", "x, y"],
      ["e", "true"],
    ]);
  });
});
