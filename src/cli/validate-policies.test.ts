import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { validatePaths } from "./validate.ts";

const run = promisify(execFile);
const mainPath = fileURLToPath(new URL("./main.ts", import.meta.url));
const examples = (dir: string) => fileURLToPath(new URL(`../../examples/${dir}`, import.meta.url));

const backend = (initialization: string, namespace?: string) => `apiVersion: driftguard.dev/v1alpha1
kind: CloudRunServiceConfig
metadata:
  name: backend
${namespace ? `  namespace: ${namespace}\n` : ""}spec:
  service: {project: netra-production, region: us-central1, name: backend}
  startupProbe: {tcpSocket: {}, periodSeconds: 10, failureThreshold: 9}
  database:
    timeouts: {initialization: ${initialization}, connection: 35s, pool: 45s}
`;

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "driftguard-policies-"));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

async function validate(paths: string[], options = { defaultNamespace: "default", namespaceLabels: [] as string[] }) {
  const lines: string[] = [];
  const summary = await validatePaths(paths, (line) => lines.push(line), options);
  return { summary, lines };
}

describe("validate with ServiceConfigPolicies from the same tree", () => {
  it("fails a commit that lowers a timeout below the production floor, naming policy, rule and numbers", async () => {
    const dir = await tree({ "backend.yaml": backend("25s") });
    const { summary, lines } = await validate([examples("policies"), dir], {
      defaultNamespace: "production",
      namespaceLabels: [],
    });
    expect(summary).toMatchObject({ invalid: 1, denied: 1 });
    expect(lines).toContain(
      `${join(dir, "backend.yaml")}: CloudRunServiceConfig/production/backend: PolicyViolation: policy production rule ` +
        "db-initialization-floor: spec.database.timeouts.initialization is 25s, must be at least 75s " +
        "(regressed to 25s before the staging outage)",
    );
  });

  it("passes the same commit at 75s, and lets staging's Warn rules only warn", async () => {
    const fixed = await validate([examples("policies"), await tree({ "b.yaml": backend("75s") })], {
      defaultNamespace: "production",
      namespaceLabels: [],
    });
    expect(fixed.summary).toMatchObject({ invalid: 0, denied: 0 });
    const lowered = backend("75s", "staging").replace("connection: 35s, pool: 45s", "connection: 20s, pool: 45s");
    const staging = await validate([examples("policies"), await tree({ "b.yaml": lowered })]);
    expect(staging.summary).toMatchObject({ invalid: 0, denied: 0 });
    expect(staging.lines.filter((l) => l.includes(": warning: policy staging rule db-connection-floor"))).toHaveLength(
      1,
    );
    const regressed = await validate([examples("policies"), await tree({ "b.yaml": backend("25s", "staging") })]);
    expect(regressed.summary).toMatchObject({ denied: 1 });
  });

  it("sees namespaces without a Namespace manifest through --namespace-label, and says when it cannot", async () => {
    const dir = await tree({
      "policy.yaml": `apiVersion: driftguard.dev/v1alpha1
kind: ServiceConfigPolicy
metadata: {name: floors}
spec:
  namespaceSelector: {matchLabels: {tier: critical}}
  rules: [{name: init, field: database.timeouts.initialization, min: 60s}]
`,
      "backend.yaml": backend("30s", "payments"),
    });
    const blind = await validate([dir]);
    expect(blind.summary.denied).toBe(0);
    expect(blind.lines.some((l) => l.startsWith('note: no Namespace manifest for "payments"'))).toBe(true);
    const seen = await validate([dir], { defaultNamespace: "default", namespaceLabels: ["payments:tier=critical"] });
    expect(seen.summary.denied).toBe(1);
  });

  it("fails on a policy that is not in force, with each problem", async () => {
    const dir = await tree({
      "policy.yaml": `apiVersion: driftguard.dev/v1alpha1
kind: ServiceConfigPolicy
metadata: {name: confused}
spec:
  rules:
    - {name: typo, field: database.timeout.initialization, min: 75s}
    - {name: mixed, field: requestTimeout, min: 300}
`,
    });
    const { summary, lines } = await validate([dir]);
    expect(summary.invalid).toBe(1);
    expect(lines.filter((l) => l.includes("ServiceConfigPolicy/confused: not in force:"))).toHaveLength(2);
    expect(lines.join("\n")).toContain('requestTimeout is a duration: expected a duration such as "75s", got 300');
  });

  it("exits 1 from the command line on a denied spec, with -n naming the namespace", async () => {
    const dir = await tree({ "backend.yaml": backend("25s") });
    const args = [mainPath, "validate", "-f", examples("policies"), "-f", dir, "-n", "production"];
    const failure = await run(process.execPath, args).then(
      () => undefined,
      (err: { code: number; stdout: string }) => err,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stdout).toContain("(1 denied by policy)");
    const ok = await run(process.execPath, [mainPath, "validate", "-f", examples("policies"), "-f", dir, "-n", "dev"]);
    expect(ok.stdout).toContain("0 invalid");
  }, 60_000);
});
