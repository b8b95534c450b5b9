// The directory source (driftguard run/plan --source DIR) reads manifests as kubectl and `driftguard validate`
// do: YAML 1.1 values, the last of duplicate keys.

import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cloudRunResource } from "../../src/kinds/cloudrun/kind.ts";
import { DirectorySource } from "../../src/sources/directory.ts";

describe("DirectorySource", () => {
  it("reads 010 as 8, yes as true and the last of duplicate keys, as kubectl does", async () => {
    const directory = await mkdtemp(join(tmpdir(), "driftguard-directory-yaml-"));
    const spec = [
      "  service: {project: netra-staging, region: us-central1, name: backend}",
      "  scaling: {minInstances: 010, maxInstances: 9}",
      "  database: {pool: {prePing: yes}}",
      "  requestTimeout: 7200s",
      "  requestTimeout: 300s",
    ];
    const header = "apiVersion: driftguard.dev/v1alpha1\nkind: CloudRunServiceConfig\nmetadata: {name: backend}\n";
    await writeFile(join(directory, "backend.yaml"), `${header}spec:\n${spec.join("\n")}\n`);
    const source = new DirectorySource({ directory, resources: [cloudRunResource] });
    await source.reload();
    const spec0 = source.get(cloudRunResource, "default", "backend")?.spec as Record<string, unknown>;
    expect(spec0).toMatchObject({
      scaling: { minInstances: 8, maxInstances: 9 },
      database: { pool: { prePing: true } },
      requestTimeout: "300s",
    });
  });
});
