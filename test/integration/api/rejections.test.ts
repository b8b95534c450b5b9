// Bad manifests: the API server rejects what a structural schema can express, naming the field, and
// `driftguard validate` rejects the same manifests at the same field. Cross-field rules (CEL, which the 1.20 API
// server drops) pass it, so `driftguard validate` and the controller's spec parse must catch them, with the numbers
// in the message; the same table is evaluated against the CRDs' CEL rules in test/unit/cel-rules.test.ts.

import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { CloudRunServiceConfigSpec, VpcConnectorConfigSpec, validateManifest } from "../../../src/api/index.ts";
import { ownConnectionBudgetIssues } from "../../../src/api/rules-cloudrun.ts";
import { formatPath } from "../../../src/api/validate.ts";
import { parseSpecWith } from "../../../src/kinds/spec.ts";
import { createNamespace, kubectl } from "../../support/kube.ts";
import { type Kind, RULE_CASES, connector, manifest, service } from "../../support/spec-cases.ts";

const connectorName = "projects/netra-staging/locations/us-central1/connectors/staging-connector";

// [case, kind, spec fields merged over a valid minimal spec, field the rejection must name]
const invalid: [string, Kind, Record<string, unknown>, string][] = [
  ["missing target service", "CloudRunServiceConfig", { service: undefined }, "spec.service"],
  [
    "project ID with capitals",
    "CloudRunServiceConfig",
    { service: { ...service, project: "Netra_Staging" } },
    "spec.service.project",
  ],
  [
    "region without a number",
    "CloudRunServiceConfig",
    { service: { ...service, region: "uscentral" } },
    "spec.service.region",
  ],
  [
    "service name with capitals",
    "CloudRunServiceConfig",
    { service: { ...service, name: "Backend" } },
    "spec.service.name",
  ],
  ["unknown management policy", "CloudRunServiceConfig", { managementPolicy: "Manage" }, "spec.managementPolicy"],
  ["malformed resync interval", "CloudRunServiceConfig", { resyncInterval: "1 minute" }, "spec.resyncInterval"],
  ["request timeout as a number", "CloudRunServiceConfig", { requestTimeout: 300 }, "spec.requestTimeout"],
  ["negative minInstances", "CloudRunServiceConfig", { scaling: { minInstances: -1 } }, "spec.scaling.minInstances"],
  ["maxInstances as text", "CloudRunServiceConfig", { scaling: { maxInstances: "ten" } }, "spec.scaling.maxInstances"],
  ["cpu that is not a quantity", "CloudRunServiceConfig", { resources: { cpu: "four" } }, "spec.resources.cpu"],
  ["memory as a fraction", "CloudRunServiceConfig", { resources: { memory: 0.5 } }, "spec.resources.memory"],
  [
    "lower-case egress",
    "CloudRunServiceConfig",
    { vpcAccess: { connectorRef: { name: "c" }, egress: "all-traffic" } },
    "spec.vpcAccess.egress",
  ],
  [
    "both connectorRef and connector",
    "CloudRunServiceConfig",
    { vpcAccess: { connectorRef: { name: "c" }, connector: connectorName } },
    "spec.vpcAccess",
  ],
  [
    "short connector name",
    "CloudRunServiceConfig",
    { vpcAccess: { connector: "staging-connector" } },
    "spec.vpcAccess.connector",
  ],
  [
    "probe period above 240s",
    "CloudRunServiceConfig",
    { startupProbe: { tcpSocket: {}, periodSeconds: 300 } },
    "spec.startupProbe.periodSeconds",
  ],
  [
    "probe initial delay above 240s",
    "CloudRunServiceConfig",
    { startupProbe: { tcpSocket: {}, initialDelaySeconds: 241 } },
    "spec.startupProbe.initialDelaySeconds",
  ],
  [
    "probe without httpGet or tcpSocket",
    "CloudRunServiceConfig",
    { startupProbe: { periodSeconds: 10 } },
    "spec.startupProbe",
  ],
  [
    "probe path without slash",
    "CloudRunServiceConfig",
    { startupProbe: { httpGet: { path: "health" } } },
    "spec.startupProbe.httpGet.path",
  ],
  ["env value as a number", "CloudRunServiceConfig", { env: { WORKERS: 4 } }, "spec.env.WORKERS"],
  [
    "cloudSqlInstance without project and region",
    "CloudRunServiceConfig",
    { database: { cloudSqlInstance: "netra-staging-db" } },
    "spec.database.cloudSqlInstance",
  ],
  ["safetyMargin above 1", "CloudRunServiceConfig", { database: { safetyMargin: 1.5 } }, "spec.database.safetyMargin"],
  ["negative pool size", "CloudRunServiceConfig", { database: { pool: { size: -1 } } }, "spec.database.pool.size"],
  [
    "negative maxOverflow",
    "CloudRunServiceConfig",
    { database: { pool: { size: 5, maxOverflow: -5 } } },
    "spec.database.pool.maxOverflow",
  ],
  [
    "timeout without a unit",
    "CloudRunServiceConfig",
    { database: { timeouts: { initialization: "75" } } },
    "spec.database.timeouts.initialization",
  ],
  [
    "prePing as text",
    "CloudRunServiceConfig",
    { database: { pool: { prePing: "yes" } } },
    "spec.database.pool.prePing",
  ],
  ["maxConnections of 0", "CloudRunServiceConfig", { database: { maxConnections: 0 } }, "spec.database.maxConnections"],
  ["missing target connector", "VpcConnectorConfig", { connector: undefined }, "spec.connector"],
  [
    "connector name over 25 chars",
    "VpcConnectorConfig",
    { connector: { ...connector, name: "a".repeat(26) } },
    "spec.connector.name",
  ],
  ["unknown machine type", "VpcConnectorConfig", { machineType: "e2-standard-8" }, "spec.machineType"],
  ["minInstances below 2", "VpcConnectorConfig", { minInstances: 1 }, "spec.minInstances"],
  ["maxInstances above 10", "VpcConnectorConfig", { maxInstances: 50 }, "spec.maxInstances"],
  [
    "scale-up threshold above 1",
    "VpcConnectorConfig",
    { autoscaling: { scaleUpThreshold: 1.2 } },
    "spec.autoscaling.scaleUpThreshold",
  ],
  ["ceiling above 10", "VpcConnectorConfig", { autoscaling: { ceiling: 11 } }, "spec.autoscaling.ceiling"],
  ["maxStep of 0", "VpcConnectorConfig", { autoscaling: { maxStep: 0 } }, "spec.autoscaling.maxStep"],
  [
    "poll interval without a unit",
    "VpcConnectorConfig",
    { autoscaling: { pollInterval: "30" } },
    "spec.autoscaling.pollInterval",
  ],
  [
    "unknown machine type in the ladder",
    "VpcConnectorConfig",
    { autoscaling: { machineTypeLadder: ["n1-standard-1"] } },
    "spec.autoscaling.machineTypeLadder",
  ],
];

