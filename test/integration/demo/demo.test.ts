// `npm start -- --once` end to end, as a user runs it: the simulator seeded like the field reports'
// staging, the controller reading examples/staging/, a summary, and the exit code.

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const main = fileURLToPath(new URL("../../../src/cli/main.ts", import.meta.url));

function runDemo(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [main, "demo", ...args], { timeout: 240_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe("driftguard demo --once", () => {
  it("restores the staging services, reports the over-committed pool and grows the connector", async () => {
    const { code, stdout, stderr } = await runDemo(["--once", "--ramp", "20", "--timeout", "200s"]);
    expect(code, stderr).toBe(0);
    // Nine services on the main database converge; the three analytics services over-commit theirs.
    expect(stdout).toContain(
      "10 converged, 3 need attention (a spec problem driftguard reported and would not apply), 0 still working, 0 failed.",
    );
    expect(stdout).toMatch(
      /ConnectionBudgetExceeded: netra-staging:us-central1:netra-analytics-db: 3 services demand 150 connections/,
    );
    expect(stdout).toMatch(/netra-backend-staging Updated: Applied .*DB_INITIALIZATION_TIMEOUT 25 → 75/);
    expect(stdout).toMatch(/staging-connector ScaledUp: /);
    const finalTable = stdout.slice(stdout.lastIndexOf("KIND"));
    expect(finalTable).toMatch(/ok\s+vpcc\s+staging-connector\s+True\s+UpToDate.*e2-standard-4/);
    expect(finalTable).toMatch(/ok\s+crsc\s+netra-backend-staging\s+True\s+UpToDate/);
  }, 260_000);
});
