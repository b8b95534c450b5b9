// The CRDs' CEL rules (x-kubernetes-validations, generated from src/api/rules*.ts) and the zod refinements that
// `driftguard validate` and the controller run, against one accept/reject table: they must agree on every row,
// and each CEL message must name the same field and the same numbers.

import { describe, expect, it } from "vitest";
import { CLOUD_RUN_RULES, KINDS, VPC_CONNECTOR_RULES, generateCrd, validateManifest } from "../../src/api/index.ts";
import { applyDefaults, celFailures, celRules } from "../support/cel.ts";
import { RULE_CASES, manifest } from "../support/spec-cases.ts";

function specSchema(kind: string) {
  const definition = KINDS.find((k) => k.kind === kind);
  if (!definition) throw new Error(`no kind ${kind}`);
  const spec = generateCrd(definition).spec.versions[0]?.schema.openAPIV3Schema.properties?.spec;
  if (!spec) throw new Error(`no spec schema for ${kind}`);
  return spec;
}

const numbers = (text: string) => (text.match(/\d+(\.\d+)?/g) ?? []).map(Number);

describe("CEL rules in the CRDs", () => {
  it("exist for every rule not marked controller-only, and only for those", () => {
    for (const [kind, rules] of [
      ["CloudRunServiceConfig", CLOUD_RUN_RULES],
      ["VpcConnectorConfig", VPC_CONNECTOR_RULES],
    ] as const) {
      const generated = celRules(specSchema(kind));
      const expected = rules.filter((rule) => rule.cel !== undefined).map((rule) => rule.cel?.rule);
      expect(generated.sort()).toEqual(expected.sort());
      for (const rule of rules) expect(rule.cel === undefined, rule.name).toBe(rule.controllerOnly !== undefined);
    }
  });

  it("cover every row of the table", () => {
    expect(RULE_CASES.filter((c) => c.rejection).length).toBeGreaterThanOrEqual(15);
    expect(RULE_CASES.filter((c) => !c.rejection).length).toBeGreaterThanOrEqual(8);
  });

  it.each(RULE_CASES.map((c, index) => [index, c.name, c] as const))(
    "#%i %s: CEL and driftguard validate agree",
    (index, _name, row) => {
      const object = manifest(row.kind, `case-${index}`, row.spec);
      const offline = validateManifest(object);
      const issues = offline.outcome === "checked" ? offline.issues.map((i) => `${i.path}: ${i.message}`) : [];
      const schema = specSchema(row.kind);
      const failures = celFailures(schema, applyDefaults(schema, object.spec), "spec");

      if (row.rejection === undefined) {
        expect(issues).toEqual([]);
        expect(failures).toEqual([]);
        return;
      }
      expect(issues.join("\n")).toContain(row.rejection);
      if (row.controllerOnly) {
        expect(failures).toEqual([]);
        return;
      }
      // Each side's findings are matched by the other's, at the same field (CEL may name a list where validate
      // names its item), and every number the CEL message states is one validate states too.
      const field = (text: string) => text.split(":")[0] ?? "";
      const covers = (failure: string, issue: string) => {
        const [celField, issueField] = [field(failure), field(issue)];
        return issueField === celField || issueField.startsWith(`${celField}[`);
      };
      for (const issue of issues) {
        expect(
          failures.some((f) => covers(f.message, issue)),
          issue,
        ).toBe(true);
      }
      for (const failure of failures) {
        const issue = issues.find((i) => covers(failure.message, i));
        expect(issue, failure.message).toBeDefined();
        expect(numbers(issue ?? ""), failure.message).toEqual(expect.arrayContaining(numbers(failure.message)));
      }
    },
  );
});
