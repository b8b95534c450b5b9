// Every manifest in examples/ is accepted by a real API server and comes back with the same defaults the zod
// schemas fill in, so the CRD and the schemas cannot disagree about what an omitted field means.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { findKind } from "../../../src/api/index.ts";
import { createNamespace, kubectl } from "../../support/kube.ts";

const examplesDirectory = fileURLToPath(new URL("../../../examples", import.meta.url));

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
}

const exampleFiles = readdirSync(examplesDirectory, { recursive: true, encoding: "utf8" })
  .filter((file) => /\.ya?ml$/.test(file))
  .sort();

function manifestsIn(file: string): Manifest[] {
  const text = readFileSync(join(examplesDirectory, file), "utf8");
  return parseAllDocuments(text)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null && findKind(manifest.kind) !== undefined);
}

async function getSpec(namespace: string, manifest: Manifest): Promise<Record<string, unknown>> {
  const plural = findKind(manifest.kind)?.plural ?? manifest.kind;
  const result = await kubectl([
    "get",
    "-n",
    namespace,
    `${plural}.driftguard.dev`,
    manifest.metadata.name,
    "-o",
    "json",
  ]);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { spec: Record<string, unknown> }).spec;
}

describe("examples/", () => {
  it("contains driftguard manifests", () => {
    expect(exampleFiles.flatMap(manifestsIn).length).toBeGreaterThanOrEqual(4);
  });

  describe.each(exampleFiles)("%s", (file) => {
    let namespace: string;
    beforeAll(async () => {
      namespace = await createNamespace("api-examples");
    });

    it("is accepted and defaulted exactly as the schemas default it", async () => {
      const manifests = manifestsIn(file);
      // Each test works in its own namespace, whatever namespace an example names.
      const input = manifests.map((manifest) =>
        stringify({ ...manifest, metadata: { ...manifest.metadata, namespace } }),
      );
      const apply = await kubectl(["apply", "-n", namespace, "-f", "-"], { input: input.join("---\n") });
      expect(apply.code, `${file}: ${apply.stderr}`).toBe(0);
      for (const manifest of manifests) {
        const schema = findKind(manifest.kind)?.spec;
        expect(await getSpec(namespace, manifest), manifest.metadata.name).toEqual(schema?.parse(manifest.spec));
      }
    });
  });

  describe("omitted fields", () => {
    let namespace: string;
    beforeAll(async () => {
      namespace = await createNamespace("api-defaults");
      const minimal = `apiVersion: driftguard.dev/v1alpha1
kind: CloudRunServiceConfig
metadata: {name: minimal}
spec:
  service: {project: netra-staging, region: us-central1, name: minimal}
  startupProbe: {httpGet: {}}
  database: {maxConnections: 100}
---
apiVersion: driftguard.dev/v1alpha1
kind: VpcConnectorConfig
metadata: {name: minimal}
spec:
  connector: {project: netra-staging, region: us-central1, name: minimal}
`;
      const apply = await kubectl(["apply", "-n", namespace, "-f", "-"], { input: minimal });
      expect(apply.code, apply.stderr).toBe(0);
    });

    it("get the documented defaults on a CloudRunServiceConfig", async () => {
      const spec = await getSpec(namespace, { kind: "CloudRunServiceConfig", metadata: { name: "minimal" }, spec: {} });
      expect(spec).toMatchObject({
        managementPolicy: "Enforce",
        resyncInterval: "60s",
        startupProbe: {
          httpGet: { path: "/" },
          initialDelaySeconds: 0,
          periodSeconds: 10,
          timeoutSeconds: 1,
          failureThreshold: 3,
        },
        database: {
          safetyMargin: 0.8,
          envVarNames: { initializationTimeout: "DB_INITIALIZATION_TIMEOUT", poolPrePing: "DB_POOL_PRE_PING" },
        },
      });
    });

    it("get the documented autoscaling defaults on a VpcConnectorConfig", async () => {
      const spec = await getSpec(namespace, { kind: "VpcConnectorConfig", metadata: { name: "minimal" }, spec: {} });
      expect(spec).toEqual({
        connector: { project: "netra-staging", region: "us-central1", name: "minimal" },
        managementPolicy: "Enforce",
        resyncInterval: "60s",
        autoscaling: {
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
        },
      });
    });
  });
});
