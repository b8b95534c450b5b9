// Runs `driftguard plan` as a user would (a child process of the real CLI) against an in-process
// simulator, with manifests written to a temporary directory.

import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { API_VERSION } from "../../../src/api/common.ts";
import type { Simulator } from "../../../src/sim/simulator.ts";

const MAIN = fileURLToPath(new URL("../../../src/cli/main.ts", import.meta.url));
const directories: string[] = [];

export const PROJECT = "netra-staging";
export const REGION = "us-central1";
export const SERVICES = `projects/${PROJECT}/locations/${REGION}/services`;
export const CONNECTORS = `projects/${PROJECT}/locations/${REGION}/connectors`;

export interface PlanRun {
  code: number;
  stdout: string;
  stderr: string;
  lines: string[];
}

export function simFlags(sim: Simulator): string[] {
  return ["--gcp-endpoint", `127.0.0.1:${sim.grpcPort}`, "--gcp-access-token", "sim-token"];
}

export function runPlanCli(args: string[]): Promise<PlanRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, "plan", ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr, lines: stdout.split("\n") });
    });
  });
}

/** A Cloud Run service as a deploy left it: the seed every test plans against. */
export function seedService(name: string) {
  return {
    name: `${SERVICES}/${name}`,
    template: {
      containers: [
        {
          name: "app",
          image: `us-docker.pkg.dev/${PROJECT}/app/${name}:v1`,
          env: [
            { name: "DB_POOL_TIMEOUT", value: "25" },
            { name: "UNMANAGED", value: "keep-me" },
          ],
          resources: { limits: { cpu: "1000m", memory: "512Mi" } },
        },
      ],
      timeout: "300s",
      scaling: { maxInstanceCount: 10 },
    },
  };
}

/** A spec that matches seedService(name) except for `requestTimeout` and the pool timeout. */
export function serviceSpec(name: string, extra: object = {}) {
  return {
    service: { project: PROJECT, region: REGION, name },
    requestTimeout: "600s",
    resources: { cpu: "1", memory: "512Mi" },
    database: { timeouts: { pool: "45s" } },
    ...extra,
  };
}

export function manifest(
  kind: "CloudRunServiceConfig" | "VpcConnectorConfig",
  name: string,
  spec: object,
  metadata: { namespace?: string; annotations?: Record<string, string> } = {},
): object {
  return { apiVersion: API_VERSION, kind, metadata: { name, ...metadata }, spec };
}

/** Writes each file (its objects as YAML documents, or raw text) to a new directory; returns the directory. */
export async function manifestDirectory(files: Record<string, object[] | string>): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "driftguard-plan-"));
  directories.push(directory);
  for (const [file, content] of Object.entries(files)) {
    const text = typeof content === "string" ? content : content.map((o) => stringify(o)).join("---\n");
    await writeFile(join(directory, file), text);
  }
  return directory;
}

export async function removeManifestDirectories(): Promise<void> {
  await Promise.all(directories.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}
