import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type JsonSchema, generateCrd, toStructuralSchema, withCelRules } from "./crd.ts";
import { KINDS } from "./kinds.ts";

/** Calls `visit` for every schema node below `node`, with its path. */
function walk(node: JsonSchema, path: string, visit: (node: JsonSchema, path: string) => void): void {
  visit(node, path);
  for (const [name, child] of Object.entries(node.properties ?? {})) walk(child, `${path}.${name}`, visit);
  if (node.items) walk(node.items, `${path}[]`, visit);
  if (typeof node.additionalProperties === "object") walk(node.additionalProperties, `${path}.*`, visit);
}

describe.each(KINDS.map((kind) => [kind.kind, kind] as const))("generated CRD for %s", (_name, kind) => {
  const crd = generateCrd(kind);
  const version = crd.spec.versions[0];
  const root = version?.schema.openAPIV3Schema;

  it("is scoped as declared (policies cluster-wide), served and stored, with the status subresource", () => {
    expect(crd.metadata.name).toBe(`${kind.plural}.driftguard.dev`);
    expect(crd.spec.scope).toBe(kind.kind === "ServiceConfigPolicy" ? "Cluster" : "Namespaced");
    expect(crd.spec.names.shortNames).toEqual(kind.shortNames);
    expect(version).toMatchObject({ name: "v1alpha1", served: true, storage: true, subresources: { status: {} } });
  });

  it("is structural: every node typed or int-or-string, no $ref, no closed objects", () => {
    const problems: string[] = [];
    walk(root ?? {}, "", (node, path) => {
      if (node.type === undefined && node["x-kubernetes-int-or-string"] !== true) problems.push(`${path}: no type`);
      if (node.$ref !== undefined) problems.push(`${path}: $ref`);
      if (node.additionalProperties === false) problems.push(`${path}: additionalProperties false`);
      for (const alternative of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) {
        if (node["x-kubernetes-int-or-string"] !== true && alternative.type !== undefined) {
          problems.push(`${path}: typed alternative`);
        }
      }
    });
    expect(problems).toEqual([]);
  });

  it("describes every field except metadata, which Kubernetes forbids", () => {
    const undescribed: string[] = [];
    walk(root ?? {}, "", (node, path) => {
      for (const [name, child] of Object.entries(node.properties ?? {})) {
        if (!child.description && `${path}.${name}` !== ".metadata") undescribed.push(`${path}.${name}`);
      }
    });
    expect(undescribed).toEqual([]);
    expect(root?.properties?.metadata).toEqual({ type: "object" });
  });

  it("has printer columns that point into the schema", () => {
    expect(version?.additionalPrinterColumns.map((column) => column.name).at(-1)).toBe("Age");
    for (const column of version?.additionalPrinterColumns ?? []) {
      const head = column.jsonPath.split(/[.[]/).filter(Boolean);
      if (head[0] === "metadata") continue;
      let node: JsonSchema | undefined = root;
      for (const segment of head.slice(0, head[0] === "status" && head[1] === "conditions" ? 2 : undefined)) {
        node = node?.properties?.[segment];
      }
      expect(node, column.jsonPath).toBeDefined();
    }
  });
});

describe("CloudRunServiceConfig schema details", () => {
  const root = generateCrd(KINDS[0]!).spec.versions[0]!.schema.openAPIV3Schema;
  const spec = root.properties!.spec!;

  it("carries defaults, bounds, patterns and enums", () => {
    expect(spec.required).toEqual(["service"]);
    expect(spec.properties!.managementPolicy).toMatchObject({ default: "Enforce", enum: ["Enforce", "Observe"] });
    expect(spec.properties!.resyncInterval).toMatchObject({ default: "60s", type: "string" });
    expect(spec.properties!.resyncInterval!.pattern).toBe("^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$");
    const database = spec.properties!.database!.properties!;
    expect(database.safetyMargin).toMatchObject({ default: 0.8, maximum: 1, minimum: 0, exclusiveMinimum: true });
    expect(database.envVarNames).toMatchObject({ default: {} });
    expect(database.envVarNames!.properties!.poolSize).toMatchObject({ default: "DB_POOL_SIZE" });
    expect(spec.properties!.vpcAccess!.properties!.connector!.pattern).toBe(
      "^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/locations/[a-z]+-[a-z]+[0-9]+/connectors/[a-z]([-a-z0-9]{0,23}[a-z0-9])?$",
    );
  });

  it("expresses quantities as int-or-string and exactly-one-of as oneOf validations", () => {
    expect(spec.properties!.resources!.properties!.cpu).toMatchObject({
      "x-kubernetes-int-or-string": true,
      anyOf: [{ type: "integer" }, { type: "string" }],
    });
    expect(spec.properties!.resources!.properties!.cpu!.type).toBeUndefined();
    expect(spec.properties!.startupProbe!.oneOf).toEqual([{ required: ["httpGet"] }, { required: ["tcpSocket"] }]);
  });

  it("drops zod's safe-integer bounds and date-time regexes", () => {
    const status = root.properties!.status!.properties!;
    expect(status.driftCount).toEqual({ description: "Number of entries in drift.", minimum: 0, type: "integer" });
    expect(status.lastSyncTime).toMatchObject({ type: "string", format: "date-time" });
    expect(status.lastSyncTime!.pattern).toBeUndefined();
  });
});

describe("toStructuralSchema", () => {
  it("refuses a field without a description", () => {
    const schema = z.object({ described: z.string().meta({ description: "yes" }), bare: z.string() });
    expect(() => toStructuralSchema(schema, "spec")).toThrow("spec.bare: field has no description");
  });

  it("refuses unions that are not int-or-string", () => {
    const schema = z.object({ either: z.union([z.string(), z.boolean()]).meta({ description: "either" }) });
    expect(() => toStructuralSchema(schema, "spec")).toThrow("spec.either: schema has no type");
  });

  it("refuses nullable fields", () => {
    const schema = z.object({ maybe: z.string().nullable().meta({ description: "maybe" }) });
    expect(() => toStructuralSchema(schema, "spec")).toThrow(/spec\.maybe: .*nullable/);
  });
});

describe("withCelRules", () => {
  const cel = { rule: "self.a <= self.b", message: "a must not exceed b", messageExpression: "'a ' + string(self.a)" };

  it("attaches each rule's CEL form to the node it names", () => {
    const spec: JsonSchema = { type: "object", properties: { limits: { type: "object", description: "l" } } };
    withCelRules(spec, [
      { name: "a <= b", at: ["limits"], cel },
      { name: "none", at: [], cel: undefined },
    ]);
    expect(spec.properties?.limits?.["x-kubernetes-validations"]).toEqual([cel]);
    expect(spec["x-kubernetes-validations"]).toBeUndefined();
  });

  it("refuses a rule whose node is not in the schema", () => {
    expect(() => withCelRules({ type: "object" }, [{ name: "a <= b", at: ["limits"], cel }])).toThrow(
      'rule "a <= b": spec.limits is not in the schema',
    );
  });
});
