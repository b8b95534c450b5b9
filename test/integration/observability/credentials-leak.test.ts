// Credentials files that do not parse: `driftguard run` and `driftguard plan --cluster`, as real processes,
// exit non-zero with an error naming the file and the position, and never print the file's content.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startDriftguard } from "../../support/driftguard-process.ts";

const TOKEN = "eyJhbGciOiJSUzI1NiJ9.SECRET-bearer-token-4f9c";
const dir = mkdtempSync(join(tmpdir(), "driftguard-credentials-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

// Valid up to the line after the token, which is mis-indented: js-yaml quotes the lines around it.
const brokenYaml = file(
  "broken-kubeconfig",
  [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- cluster: {server: 'https://127.0.0.1:1'}",
    "  name: c",
    "users:",
    "- name: u",
    "  user:",
    `    token: ${TOKEN}`,
    "   client-key-data: [oops",
    "contexts:",
    "- context: {cluster: c, user: u}",
    "  name: x",
    "current-context: x",
    "",
  ].join("\n"),
);
// Parses, but a user has no name: the client's structural check.
const nameless = file(
  "nameless-kubeconfig",
  `apiVersion: v1\nkind: Config\nclusters: []\nusers:\n- user: {token: ${TOKEN}}\ncontexts: []\n`,
);
const manifests = mkdtempSync(join(dir, "manifests-"));

async function run(args: string[], env: Record<string, string> = {}) {
  const p = startDriftguard(args, { KUBECONFIG: "", ...env });
  const result = await p.exited;
  return { ...result, stderr: p.stderr(), output: p.output() };
}

describe("credentials files that do not parse", () => {
  it.each([
    ["driftguard run", ["run", `--kubeconfig=${brokenYaml}`, "--health-port=0"]],
    ["driftguard plan --cluster", ["plan", "--cluster", `--kubeconfig=${brokenYaml}`, "--gcp-access-token=x"]],
  ])("%s names the kubeconfig and the line, not the token", async (_name, args) => {
    const result = await run(args);
    expect(result.code).toBe(1);
    expect(result.output).not.toContain(TOKEN);
    expect(result.output).not.toContain("SECRET");
    expect(result.stderr).toContain(`cannot load kubeconfig ${brokenYaml}: it is not valid YAML at line 10, column 4`);
  });

  it("reports a kubeconfig from $KUBECONFIG the same way", async () => {
    const result = await run(["run", "--health-port=0"], { KUBECONFIG: nameless });
    expect(result.code).toBe(1);
    expect(result.output).not.toContain("SECRET");
    expect(result.stderr).toContain(`cannot load kubeconfig ${nameless}: users[0].name is missing`);
  });

  it("refuses to start with a Google key file that is not JSON, without quoting it", async () => {
    const tokenFile = file("adc.json", `${TOKEN}\n`);
    const result = await run(["run", `--source=dir:${manifests}`, "--health-port=0"], {
      GOOGLE_APPLICATION_CREDENTIALS: tokenFile,
    });
    expect(result.code).toBe(1);
    expect(result.output).not.toContain("eyJhbG");
    expect(result.stderr).toContain(`cannot load Google credentials (GOOGLE_APPLICATION_CREDENTIALS) ${tokenFile}`);
  });
});
