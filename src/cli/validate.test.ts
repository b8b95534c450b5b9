import { execFile } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { validatePaths } from "./validate.ts";

const run = promisify(execFile);
const mainPath = fileURLToPath(new URL("./main.ts", import.meta.url));
const examplesPath = fileURLToPath(new URL("../../examples", import.meta.url));

const badBackend = `apiVersion: driftguard.dev/v1alpha1
kind: CloudRunServiceConfig
metadata:
  name: backend
  namespace: staging
spec:
  service: {project: netra-staging, region: us-central1, name: netra-backend-staging}
  scaling: {maxInstances: 10}
  startupProbe: {tcpSocket: {}}
  database:
    maxConnections: 100
    timeouts: {initialization: 75s}
    pool: {size: 10, maxOverflow: 15}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: b}
`;

const badConnectorJson = JSON.stringify({
  apiVersion: "v1",
  kind: "List",
  items: [
    {
      apiVersion: "driftguard.dev/v1alpha1",
      kind: "VpcConnectorConfig",
      metadata: { name: "connector" },
      spec: { connector: { project: "netra-staging", region: "us-central1", name: "c" }, machineType: "e2-large" },
    },
  ],
});

async function collect(
  paths: string[],
): Promise<{ lines: string[]; summary: Awaited<ReturnType<typeof validatePaths>> }> {
  const lines: string[] = [];
  const summary = await validatePaths(paths, (line) => lines.push(line));
  return { lines, summary };
}

describe("validatePaths", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "driftguard-validate-"));
    await mkdir(join(dir, "nested"));
    await writeFile(join(dir, "backend.yaml"), badBackend);
    await writeFile(join(dir, "nested", "connector.json"), badConnectorJson);
    await writeFile(join(dir, "nested", "broken.yml"), "spec:\n  a: [1, 2\n  b: 3\n");
    await writeFile(join(dir, "notes.txt"), "not a manifest: [");
  });

  it("accepts every example", async () => {
    const { lines, summary } = await collect([examplesPath]);
    // The only objects outside driftguard.dev are the Namespaces the example policies select.
    expect(summary).toMatchObject({ invalid: 0, skipped: 2, unreadable: 0, denied: 0 });
    expect(summary.valid).toBeGreaterThanOrEqual(4);
    expect(lines).toContain(
      `${join(examplesPath, "staging-backend.yaml")}: CloudRunServiceConfig/netra-backend-staging: OK`,
    );
  });

  it("reports each problem as file: Kind/namespace/name: path: message", async () => {
    const { lines, summary } = await collect([dir]);
    const backend = join(dir, "backend.yaml");
    expect(lines).toEqual([
      `${backend}: CloudRunServiceConfig/staging/backend: spec.startupProbe: startup probe allows 0 + 3 × 10 = 30s ` +
        "but spec.database.timeouts.initialization is 75s; failureThreshold 8 at periodSeconds 10 would cover it",
      `${backend}: CloudRunServiceConfig/staging/backend: spec.database.pool: (10 + 15) × 10 = 250 connections ` +
        "exceeds floor(100 × 0.8) = 80",
      `${backend}: ConfigMap/settings skipped: not a driftguard.dev resource`,
      `${join(dir, "nested", "broken.yml")}:3:3: YAML parse error: Flow sequence in block collection must be ` +
        "sufficiently indented and end with a ]",
      `${join(dir, "nested", "connector.json")}: VpcConnectorConfig/connector: spec.machineType: ` +
        'Invalid option: expected one of "f1-micro"|"e2-micro"|"e2-standard-4"',
    ]);
    expect(summary).toEqual({ valid: 0, invalid: 2, skipped: 1, unreadable: 1, denied: 0 });
  });

  it("names an alias bomb's file and keeps checking the other files", async () => {
    const bombDir = await mkdtemp(join(tmpdir(), "driftguard-validate-bomb-"));
    const levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(", ")}]`,
      );
    await writeFile(join(bombDir, "a-bomb.yaml"), `${levels.join("\n")}\n`);
    await writeFile(join(bombDir, "b-backend.yaml"), badBackend);
    const { lines, summary } = await collect([bombDir]);
    expect(lines[0]).toBe(
      `${join(bombDir, "a-bomb.yaml")}: YAML parse error: document contains excessive aliasing ` +
        "(more than 100 alias expansions)",
    );
    expect(lines.slice(1).join("\n")).toContain(
      "b-backend.yaml: CloudRunServiceConfig/staging/backend: spec.database.pool",
    );
    expect(summary).toMatchObject({ unreadable: 1, invalid: 1, skipped: 1 });
  });

  it("reads values as kubectl does and warns about duplicate keys", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "driftguard-validate-yaml11-")), "backend.yaml");
    const header = "apiVersion: driftguard.dev/v1alpha1\nkind: CloudRunServiceConfig\n";
    const service = "  service: {project: netra-staging, region: us-central1, name: svc}";
    const first = [
      "metadata: {name: a}",
      "spec:",
      service,
      "  requestTimeout: 10s",
      "  requestTimeout: 20s",
      "  scaling: {minInstances: 010, maxInstances: 7}",
      "  database: {pool: {prePing: yes}}",
    ];
    const second = ["metadata: {name: b}", "spec:", service, "  env: {DEBUG: off}"];
    await writeFile(file, `${header}${first.join("\n")}\n---\n${header}${second.join("\n")}\n`);
    const { lines, summary } = await collect([file]);
    expect(lines).toEqual([
      `${file}:7:3: warning: duplicate key "requestTimeout": kubectl keeps the last value`,
      `${file}: CloudRunServiceConfig/a: spec.scaling.minInstances: minInstances 8 exceeds maxInstances 7`,
      `${file}: CloudRunServiceConfig/b: spec.env.DEBUG: expected a string, got the boolean false ` +
        "(YAML reads unquoted yes/no/on/off/y/n as booleans: quote the value)",
    ]);
    expect(summary).toMatchObject({ invalid: 2, unreadable: 0 });
  });

  it("reports paths that do not exist", async () => {
    const missing = join(dir, "missing.yaml");
    const { lines, summary } = await collect([missing]);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^${missing}: cannot read: ENOENT`))]);
    expect(summary.unreadable).toBe(1);
  });

  it("exits 0 on the examples and 1 on bad manifests", async () => {
    const ok = await run(process.execPath, [mainPath, "validate", "-f", examplesPath]);
    expect(ok.stdout).toMatch(/\d+ valid, 0 invalid, 2 skipped, 0 unreadable\n$/);
    const failure = await run(process.execPath, [mainPath, "validate", "-f", join(dir, "backend.yaml")]).then(
      () => undefined,
      (error: unknown) => error as { code: number; stdout: string },
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stdout).toContain("spec.database.pool: (10 + 15) × 10 = 250 connections");
  }, 60_000);
});
