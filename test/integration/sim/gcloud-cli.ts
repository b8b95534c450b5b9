// The real gcloud CLI pointed at a running simulator with the environment `driftguard sim` documents:
// endpoint overrides for VPC Access and Cloud Run, gcloud's own HTTP proxy settings so the
// region-prefixed Cloud Run host (us-central1-run.sim.local) reaches the simulator in absolute form,
// and a throwaway config directory and access-token file. Offline throughout.

import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gcloudEnvironment } from "../../../src/cli/sim.ts";

export interface GcloudResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** gcloud comes with the machine image, not from a package registry: tests that need it say so when absent. */
export function gcloudInstalled(): boolean {
  try {
    execFileSync("gcloud", ["version", "--format=value(version)"], { stdio: "ignore", timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

/** The test title suffix that puts a missing gcloud into the test summary. */
export const GCLOUD_MISSING = "(skipped: gcloud not installed)";

/** Exactly the environment `driftguard sim` documents, plus a private config and no prompts or telemetry. */
function testEnvironment(restPort: number, configDir: string): Record<string, string> {
  return {
    ...gcloudEnvironment(restPort),
    CLOUDSDK_CONFIG: configDir,
    CLOUDSDK_CORE_DISABLE_PROMPTS: "1",
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: "true",
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: "true",
    CLOUDSDK_CORE_CHECK_GCE_METADATA: "false",
    CLOUDSDK_SURVEY_DISABLE_PROMPTS: "true",
  };
}

export class Gcloud {
  readonly #home = mkdtempSync(join(tmpdir(), "driftguard-gcloud-"));
  readonly #env: Record<string, string>;
  readonly #project: string;

  constructor(restPort: number, project: string) {
    writeFileSync(join(this.#home, "token"), "sim-token\n");
    this.#project = project;
    this.#env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: this.#home,
      ...testEnvironment(restPort, join(this.#home, "gcloud")),
    };
  }

  async run(...args: string[]): Promise<GcloudResult> {
    const common = ["--project", this.#project, "--access-token-file", join(this.#home, "token"), "--quiet"];
    return await new Promise((resolve) => {
      execFile("gcloud", [...args, ...common], { env: this.#env, timeout: 90_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** Runs a command with `--format=json` and parses its output; fails with gcloud's stderr otherwise. */
  async json<T = Record<string, unknown>>(...args: string[]): Promise<T> {
    const result = await this.run(...args, "--format=json");
    if (result.code !== 0) throw new Error(`gcloud ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  }

  dispose(): void {
    rmSync(this.#home, { recursive: true, force: true });
  }
}
