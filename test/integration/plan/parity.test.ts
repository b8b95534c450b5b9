// `driftguard parity` between the repository's example staging and production trees, against the
// simulator seeded the way the field reports found Google: the expected pairs, the declared differences,
// the live drift on both sides and the staging refusals, as text, JSON and Markdown.

import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { regressedStagingSeed } from "../../../src/demo/seed.ts";
import type { ManagedObject } from "../../../src/kinds/kind.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { simFlags } from "./plan-cli.ts";

const MAIN = fileURLToPath(new URL("../../../src/cli/main.ts", import.meta.url));
const EXAMPLES = fileURLToPath(new URL("../../../examples", import.meta.url));
const tree = (dir: string) =>
  readdirSync(join(EXAMPLES, dir)).flatMap((file) =>
    parseAllDocuments(readFileSync(join(EXAMPLES, dir, file), "utf8")).map((d) => d.toJS() as ManagedObject),
  );

function parity(sim: Simulator, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const argv = [MAIN, "parity", "--from", join(EXAMPLES, "staging"), "--to", join(EXAMPLES, "production")];
  argv.push("--policies", join(EXAMPLES, "policies"), ...simFlags(sim), ...args);
  return new Promise((resolve) => {
    execFile(process.execPath, argv, { timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

interface Report {
  toReview: number;
  pairs: Array<{ key: string; kind: string; from?: object; to?: object; rows: Array<Record<string, unknown>> }>;
}

describe("driftguard parity between examples/staging and examples/production", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: regressedStagingSeed([...tree("staging"), ...tree("production")]) });
  });
  afterAll(() => sim.stop());

  it("pairs the services by name without the environment and tables declared and live values", async () => {
    const run = await parity(sim);
    expect(run.code, run.stderr).toBe(2);
    const lines = run.stdout.split("\n");
    const at = lines.findIndex((l) => l.startsWith("CloudRunServiceConfig netra-backend: staging"));
    expect(lines[at]).toBe(
      "CloudRunServiceConfig netra-backend: staging staging/netra-backend-staging ↔ production production/netra-backend-production",
    );
    const row = (field: string) =>
      lines
        .slice(at)
        .find((l) => l.slice(2).startsWith(`${field} `))
        ?.replace(/\s+/g, " ");
    expect(row("database.timeouts.initialization")).toBe(
      "≠~database.timeouts.initialization 75s (live 25) 90s (live 25)",
    );
    expect(row("database.timeouts.pool")).toBe(" ~database.timeouts.pool 45s (live 25) 45s (live 25)");
    expect(row("scaling.maxInstances")).toBe("≠~scaling.maxInstances 4 (live 10) 20 (live 10)");
    expect(row("managementPolicy")).toBe("≠ managementPolicy Enforce Observe");
    expect(row("resources.cpu")).toBe(" ~resources.cpu 4 (live 1000m) 4 (live 1000m)");
    expect(lines).toContain(
      "CloudRunServiceConfig netra-auth: staging staging/netra-auth-staging ↔ production (missing)",
    );
    expect(lines.some((l) => l.startsWith("VpcConnectorConfig connector: staging staging/staging-connector ↔"))).toBe(
      true,
    );
    expect(run.stdout).toContain("  ! staging: blocked: ConnectionBudgetExceeded:");
    expect(lines.at(-2)).toBe(
      "13 of 13 pair(s) to review (≠ declared values differ, ~ live drift, ! policy finding or refusal)",
    );
  });

  it("gives the same report as JSON for tooling and as Markdown for a pull-request comment", async () => {
    const json = await parity(sim, "-o", "json");
    expect(json.code, json.stderr).toBe(2);
    const report = JSON.parse(json.stdout) as Report;
    expect(report.pairs.map((p) => `${p.kind}/${p.key}`)).toContain("VpcConnectorConfig/connector");
    const backend = report.pairs.find((p) => p.key === "netra-backend");
    expect(backend?.rows.find((r) => r.field === "database.timeouts.initialization")).toEqual({
      field: "database.timeouts.initialization",
      from: "75s",
      to: "90s",
      fromLive: "25",
      toLive: "25",
      differs: true,
    });
    const markdown = await parity(sim, "-o", "markdown");
    expect(markdown.stdout).toContain("## driftguard parity: staging ↔ production");
    expect(markdown.stdout).toContain("| ≠~ | `database.timeouts.initialization` | 75s (live 25) | 90s (live 25) |");
    expect(sim.control.requests({ method: "UpdateService" })).toEqual([]);
  });
});
