// `driftguard plan`: what the controller would change, read-only. Desired state comes from manifests
// (`-f`, e.g. a pull request's checkout) or from the cluster's custom resources (`--cluster`); live state is
// read through the same kinds the controller uses, and nothing is ever written. Exit 0: no changes,
// 2: changes, 1: errors — so a CI job can fail on errors and flag changes for review.

import { copyFile, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, extname, join } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { parseDuration } from "../api/duration.ts";
import { pino } from "pino";
import { messageChain } from "../controller/errors.ts";
import { createKinds, MANAGED_RESOURCES } from "../controller/kinds.ts";
import type { GoogleApi } from "../gcp/errors.ts";
import { CallGuard } from "../gcp/guard.ts";
import type { ManagedObject, ObjectLookup, ResourceType } from "../kinds/kind.ts";
import { collectionPath, KubeApiError, listAll, NAMESPACES } from "../kube/raw.ts";
import { createLogger } from "../observability/logger.ts";
import { ManifestSetLookup } from "../plan/lookup.ts";
import { EXIT_ERRORS, exitCode, type FileError, type Plan } from "../plan/model.ts";
import { buildPlan } from "../plan/planner.ts";
import { DEFAULT_PLAN_RETRY } from "../plan/retry.ts";
import { PolicySet, POLICY_RESOURCE } from "../policy/set.ts";
import { renderJson, renderText } from "../plan/render.ts";
import { ClusterSource, CrdNotInstalledError } from "../sources/cluster.ts";
import { DirectorySource } from "../sources/directory.ts";
import { checkGoogleCredentialsFile } from "./credentials.ts";
import { gcpOptions } from "./run-options.ts";
import { gcpConnection, type GcpFlags } from "./run.ts";

export interface PlanOptions extends GcpFlags {
  filename?: string;
  cluster: boolean;
  kubeconfig?: string;
  namespace?: string[];
  output: "text" | "json";
  requireProjectAllowlist: boolean;
  attempts: number;
  retryTimeout: string;
  /** A directory of ServiceConfigPolicy and Namespace manifests, in addition to those the desired state holds. */
  policies?: string;
}

/** Desired state loaded for one plan. */
interface Loaded {
  source: Plan["source"];
  objects: ObjectLookup;
  lookup: ObjectLookup;
  fileErrors: FileError[];
  namespaceAnnotations(namespace: string): Record<string, string> | undefined;
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  policies(): ManagedObject[];
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
      .option(
        "--namespace <names...>",
        "with --cluster: plan only objects in these namespaces (default: all); with -f: the namespace of manifests that name none",
      )
      .option(
        "--policies <dir>",
        "ServiceConfigPolicy and Namespace manifests to apply besides those in the desired state",
      )
      .addOption(new Option("-o, --output <format>", "output format").choices(["text", "json"]).default("text"))
      .addOption(
        new Option(
          "--require-project-allowlist",
          "as the controller: deny projects in namespaces without the allow-list",
        )
          .env("DRIFTGUARD_REQUIRE_PROJECT_ALLOWLIST")
          .default(false),
      )
      .addOption(
        new Option(
          "--attempts <n>",
          "reads of a live resource before a transient failure (unavailable, timeout) counts",
        )
          .argParser(attemptsFlag)
          .env("DRIFTGUARD_PLAN_ATTEMPTS")
          .default(DEFAULT_PLAN_RETRY.attempts),
      )
      .addOption(
        new Option("--retry-timeout <duration>", "longest total wait between the attempts for one resource")
          .argParser(durationFlag)
          .env("DRIFTGUARD_PLAN_RETRY_TIMEOUT")
          .default(`${DEFAULT_PLAN_RETRY.maxTotalMs / 1000}s`),
      ),
  ).action(async (options: PlanOptions, command: Command) => {
    if (Boolean(options.filename) === options.cluster) command.error("plan needs exactly one of -f PATH and --cluster");
    if (options.namespace && !options.cluster && options.namespace.length > 1) {
      command.error("with -f, --namespace takes one namespace: the one of manifests that name none");
    }
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

/** Plans; `onObjects` receives the managed objects as loaded (for reports that need their specs). */
export async function runPlan(options: PlanOptions, onObjects?: (objects: ManagedObject[]) => void): Promise<Plan> {
  if (!options.gcpAccessToken) checkGoogleCredentialsFile();
  const resources = [...MANAGED_RESOURCES];
  const loaded = options.filename
    ? await loadManifests(options.filename, resources, options.namespace?.[0])
    : await loadCluster(options, resources);
  const extra = options.policies ? await loadManifests(options.policies, []) : undefined;
  try {
    onObjects?.(resources.flatMap((r) => loaded.objects.list(r)));
    const namespaceLabels = (ns: string) => loaded.namespaceLabels(ns) ?? extra?.namespaceLabels(ns);
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
        retry: {
          policy: {
            attempts: options.attempts,
            baseDelayMs: DEFAULT_PLAN_RETRY.baseDelayMs,
            maxTotalMs: parseDuration(options.retryTimeout),
          },
        },
        tenancy: {
          namespaceAnnotations: (ns) => loaded.namespaceAnnotations(ns),
          requireAllowlist: options.requireProjectAllowlist,
        },
        policies: { set: new PolicySet([...loaded.policies(), ...(extra?.policies() ?? [])]), namespaceLabels },
      });
    } finally {
      await managed.close();
    }
  } finally {
    await Promise.all([loaded.close(), extra?.close()]);
  }
}

function attemptsFlag(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`--attempts must be a whole number of at least 1, got "${value}"`);
  return n;
}

function durationFlag(value: string): string {
  try {
    parseDuration(value);
    return value;
  } catch (err) {
    throw new InvalidArgumentError(`--retry-timeout: ${(err as Error).message}`);
  }
}

async function loadManifests(path: string, resources: ResourceType[], defaultNamespace?: string): Promise<Loaded> {
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
    ...(defaultNamespace ? { defaultNamespace } : {}),
    onFileError: (file, error) => fileErrors.push({ file: isDirectory ? file : path, message: error.message }),
  });
  await source.reload();
  return {
    source: "directory",
    objects: source,
    lookup: new ManifestSetLookup(source),
    fileErrors,
    namespaceAnnotations: (namespace) => source.namespaceAnnotations(namespace),
    namespaceLabels: (namespace) => source.namespaceLabels(namespace),
    policies: () => source.policies(),
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
  for (const resource of [...resources, POLICY_RESOURCE, NAMESPACES]) {
    const path = collectionPath(resource);
    try {
      await listAll(source.kubeConfig, path);
    } catch (err) {
      const managed = resources.find((r) => r === resource);
      if (managed && err instanceof KubeApiError && err.statusCode === 404) throw new CrdNotInstalledError(managed);
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
    namespaceLabels: (namespace) => source.namespaceLabels(namespace),
    policies: () => source.policies(),
    close: () => source.stop(),
  };
}
