// Every hostile or ambiguous manifest of input-cases.ts through the machine's kubectl into the real API server,
// through `driftguard validate` (the CLI, one process for all files) and, where the API server stored the object,
// through the controller's spec parse of what it stored. The verdicts must agree, and where the object is stored,
// validate must have read every value exactly as the API server stored it (010 is 8 for both).

import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { CloudRunServiceConfigSpec, parseManifestYaml } from "../../../src/api/index.ts";
import { parseSpecWith } from "../../../src/kinds/spec.ts";
import { type CommandResult, createNamespace, kubectl } from "../../support/kube.ts";
import { INPUT_CASES } from "./input-cases.ts";

const main = fileURLToPath(new URL("../../../src/cli/main.ts", import.meta.url));
const SERVICE = "  service: {project: netra-staging, region: us-central1, name: netra-backend-staging}";

function fileText(index: number, spec: string[]): string {
  const header = `apiVersion: driftguard.dev/v1alpha1\nkind: CloudRunServiceConfig\nmetadata: {name: input-${index}}\n`;
  return `${header}spec:\n${[SERVICE, ...spec].join("\n")}\n`;
}

/** Every leaf of `read` has the same value in `stored` (which has the API server's defaults on top). */
function expectReadAsStored(read: unknown, stored: unknown, path: string): void {
  if (read !== null && typeof read === "object") {
    for (const [key, value] of Object.entries(read)) {
      expectReadAsStored(value, (stored as Record<string, unknown> | undefined)?.[key], `${path}.${key}`);
    }
    return;
  }
  expect(stored, path).toEqual(read);
}

describe("hostile and ambiguous input", () => {
  const files: string[] = [];
  const applied: CommandResult[] = [];
  let validateOutput = "";
  let namespace: string;

  beforeAll(async () => {
    namespace = await createNamespace("api-input");
    const dir = await mkdtemp(join(tmpdir(), "driftguard-input-"));
    for (const [index, row] of INPUT_CASES.entries()) {
      const file = join(dir, `case-${String(index).padStart(2, "0")}.yaml`);
      await writeFile(file, row.file ?? fileText(index, row.spec ?? []));
      files.push(file);
      // --validate=false: the API server, not kubectl's client-side check, must do the refusing.
      applied.push(await kubectl(["create", "--validate=false", "-n", namespace, "-f", file]));
    }
    validateOutput = await new Promise<string>((resolve) => {
      execFile(process.execPath, [main, "validate", "-f", dir], { maxBuffer: 64 * 1024 * 1024 }, (_e, stdout) =>
        resolve(stdout),
      );
    });
  });

  it("cover the reported cases", () => {
    expect(INPUT_CASES.length).toBeGreaterThanOrEqual(25);
  });

  it.each(INPUT_CASES.map((row, index) => [index, row.name, row] as const))(
    "#%i %s: the API server, driftguard validate and the controller agree",
    async (index, _name, row) => {
      const file = files[index] ?? "";
      const result = applied[index];
      const lines = validateOutput.split("\n").filter((line) => line.startsWith(`${file}`));
      const verdict = lines.filter((line) => !line.includes(": warning: "));
      if (row.apiServer === "unreadable") {
        expect(result?.code).not.toBe(0);
        expect(result?.stderr).toMatch(/error (converting YAML to JSON|parsing)/);
        expect(verdict).toEqual([expect.stringContaining(`${file}: ${row.rejection}`)]);
        return;
      }
      const prefix = `${file}: CloudRunServiceConfig/input-${index}: `;
      if (row.apiServer === "refuses") {
        expect(result?.code, result?.stdout).not.toBe(0);
        expect(result?.stderr).toMatch(/is invalid/);
        expect(result?.stderr).toContain(row.rejection?.split(":")[0]);
        expect(verdict.join("\n")).toContain(`${prefix}${row.rejection}`);
        return;
      }
      expect(result?.code, result?.stderr).toBe(0);
      const got = await kubectl(["get", "crsc", `input-${index}`, "-n", namespace, "-o", "json"]);
      const stored = (JSON.parse(got.stdout) as { spec: unknown }).spec;
      const read = parseManifestYaml(await readFile(file, "utf8")).documents[0] as { spec: unknown };
      expectReadAsStored(read.spec, stored, "spec");
      const controller = parseSpecWith(CloudRunServiceConfigSpec, stored);
      if (row.rejection === undefined) {
        expect(verdict).toEqual([`${prefix}OK`]);
        expect(controller).toMatchObject({ ok: true });
      } else {
        expect(verdict.join("\n")).toContain(`${prefix}${row.rejection}`);
        expect(controller.ok ? [] : controller.issues.join("\n")).toContain(row.rejection);
      }
    },
  );

  it("warns about each duplicate key validate read as kubectl did", () => {
    const duplicates = INPUT_CASES.flatMap((row, index) => (row.name.startsWith("duplicate key") ? [index] : []));
    for (const index of duplicates) {
      expect(validateOutput).toContain(`${files[index]}:7:3: warning: duplicate key "requestTimeout"`);
    }
  });
});
