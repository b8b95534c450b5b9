// The Dockerfile's properties that matter, read from its text (no container runtime here): a Node 24
// base, a separate dependency stage with production dependencies only, a non-root numeric user, the
// entry point, and a build context that holds exactly what the image copies. The last test checks the
// claim that makes --omit=dev safe: everything the shipped code imports is a production package.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./manifests.ts";

interface Instruction {
  op: string;
  args: string;
}

/** Instructions in order: comments dropped, continuation lines joined. */
function parseDockerfile(text: string): Instruction[] {
  return text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [op = "", ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(" ") };
    });
}

function stages(instructions: Instruction[]): Instruction[][] {
  const result: Instruction[][] = [];
  for (const i of instructions) {
    if (i.op === "FROM") result.push([]);
    result.at(-1)?.push(i);
  }
  return result;
}

const dockerfile = parseDockerfile(readFileSync(join(REPO, "Dockerfile"), "utf8"));
const [deps = [], runtime = []] = stages(dockerfile);
const args = (stage: Instruction[], op: string) => stage.filter((i) => i.op === op).map((i) => i.args);
/** COPY sources taken from the build context (not from another stage). */
const contextSources = [
  ...new Set(
    dockerfile
      .filter((i) => i.op === "COPY" && !i.args.startsWith("--from"))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1))
      .map((source) => source.replace(/\/$/, "")),
  ),
].sort();

describe("Dockerfile", () => {
  it("builds on a Node 24 image in two stages", () => {
    expect(stages(dockerfile)).toHaveLength(2);
    expect(args(dockerfile, "ARG")).toContain("NODE_IMAGE=node:24-slim");
    expect(deps[0]?.args).toBe("${NODE_IMAGE} AS deps");
    expect(runtime[0]?.args).toBe("${NODE_IMAGE}");
  });

  it("installs exactly the locked production dependencies in the dependency stage only", () => {
    expect(args(deps, "RUN").join(" ")).toMatch(/\bnpm ci --omit=dev\b/);
    expect(args(runtime, "RUN").join(" ")).not.toMatch(/\bnpm (ci|install|i)\b/);
    expect(args(runtime, "COPY").filter((a) => a.startsWith("--from"))).toEqual([
      "--from=deps /app/node_modules ./node_modules",
    ]);
  });

  it("runs as a numeric non-root user with driftguard run as the default command", () => {
    const user = args(runtime, "USER");
    expect(user).toEqual(["65532:65532"]);
    expect(JSON.parse(args(runtime, "ENTRYPOINT")[0] ?? "null")).toEqual(["node", "bin/driftguard.js"]);
    expect(JSON.parse(args(runtime, "CMD")[0] ?? "null")).toEqual(["run"]);
  });

  it("copies only paths that exist, and .dockerignore lets exactly those into the build context", () => {
    expect(contextSources).toEqual(["bin", "crds", "package-lock.json", "package.json", "src"]);
    for (const source of contextSources) expect(existsSync(join(REPO, source)), source).toBe(true);
    const ignore = readFileSync(join(REPO, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    expect(ignore[0]).toBe("*");
    const allowed = ignore.filter((l) => l.startsWith("!")).map((l) => l.slice(1).replace(/\/$/, ""));
    expect(allowed.sort()).toEqual(contextSources);
    expect(ignore).toContain("src/**/*.test.ts");
  });

  it("ships code that imports only production dependencies and Node built-ins", () => {
    const lock = JSON.parse(readFileSync(join(REPO, "package-lock.json"), "utf8")) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const builtins = new Set(builtinModules);
    const shipped = [join(REPO, "bin", "driftguard.js"), ...sourceFiles(join(REPO, "src"))];
    const problems: string[] = [];
    for (const file of shipped) {
      for (const specifier of importsOf(readFileSync(file, "utf8"))) {
        if (specifier.startsWith(".") || specifier.startsWith("node:") || builtins.has(specifier)) continue;
        const pkg = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];
        const entry = lock.packages[`node_modules/${pkg}`];
        if (!entry || entry.dev) problems.push(`${file.slice(REPO.length)} imports ${specifier}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Specifiers of import/export statements (also multi-line ones), side-effect and dynamic imports. */
function importsOf(source: string): string[] {
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s+["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
    /^\s*import\s+["']([^"']+)["']/gm,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((m) => m[1] ?? ""));
}
