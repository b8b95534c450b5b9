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
    // The analytics database fits one of its three services: the first admitted keeps it, two are refused.
    expect(stdout).toContain(
      "10 converged, 3 need attention (a spec problem driftguard reported and would not apply), 0 still working, 0 failed.",
    );
    // Then a commit regresses the backend's initialization timeout: the staging policy refuses it.
    expect(stdout).toContain("A commit lowers netra-backend-staging's database initialization timeout 75s → 25s");
    expect(stdout).toMatch(
      /netra-backend-staging PolicyViolation: policy staging rule db-initialization-floor: spec\.database\.timeouts\.initialization is 25s, must be at least 75s/,
    );
    expect(stdout).toContain("Refused, nothing written: the live service keeps DB_INITIALIZATION_TIMEOUT=75.");
    expect(stdout).toMatch(
      /ConnectionBudgetExceeded: Cloud SQL instance netra-staging:us-central1:netra-analytics-db: staging\/netra-[a-z]+-staging asks for \(10 \+ 15\) × 2 = 50 connections; 1 admitted config holds 50/,
    );
    expect(stdout).toMatch(/netra-backend-staging Updated: Applied .*DB_INITIALIZATION_TIMEOUT 25 → 75/);
    expect(stdout).toMatch(/staging-connector ScaledUp: /);
    const finalTable = stdout.slice(stdout.lastIndexOf("KIND"));
    expect(finalTable).toMatch(/ok\s+vpcc\s+staging-connector\s+True\s+UpToDate.*e2-standard-4/);
    expect(finalTable).toMatch(/crsc\s+netra-backend-staging\s+False\s+PolicyViolation/);
    expect(finalTable).toMatch(/ok\s+crsc\s+netra-auth-staging\s+True\s+UpToDate/);
  }, 260_000);
});
