// Generates apiextensions.k8s.io/v1 CRDs from the zod schemas. Kubernetes requires *structural* schemas:
// every node typed (or marked int-or-string), no $ref, and anyOf/oneOf only as extra value validations. Zod's
// JSON Schema output is close; `toStructuralSchema` rewrites the rest and refuses anything it cannot express,
// including a field without a description, so `kubectl explain` always has something to say.

import { stringify } from "yaml";
import { z } from "zod";
import { GROUP, VERSION } from "./common.ts";
import type { KindDefinition } from "./kind.ts";
import type { CrdRule } from "./rules.ts";

/** A node of an OpenAPI v3 schema as Kubernetes stores it. */
export interface JsonSchema {
  type?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  [keyword: string]: unknown;
}

export interface CustomResourceDefinition {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    scope: "Namespaced" | "Cluster";
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: JsonSchema };
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: KindDefinition["printerColumns"][number][];
    }[];
  };
}

export function generateCrd(kind: KindDefinition): CustomResourceDefinition {
  const openAPIV3Schema: JsonSchema = {
    type: "object",
    description: kind.description,
    required: ["spec"],
    properties: {
      apiVersion: { type: "string", description: `API version of the object: ${GROUP}/${VERSION}.` },
      kind: { type: "string", description: `Kind of the object: ${kind.kind}.` },
      // Kubernetes forbids anything but the type here, even a description.
      metadata: { type: "object" },
      spec: withCelRules(toStructuralSchema(kind.spec, "spec"), kind.rules ?? []),
      status: toStructuralSchema(kind.status, "status"),
    },
  };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${kind.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: kind.kind,
        listKind: `${kind.kind}List`,
        plural: kind.plural,
        singular: kind.singular,
        shortNames: [...kind.shortNames],
        categories: ["driftguard"],
      },
      scope: kind.scope ?? "Namespaced",
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema },
          subresources: { status: {} },
          additionalPrinterColumns: [...kind.printerColumns],
        },
      ],
    },
  };
}

/** File name in the kubebuilder convention, e.g. "driftguard.dev_cloudrunserviceconfigs.yaml". */
export function crdFileName(kind: KindDefinition): string {
  return `${GROUP}_${kind.plural}.yaml`;
}

export function crdYaml(kind: KindDefinition): string {
  const header = "# Generated from src/api by `driftguard crds --write crds/`; do not edit.\n";
  return header + stringify(generateCrd(kind), { lineWidth: 0 });
}

/**
 * Attaches each rule's CEL form to the schema node it belongs to, as x-kubernetes-validations. API servers before
 * 1.25 drop the field; from 1.25 they refuse a violating object at admission, with the rule's message.
 */
export function withCelRules(spec: JsonSchema, rules: readonly CrdRule[]): JsonSchema {
  for (const { name, at, cel } of rules) {
    if (cel === undefined) continue;
    let node = spec;
    for (const segment of at) {
      const child = node.properties?.[segment];
      if (child === undefined) throw new Error(`rule "${name}": spec.${at.join(".")} is not in the schema`);
      node = child;
    }
    const validations = (node["x-kubernetes-validations"] as CelValidation[] | undefined) ?? [];
    validations.push({ rule: cel.rule, message: cel.message, messageExpression: cel.messageExpression });
    node["x-kubernetes-validations"] = validations;
  }
  return spec;
}

interface CelValidation {
  rule: string;
  message: string;
  messageExpression: string;
}

/** Converts a zod schema to a structural OpenAPI v3 schema; `path` names the node in error messages. */
export function toStructuralSchema(schema: z.ZodType, path: string): JsonSchema {
  const json = z.toJSONSchema(schema, { io: "input", target: "openapi-3.0", unrepresentable: "throw" });
  delete json.$schema;
  return structural(json as JsonSchema, path);
}

function structural(node: JsonSchema, path: string): JsonSchema {
  if (node.$ref !== undefined || node.allOf !== undefined || node.nullable !== undefined) {
    throw new Error(`${path}: $ref, allOf and nullable cannot be expressed in a structural CRD schema`);
  }
  if (node["x-kubernetes-int-or-string"] === true) return intOrString(node, path);
  if (node.type === undefined) throw new Error(`${path}: schema has no type`);
  for (const alternatives of [node.anyOf, node.oneOf]) {
    if (alternatives?.some((alternative) => alternative.type !== undefined || alternative.properties !== undefined)) {
      throw new Error(`${path}: anyOf/oneOf may only add validations (such as required), not types`);
    }
  }
  const result: JsonSchema = { ...node };
  if (result.additionalProperties === false) delete result.additionalProperties;
  // z.int() bounds itself to the safe integer range; those bounds only add noise to the CRD.
  if (result.minimum === Number.MIN_SAFE_INTEGER) delete result.minimum;
  if (result.maximum === Number.MAX_SAFE_INTEGER) delete result.maximum;
  // The API server checks `format: date-time` itself; zod's equivalent regex would only obscure it.
  if (result.format === "date-time") delete result.pattern;
  // RegExp#source escapes "/"; the escape is legal but noisy in the YAML.
  if (typeof result.pattern === "string") result.pattern = result.pattern.replaceAll("\\/", "/");
  if (node.properties !== undefined) {
    result.properties = Object.fromEntries(
      Object.entries(node.properties).map(([name, child]) => {
        const childPath = `${path}.${name}`;
        if (!child.description) throw new Error(`${childPath}: field has no description`);
        return [name, structural(child, childPath)];
      }),
    );
  }
  if (node.items !== undefined) result.items = structural(node.items, `${path}[]`);
  if (typeof node.additionalProperties === "object") {
    result.additionalProperties = structural(node.additionalProperties, `${path}.*`);
  }
  return sortKeywords(result);
}

// Keywords in alphabetical order (as kubebuilder writes them) keep the generated YAML stable and easy to scan;
// property order is left as declared, which is the order the API is best read in.
function sortKeywords(node: JsonSchema): JsonSchema {
  const sorted = Object.entries(node).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(sorted);
}

// Kubernetes' int-or-string form: no type, exactly anyOf [integer, string]; at the node, a string pattern applies
// to strings only and an integer minimum to integers only.
function intOrString(node: JsonSchema, path: string): JsonSchema {
  const types = (node.anyOf ?? []).map((alternative) => alternative.type).sort();
  if (types.join(",") !== "integer,string") throw new Error(`${path}: int-or-string must be a union of int and string`);
  const pattern = node.anyOf?.find((alternative) => alternative.type === "string")?.pattern;
  const minimum = node.anyOf?.find((alternative) => alternative.type === "integer")?.minimum;
  const { anyOf: _anyOf, ...rest } = node;
  return sortKeywords({
    ...rest,
    anyOf: [{ type: "integer" }, { type: "string" }],
    ...(pattern === undefined ? {} : { pattern }),
    ...(minimum === undefined || minimum === Number.MIN_SAFE_INTEGER ? {} : { minimum }),
  });
}
