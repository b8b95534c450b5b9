// `driftguard plan`: what the controller would change, read-only. Desired state comes from manifests
// (`-f`, e.g. a pull request's checkout) or from the cluster's custom resources (`--cluster`); live state is
// read through the same kinds the controller uses, and nothing is ever written. Exit 0: no changes,
// 2: changes, 1: errors — so a CI job can fail on errors and flag changes for review.

import { copyFile, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, extname, join } from "node:path";
import { Command, Option } from "commander";
import { pino } from "pino";
import { messageChain } from "../controller/errors.ts";
import { createKinds, MANAGED_RESOURCES } from "../controller/kinds.ts";
import type { GoogleApi } from "../gcp/errors.ts";
import { CallGuard } from "../gcp/guard.ts";
import type { ObjectLookup, ResourceType } from "../kinds/kind.ts";
import { collectionPath, listAll, NAMESPACES } from "../kube/raw.ts";
import { createLogger } from "../observability/logger.ts";
import { ManifestSetLookup } from "../plan/lookup.ts";
import { EXIT_ERRORS, exitCode, type FileError, type Plan } from "../plan/model.ts";
import { buildPlan } from "../plan/planner.ts";
import { renderJson, renderText } from "../plan/render.ts";
import { ClusterSource } from "../sources/cluster.ts";
import { DirectorySource } from "../sources/directory.ts";
import { gcpConnection, gcpOptions, type GcpFlags } from "./run.ts";

export interface PlanOptions extends GcpFlags {
  filename?: string;
  cluster: boolean;
  kubeconfig?: string;
  namespace?: string[];
  output: "text" | "json";
  requireProjectAllowlist: boolean;
}

/** Desired state loaded for one plan. */
interface Loaded {
  source: Plan["source"];
  objects: ObjectLookup;
  lookup: ObjectLookup;
  fileErrors: FileError[];
  namespaceAnnotations(namespace: string): Record<string, string> | undefined;
  close(): Promise<void>;
}

const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);
/** Plans read each live resource once; a low rate keeps a large plan polite to the API quota. */
const PLAN_QPS = 10;

export function planCommand(): Command {
  return gcpOptions(
    new Command("plan")
      .description("show what driftguard would change, without changing anything (exit 0: none, 2: changes, 1: errors)")
      .option("-f, --filename <path>", "manifest file or directory (searched recursively for .yaml, .yml, .json)")
      .option("--cluster", "plan the custom resources in the cluster instead of manifests", false)
      .addOption(new Option("--kubeconfig <path>", "kubeconfig file for --cluster").env("KUBECONFIG"))
      .option("--namespace <names...>", "with --cluster: plan only objects in these namespaces (default: all)")
      .addOption(new Option("-o, --output <format>", "output format").choices(["text", "json"]).default("text"))
      .addOption(
        new Option(
          "--require-project-allowlist",
          "as the controller: deny projects in namespaces without the allow-list",
        )
          .env("DRIFTGUARD_REQUIRE_PROJECT_ALLOWLIST")
          .default(false),
      ),
  ).action(async (options: PlanOptions, command: Command) => {
    if (Boolean(options.filename) === options.cluster) command.error("plan needs exactly one of -f PATH and --cluster");
    if (options.namespace && !options.cluster) command.error("--namespace applies only with --cluster");
    try {
      const plan = await runPlan(options);
      const text = options.output === "json" ? renderJson(plan) : renderText(plan).join("\n");
      process.stdout.write(`${text}\n`);
      process.exitCode = exitCode(plan);
    } catch (err) {
      process.stderr.write(`driftguard plan: ${messageChain(err)}\n`);
      process.exitCode = EXIT_ERRORS;
    }
  });
}

export async function runPlan(options: PlanOptions): Promise<Plan> {
  const resources = [...MANAGED_RESOURCES];
  const loaded = options.filename
    ? await loadManifests(options.filename, resources)
    : await loadCluster(options, resources);
  try {
    const guard = (api: GoogleApi) => new CallGuard({ api, qps: PLAN_QPS, burst: PLAN_QPS });
    const managed = createKinds(
      gcpConnection(options),
      { run: guard("run"), vpcaccess: guard("vpcaccess"), monitoring: guard("monitoring") },
      {},
      {
        source: {
          list: (resource) => loaded.lookup.list(resource),
          get: (resource, namespace, name) => loaded.lookup.get(resource, namespace, name),
          namespaceAnnotations: (namespace) => loaded.namespaceAnnotations(namespace),
        },
        requireAllowlist: options.requireProjectAllowlist,
      },
    );
    try {
      return await buildPlan({
        ...loaded,
        kinds: managed.kinds,
        tenancy: {
          namespaceAnnotations: (ns) => loaded.namespaceAnnotations(ns),
          requireAllowlist: options.requireProjectAllowlist,
        },
      });
    } finally {
      await managed.close();
    }
  } finally {
    await loaded.close();
  }
}

async function loadManifests(path: string, resources: ResourceType[]): Promise<Loaded> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (err) {
    throw new Error(`cannot read ${path}`, { cause: err });
  }
  if (!isDirectory && !MANIFEST_EXTENSIONS.has(extname(path))) {
    throw new Error(`${path} is not a manifest: expected a directory or a .yaml, .yml or .json file`);
  }
  // The directory source reads directories; a single file is planned as a directory holding only it.
  const directory = isDirectory ? path : await mkdtemp(join(tmpdir(), "driftguard-plan-"));
  if (!isDirectory) await copyFile(path, join(directory, basename(path)));
  const fileErrors: FileError[] = [];
  const source = new DirectorySource({
    directory,
    resources,
    defaultResync: "60s",
    onFileError: (file, error) => fileErrors.push({ file: isDirectory ? file : path, message: error.message }),
  });
  await source.reload();
  return {
    source: "directory",
    objects: source,
    lookup: new ManifestSetLookup(source),
    fileErrors,
    namespaceAnnotations: (namespace) => source.namespaceAnnotations(namespace),
    close: () => (isDirectory ? Promise.resolve() : rm(directory, { recursive: true, force: true })),
  };
}

async function loadCluster(options: PlanOptions, resources: ResourceType[]): Promise<Loaded> {
  const source = new ClusterSource({
    resources,
    log: createLogger({ level: "warn", destination: pino.destination({ dest: 2, sync: true }) }),
    ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.namespace ? { namespaces: options.namespace.flatMap((n) => n.split(",")).filter(Boolean) } : {}),
  });
  // The source's informers retry a failing list forever; one plain list first turns an unreachable
  // cluster, missing RBAC or an uninstalled CRD into an error instead of a wait.
  for (const resource of [...resources, NAMESPACES]) {
    const path = collectionPath(resource);
    try {
      await listAll(source.kubeConfig, path);
    } catch (err) {
      throw new Error(`cannot list ${path} in the cluster`, { cause: err });
    }
  }
  await source.start(() => undefined);
  return {
    source: "cluster",
    objects: source,
    lookup: source,
    fileErrors: [],
    namespaceAnnotations: (namespace) => source.namespaceAnnotations(namespace),
    close: () => source.stop(),
  };
}