describe("invalid manifests", () => {
  let namespace: string;
  beforeAll(async () => {
    namespace = await createNamespace("api-invalid");
  });

  it("cover at least 25 cases", () => {
    expect(invalid.length).toBeGreaterThanOrEqual(25);
  });

  it.each(invalid.map((row, index) => [index, ...row] as const))(
    "#%i %s: rejected by the API server and by driftguard validate at the field",
    async (index, _name, kind, spec, field) => {
      const object = manifest(kind, `invalid-${index}`, spec);
      // --validate=false: the API server, not kubectl's client-side check, must do the rejecting.
      const created = await kubectl(["create", "--validate=false", "-n", namespace, "-f", "-"], {
        input: JSON.stringify(object),
      });
      expect(created.code, created.stdout).not.toBe(0);
      expect(created.stderr).toMatch(/is invalid/);
      expect(created.stderr).toContain(field);
      const offline = validateManifest(object);
      const paths = offline.outcome === "checked" ? offline.issues.map((issue) => issue.path) : [];
      // The API server names a list, zod the list item: spec.x matches spec.x, spec.x[0] and spec.x.y.
      const atField = paths.filter(
        (path) => path === field || path.startsWith(`${field}[`) || path.startsWith(`${field}.`),
      );
      expect(atField, `offline issues at ${JSON.stringify(paths)}`).not.toEqual([]);
    },
  );
});

describe("cross-field rules", () => {
  let namespace: string;
  let file: string;
  beforeAll(async () => {
    namespace = await createNamespace("api-cross-field");
    file = join(await mkdtemp(join(tmpdir(), "driftguard-cross-field-")), "manifests.yaml");
    const documents = RULE_CASES.map(({ kind, spec }, index) => stringify(manifest(kind, `cross-${index}`, spec)));
    await writeFile(file, documents.join("---\n"));
  });

  it("pass the API server, which has no CEL to check them", async () => {
    const applied = await kubectl(["apply", "-n", namespace, "-f", file]);
    expect(applied.code, applied.stderr).toBe(0);
  });

  it("get the same verdict from driftguard validate and the controller's spec parse, numbers included", async () => {
    const main = fileURLToPath(new URL("../../../src/cli/main.ts", import.meta.url));
    const failure = await promisify(execFile)(process.execPath, [main, "validate", "-f", file]).then(
      () => undefined,
      (error: unknown) => error as { code: number; stdout: string },
    );
    expect(failure?.code).toBe(1);
    const stored = await storedSpecs(namespace);
    RULE_CASES.forEach(({ kind, rejection, controllerReason }, index) => {
      const name = `cross-${index}`;
      const lines = (failure?.stdout ?? "").split("\n").filter((line) => line.startsWith(`${file}: ${kind}/${name}: `));
      const controller = parseSpecWith(specSchema(kind), stored.get(`${kind}/${name}`));
      // A rule the controller reports under its own reason is checked where the controller checks it.
      const admission =
        controller.ok && controllerReason === "ConnectionBudgetExceeded"
          ? ownConnectionBudgetIssues(controller.spec as CloudRunServiceConfigSpec).map(
              (issue) => `${formatPath(["spec", ...issue.path])}: ${issue.message}`,
            )
          : [];
      const controllerIssues = controller.ok ? admission : controller.issues;
      if (rejection === undefined) {
        expect(lines).toEqual([`${file}: ${kind}/${name}: OK`]);
        expect(controllerIssues).toEqual([]);
      } else {
        expect(lines.join("\n")).toContain(`${file}: ${kind}/${name}: ${rejection}`);
        expect(controllerIssues.join("\n")).toContain(rejection);
        expect(lines.map((line) => line.slice(`${file}: ${kind}/${name}: `.length))).toEqual(controllerIssues);
      }
    });
  });
});

/** Spec of every driftguard object in `namespace`, as the API server stored it (defaults applied). */
async function storedSpecs(namespace: string): Promise<Map<string, unknown>> {
  const listed = await kubectl(["get", "crsc,vpcc", "-n", namespace, "-o", "json"]);
  expect(listed.code, listed.stderr).toBe(0);
  const items = (JSON.parse(listed.stdout) as { items: { kind: string; metadata: { name: string }; spec: unknown }[] })
    .items;
  return new Map(items.map((item) => [`${item.kind}/${item.metadata.name}`, item.spec]));
}

function specSchema(kind: Kind) {
  return kind === "CloudRunServiceConfig" ? CloudRunServiceConfigSpec : VpcConnectorConfigSpec;
}
