// `driftguard validate -f FILE|DIR`: checks driftguard.dev manifests offline with the same schemas and
// cross-field rules the controller applies, so a bad timeout or pool budget fails in CI, not in the cluster.

import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { Command } from "commander";
import { ManifestYamlError, parseManifestYaml } from "../api/manifest-yaml.ts";
import { validateManifest } from "../api/index.ts";
import { checkPolicies, type FoundObject, type PolicyCheckOptions } from "./validate-policies.ts";

const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

export interface ValidateSummary {
  valid: number;
  invalid: number;
  skipped: number;
  /** Files that could not be read or parsed. */
  unreadable: number;
  /** Objects a ServiceConfigPolicy Deny rule refuses (counted in `invalid` too). */
  denied: number;
}

/** A problem with a file as a whole: unreadable, or not YAML/JSON. `location` is "file" or "file:line:col". */
class ManifestFileError extends Error {
  readonly location: string;
  constructor(location: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.location = location;
  }
}

/** Validates every manifest under `paths`, printing one line per object or problem. */
export async function validatePaths(
  paths: readonly string[],
  print: (line: string) => void,
  policyOptions: PolicyCheckOptions = { defaultNamespace: "default", namespaceLabels: [] },
): Promise<ValidateSummary> {
  const summary: ValidateSummary = { valid: 0, invalid: 0, skipped: 0, unreadable: 0, denied: 0 };
  const found: FoundObject[] = [];
  for (const file of await manifestFiles(paths, print, summary)) {
    let objects: unknown[];
    try {
      // Warnings (duplicate keys, which kubectl accepts silently) are printed but fail nothing.
      objects = await readManifests(file, print);
    } catch (error) {
      // Whatever went wrong with this file, say so and go on with the others.
      const location = error instanceof ManifestFileError ? error.location : file;
      print(`${location}: ${(error as Error).message}`);
      summary.unreadable += 1;
      continue;
    }
    for (const object of objects) {
      if (reportObject(file, object, print, summary)) found.push({ file, object });
    }
  }
  // Policies judge only objects that passed their schema, with the policies and Namespaces of the same tree.
  const policies = checkPolicies(found, policyOptions, print);
  summary.denied = policies.denied;
  summary.valid -= policies.denied + policies.brokenPolicies;
  summary.invalid += policies.denied + policies.brokenPolicies;
  return summary;
}

export function validateCommand(): Command {
  return new Command("validate")
    .description("check driftguard.dev manifests offline against the API schemas and cross-field rules")
    .requiredOption(
      "-f, --filename <path>",
      "manifest file or directory (searched recursively for .yaml, .yml and .json); repeatable",
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option(
      "-n, --namespace <namespace>",
      "namespace of manifests that name none, for ServiceConfigPolicy selectors",
      "default",
    )
    .option(
      "--namespace-label <namespace:key=value>",
      "a label of a namespace whose Namespace manifest is not in the tree, for ServiceConfigPolicy selectors; repeatable",
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .action(async (options: { filename: string[]; namespace: string; namespaceLabel: string[] }) => {
      const print = (line: string) => process.stdout.write(`${line}\n`);
      const summary = await validatePaths(options.filename, print, {
        defaultNamespace: options.namespace,
        namespaceLabels: options.namespaceLabel,
      });
      process.stdout.write(
        `${summary.valid} valid, ${summary.invalid} invalid, ${summary.skipped} skipped, ` +
          `${summary.unreadable} unreadable${summary.denied > 0 ? ` (${summary.denied} denied by policy)` : ""}\n`,
      );
      if (summary.invalid > 0 || summary.unreadable > 0) process.exitCode = 1;
    });
}

/** Reports one object; returns whether it is valid or a Namespace (both matter to the policy pass). */
function reportObject(file: string, object: unknown, print: (line: string) => void, summary: ValidateSummary): boolean {
  const result = validateManifest(object);
  if (result.outcome === "ignored") {
    summary.skipped += 1;
    const label = result.kind === undefined ? "" : ` ${result.kind}/${result.name ?? "(unnamed)"}`;
    print(`${file}:${label} skipped: ${result.reason}`);
    return result.kind === "Namespace";
  }
  const label = [result.kind, result.namespace, result.name ?? "(unnamed)"].filter(Boolean).join("/");
  if (result.issues.length === 0) {
    summary.valid += 1;
    print(`${file}: ${label}: OK`);
    return true;
  }
  summary.invalid += 1;
  for (const issue of result.issues) print(`${file}: ${label}: ${issue.path}: ${issue.message}`);
  return false;
}

async function manifestFiles(
  paths: readonly string[],
  print: (line: string) => void,
  summary: ValidateSummary,
): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    try {
      if ((await stat(path)).isDirectory()) {
        const entries = await readdir(path, { recursive: true, withFileTypes: true });
        const found = entries
          .filter((entry) => entry.isFile() && MANIFEST_EXTENSIONS.has(extname(entry.name)))
          .map((entry) => join(entry.parentPath, entry.name));
        files.push(...found.sort());
      } else {
        files.push(path);
      }
    } catch (error) {
      print(`${path}: cannot read: ${(error as Error).message}`);
      summary.unreadable += 1;
    }
  }
  return files;
}

/**
 * The objects in one file, read as kubectl reads them (see api/manifest-yaml.ts): every YAML document (or the
 * JSON value), with `kind: *List` items expanded.
 */
async function readManifests(file: string, warn: (line: string) => void): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ManifestFileError(file, `cannot read: ${(error as Error).message}`, { cause: error });
  }
  const values = extname(file) === ".json" ? [parseJson(file, text)] : parseYaml(file, text, warn);
  return values.filter((value) => value !== null && value !== undefined).flatMap(expandList);
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ManifestFileError(file, `JSON parse error: ${(error as Error).message}`, { cause: error });
  }
}

function parseYaml(file: string, text: string, warn: (line: string) => void): unknown[] {
  try {
    const { documents, warnings } = parseManifestYaml(text);
    for (const warning of warnings) warn(`${fileAt(file, warning)}: warning: ${warning.message}`);
    return documents;
  } catch (error) {
    if (!(error instanceof ManifestYamlError)) throw error;
    throw new ManifestFileError(fileAt(file, error.problem), error.message, { cause: error });
  }
}

function fileAt(file: string, at: { line?: number; col?: number }): string {
  return at.line === undefined ? file : `${file}:${at.line}:${at.col ?? 1}`;
}

function expandList(value: unknown): unknown[] {
  const object = value as { kind?: unknown; items?: unknown };
  const isList = typeof object.kind === "string" && object.kind.endsWith("List") && Array.isArray(object.items);
  return isList ? (object.items as unknown[]) : [value];
}
