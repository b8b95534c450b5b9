// Every object deploy/ renders, accepted by a real API server through server-side apply (dry run): field
// names, types and values checked against the server's schemas, which catches what rendering cannot.
//
// Three adjustments for the 1.20 test server, all explicit below: it has no Prometheus Operator, so a
// minimal PrometheusRule CRD (the operator's documented spec.groups[].rules[] shape) is installed first;
// it serves PodDisruptionBudget only as policy/v1beta1 (policy/v1 came in 1.21), whose spec has the same
// minAvailable and selector fields, so the PDB is sent as v1beta1; and its OpenAPI predates the CRDs' CEL
// rules (x-kubernetes-validations), which kubectl's client-side check then refuses and the server would
// drop, so they are removed from the CRDs sent (see the README on older clusters).
//
// What this proves for the README's minimum, Kubernetes 1.21: every object but the PDB is accepted as
// shipped by an older server; the PDB as shipped is refused by 1.20 for its API version alone (so 1.20 is
// below the minimum for that reason only); and no object uses an API version newer than 1.21.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl } from "../../support/kube.ts";
import { LAYOUTS, describe as name, render, toYaml, type Manifest } from "./manifests.ts";

const DURATION = "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$";

const stringMap = { type: "object", additionalProperties: { type: "string" } };

const PROMETHEUS_RULE_CRD = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "prometheusrules.monitoring.coreos.com" },
  spec: {
    group: "monitoring.coreos.com",
    names: {
      kind: "PrometheusRule",
      listKind: "PrometheusRuleList",
      plural: "prometheusrules",
      singular: "prometheusrule",
    },
    scope: "Namespaced",
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            required: ["spec"],
            properties: {
              spec: {
                type: "object",
                properties: {
                  groups: {
                    type: "array",
                    items: {
                      type: "object",
                      required: ["name"],
                      properties: {
                        name: { type: "string", minLength: 1 },
                        interval: { type: "string", pattern: DURATION },
                        rules: {
                          type: "array",
                          items: {
                            type: "object",
                            required: ["expr"],
                            properties: {
                              alert: { type: "string" },
                              record: { type: "string" },
                              expr: { type: "string" },
                              for: { type: "string", pattern: DURATION },
                              labels: stringMap,
                              annotations: stringMap,
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

async function ok(args: string[], input?: string): Promise<string> {
  const result = await kubectl(args, input === undefined ? {} : { input });
  expect(result.code, `kubectl ${args.join(" ")}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** The objects the 1.20 server needs adjusted (see the header). */
function forTestServer(m: Manifest): Manifest {
  if (m.kind === "CustomResourceDefinition") return withoutCelRules(m);
  if (m.kind !== "PodDisruptionBudget") return m;
  expect(m.apiVersion).toBe("policy/v1");
  return { ...m, apiVersion: "policy/v1beta1" };
}

/**
 * The Kubernetes minor release in which each API version that deploy/ uses became served (GA), from the
 * Kubernetes deprecated-API migration guide (https://kubernetes.io/docs/reference/using-api/deprecation-guide/)
 * and release notes. The Prometheus Operator's CRD is not part of Kubernetes.
 */
const SERVED_SINCE: Record<string, number> = {
  v1: 0,
  "apps/v1": 9,
  "rbac.authorization.k8s.io/v1": 8,
  "apiextensions.k8s.io/v1": 16,
  "policy/v1": 21,
};
/** The minimum the README states ("Kubernetes 1.21 or later"). */
const MINIMUM_MINOR = 21;

describe("the minimum Kubernetes version", () => {
  it.each(LAYOUTS)("is what deploy/%s needs: no API version newer than 1.21, and one that new", async (layout) => {
    const versions = new Set(
      (await render(layout)).map((m) => m.apiVersion).filter((v) => v !== "monitoring.coreos.com/v1"),
    );
    for (const version of versions) expect(SERVED_SINCE, version).toHaveProperty([version]);
    expect(Math.max(...[...versions].map((v) => SERVED_SINCE[v] ?? Infinity))).toBe(MINIMUM_MINOR);
  });
});
function withoutCelRules<T>(node: T): T {
  if (Array.isArray(node)) return node.map(withoutCelRules) as T;
  if (node === null || typeof node !== "object") return node;
  const entries = Object.entries(node).filter(([key]) => key !== "x-kubernetes-validations");
  return Object.fromEntries(entries.map(([key, value]) => [key, withoutCelRules(value)])) as T;
}

describe("server-side dry run of deploy/", () => {
  beforeAll(async () => {
    await ok(["apply", "-f", "-"], JSON.stringify(PROMETHEUS_RULE_CRD));
    await ok(["wait", "--for=condition=Established", "crd/prometheusrules.monitoring.coreos.com"]);
    // Namespaced objects are dry-run into a namespace that must exist. No other test uses this name, and
    // the server (fresh for each run) cannot delete namespaces anyway: it has no namespace controller.
    const existing = await kubectl(["get", "namespace", "driftguard-system"]);
    if (existing.code !== 0) await ok(["create", "namespace", "driftguard-system"]);
  });
  afterAll(async () => {
    await kubectl(["delete", "crd", "prometheusrules.monitoring.coreos.com", "--wait=false"]);
  });

  it.each(LAYOUTS)("accepts every object of deploy/%s", async (layout) => {
    const manifests = (await render(layout)).map(forTestServer);
    const stdout = await ok(
      ["apply", "--server-side", "--field-manager=driftguard-deploy-test", "--dry-run=server", "-f", "-"],
      toYaml(manifests),
    );
    const applied = stdout
      .trim()
      .split("\n")
      .map((line) => line.replace(/ serverside-applied \(server dry run\)$/, ""));
    expect(applied).toHaveLength(manifests.length);
    for (const m of manifests) {
      const group = m.apiVersion.includes("/") ? m.apiVersion.split("/")[0] : "";
      const resource = `${m.kind.toLowerCase()}${group ? `.${group}` : ""}/${m.metadata.name}`;
      expect(applied, name(m)).toContain(resource);
    }
  });

  it("is refused by the 1.20 server as shipped for the PodDisruptionBudget's policy/v1 alone", async () => {
    const manifests = await render("base");
    // As the README says for servers before 1.27: a client-side apply with --validate=false, because their
    // schemas predate the CRDs' CEL fields (a server-side apply is refused for them; a plain one drops them).
    const result = await kubectl(["apply", "--validate=false", "--dry-run=server", "-f", "-"], {
      input: toYaml(manifests),
    });
    expect(result.code).not.toBe(0);
    const refusals = result.stderr.split("\n").filter((line) => /^error:|no matches for kind/.test(line));
    expect(refusals, result.stderr).toHaveLength(1);
    expect(refusals[0]).toMatch(/no matches for kind "PodDisruptionBudget" in version "policy\/v1"/);
    expect(result.stdout.trim().split("\n"), result.stdout + result.stderr).toHaveLength(manifests.length - 1);
  });

  it("rejects a misspelled field, so the dry run above is a real check", async () => {
    const service = (await render("base")).find((m) => m.kind === "Service");
    const broken = { ...service, spec: { ...(service?.spec as object), selectr: { app: "driftguard" } } };
    const result = await kubectl(["apply", "--server-side", "--dry-run=server", "-f", "-"], {
      input: JSON.stringify(broken),
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/selectr/);
  });
});
