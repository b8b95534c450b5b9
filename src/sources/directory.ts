// Desired state from a directory of manifests (a Git checkout): the same YAML one would apply to a
// cluster, run without Kubernetes. Files are re-read when they change; `metadata.generation` is kept
// the way the API server does (bumped on every spec change), status and events live in memory.
// A file that cannot be read or parsed is never silent and never loses what it held: its objects from
// the last good read are kept, and the error goes to `onFileError`, or else fails the first load or is
// logged on a later one.

import { watch, type FSWatcher } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parseManifestYaml } from "../api/manifest-yaml.ts";
import { isReadinessChange } from "../controller/resync.ts";
import type { ManagedObject, ResourceType } from "../kinds/kind.ts";
import { createLogger, type Logger } from "../observability/logger.ts";
import { POLICY_KIND, POLICY_RESOURCE } from "../policy/set.ts";
import { objectKey, type ChangeHandler, type DesiredStateSource, type EventType } from "./source.ts";

export interface RecordedEvent {
  at: string;
  key: string;
  kind: string;
  type: EventType;
  reason: string;
  note: string;
}

export interface DirectorySourceOptions {
  directory: string;
  resources: ResourceType[];
  /** Namespace for manifests that name none (like kubectl's default). */
  defaultNamespace?: string;
  /** spec.resyncInterval for manifests that set none (in a cluster the CRD default does this). */
  defaultResync?: string;
  onEvent?: (event: RecordedEvent) => void;
  onStatus?: (resource: ResourceType, object: ManagedObject) => void;
  /**
   * Reports files that cannot be read or parsed; their last good content stays, the rest keeps working.
   * Without it, the first load fails with the errors and later reloads log them on `log`.
   */
  onFileError?: (file: string, error: Error) => void;
  /** Where reload errors go when there is no onFileError; default: a logger on stdout. */
  log?: Logger;
}

/** Files that could not be read or parsed in one load, when nobody took the errors as they came. */
export class ManifestLoadError extends Error {
  readonly errors: Array<{ file: string; error: Error }>;

  constructor(errors: Array<{ file: string; error: Error }>) {
    super(`cannot load ${errors.map((e) => `${e.file}: ${e.error.message}`).join("; ")}`);
    this.name = "ManifestLoadError";
    this.errors = errors;
  }
}

export class DirectorySource implements DesiredStateSource {
  #o: DirectorySourceOptions;
  #objects = new Map<string, ManagedObject>(); // "Kind:namespace/name"
  #fileOf = new Map<string, string>(); // store key -> the file it was read from
  #namespaces = new Map<string, Record<string, string>>();
  #namespaceFiles = new Map<string, string>();
  #log: Logger | undefined;
  #namespaceLabels = new Map<string, Record<string, string>>();
  #policies: ManagedObject[] = [];
  /** Which file each policy came from, so a file that stops parsing keeps its last good policies. */
  #policyFiles = new WeakMap<ManagedObject, string>();
  #watcher: FSWatcher | undefined;
  #reloadTimer: NodeJS.Timeout | undefined;
  #onChange: ChangeHandler = () => undefined;
  #synced = false;

  constructor(options: DirectorySourceOptions) {
    this.#o = options;
  }

  async start(onChange: ChangeHandler): Promise<void> {
    this.#onChange = onChange;
    await this.reload();
    this.#synced = true;
    this.#watcher = watch(this.#o.directory, { recursive: true }, () => this.#scheduleReload());
  }

  async stop(): Promise<void> {
    this.#watcher?.close();
    clearTimeout(this.#reloadTimer);
    return Promise.resolve();
  }

  /**
   * Re-reads every manifest and reports what was added, changed or removed. Files that fail keep their
   * last good objects; without an onFileError handler, their errors are thrown once the rest is loaded.
   */
  async reload(): Promise<void> {
    const seen = new Set<string>();
    const namespaces = new Map<string, Record<string, string>>();
    const failed: Array<{ file: string; error: Error }> = [];
    const labels = new Map<string, Record<string, string>>();
    const policies: ManagedObject[] = [];
    for (const file of await listManifests(this.#o.directory)) {
      let documents: unknown[];
      try {
        // Read exactly as kubectl would send the file to the API server (YAML 1.1 values, last duplicate wins).
        documents = parseManifestYaml(await readFile(file, "utf8")).documents;
      } catch (err) {
        const error = toError(err);
        if (this.#o.onFileError) this.#o.onFileError(file, error);
        else failed.push({ file, error });
        for (const [storeKey, from] of this.#fileOf) if (from === file) seen.add(storeKey);
        for (const [name, annotations] of this.#namespaces) {
          if (this.#namespaceFiles.get(name) !== file) continue;
          namespaces.set(name, annotations);
          labels.set(name, this.#namespaceLabels.get(name) ?? {});
        }
        policies.push(...this.#policies.filter((p) => this.#policyFiles.get(p) === file));
        continue;
      }
      for (const doc of documents) {
        if (!isObject(doc)) continue;
        if (doc.kind === "Namespace" && isObject(doc.metadata) && typeof doc.metadata.name === "string") {
          namespaces.set(doc.metadata.name, (doc.metadata.annotations ?? {}) as Record<string, string>);
          this.#namespaceFiles.set(doc.metadata.name, file);
          labels.set(doc.metadata.name, (doc.metadata.labels ?? {}) as Record<string, string>);
          continue;
        }
        if (doc.kind === POLICY_KIND && doc.apiVersion === `${POLICY_RESOURCE.group}/${POLICY_RESOURCE.version}`) {
          policies.push(doc);
          this.#policyFiles.set(doc, file);
          continue;
        }
        const resource = this.#o.resources.find(
          (r) => doc.kind === r.kind && doc.apiVersion === `${r.group}/${r.version}`,
        );
        if (!resource) continue;
        const key = this.#store(resource, this.#withDefaults(doc));
        if (key) {
          seen.add(key);
          this.#fileOf.set(key, file);
        }
      }
    }
    this.#namespaces = namespaces;
    // Policies or namespace labels that change re-judge everything: a directory is small and this is rare.
    const rejudge = !isDeepStrictEqual(this.#policies, policies) || !isDeepStrictEqual(this.#namespaceLabels, labels);
    this.#policies = policies;
    this.#namespaceLabels = labels;
    if (rejudge && this.#synced) {
      for (const [storeKey, object] of this.#objects) {
        const resource = this.#o.resources.find((r) => storeKey.startsWith(`${r.kind}:`));
        if (resource && seen.has(storeKey)) this.#onChange(resource, objectKey(object), { deleted: false });
      }
    }
    for (const [storeKey, object] of this.#objects) {
      if (seen.has(storeKey)) continue;
      this.#objects.delete(storeKey);
      this.#fileOf.delete(storeKey);
      const resource = this.#o.resources.find((r) => storeKey.startsWith(`${r.kind}:`));
      if (resource) this.#onChange(resource, objectKey(object), { deleted: true });
    }
    if (failed.length > 0) throw new ManifestLoadError(failed);
  }

  get(resource: ResourceType, namespace: string, name: string): ManagedObject | undefined {
    return this.#objects.get(`${resource.kind}:${namespace}/${name}`);
  }

  list(resource: ResourceType): ManagedObject[] {
    return [...this.#objects.entries()].filter(([k]) => k.startsWith(`${resource.kind}:`)).map(([, o]) => o);
  }

  namespaceAnnotations(namespace: string): Record<string, string> | undefined {
    return this.#namespaces.get(namespace);
  }

  namespaceLabels(namespace: string): Record<string, string> | undefined {
    return this.#namespaceLabels.get(namespace);
  }

  policies(): ManagedObject[] {
    return this.#policies;
  }

  writeStatus(resource: ResourceType, object: ManagedObject, status: Record<string, unknown>): Promise<boolean> {
    const stored = this.get(resource, object.metadata?.namespace ?? "", object.metadata?.name ?? "");
    if (!stored || isDeepStrictEqual(stored.status ?? {}, status)) return Promise.resolve(false);
    const readinessChanged = isReadinessChange(stored, { status });
    stored.status = structuredClone(status);
    this.#o.onStatus?.(resource, stored);
    if (readinessChanged) this.#onChange(resource, objectKey(stored), { deleted: false, readinessOnly: true });
    return Promise.resolve(true);
  }

  recordEvent(object: ManagedObject, type: EventType, reason: string, note: string): Promise<void> {
    const event = { at: new Date().toISOString(), key: objectKey(object), kind: object.kind ?? "", type, reason, note };
    this.#o.onEvent?.(event);
    return Promise.resolve();
  }

  hasSynced(): boolean {
    return this.#synced;
  }

  isStale(): boolean {
    return false;
  }

  #store(resource: ResourceType, doc: ManagedObject): string | undefined {
    const name = doc.metadata?.name;
    if (!name) return undefined;
    const namespace = doc.metadata?.namespace ?? this.#o.defaultNamespace ?? "default";
    const storeKey = `${resource.kind}:${namespace}/${name}`;
    const existing = this.#objects.get(storeKey);
    const annotations = doc.metadata?.annotations ?? {};
    if (
      existing &&
      isDeepStrictEqual(existing.spec, doc.spec) &&
      isDeepStrictEqual(existing.metadata?.annotations ?? {}, annotations)
    ) {
      return storeKey;
    }
    const generation = existing
      ? (existing.metadata?.generation ?? 1) + (isDeepStrictEqual(existing.spec, doc.spec) ? 0 : 1)
      : 1;
    this.#objects.set(storeKey, {
      ...doc,
      metadata: {
        ...doc.metadata,
        name,
        namespace,
        generation,
        annotations,
        creationTimestamp: existing?.metadata?.creationTimestamp ?? new Date(),
      },
      status: existing?.status ?? {},
    });
    this.#onChange(resource, `${namespace}/${name}`, { deleted: false });
    return storeKey;
  }

  #withDefaults(doc: ManagedObject): ManagedObject {
    const spec = doc.spec;
    if (!this.#o.defaultResync || typeof spec !== "object" || spec === null || "resyncInterval" in spec) return doc;
    return { ...doc, spec: { ...spec, resyncInterval: this.#o.defaultResync } };
  }

  #scheduleReload(): void {
    // Editors write files in several steps; wait for the burst to end.
    clearTimeout(this.#reloadTimer);
    this.#reloadTimer = setTimeout(() => {
      this.reload().catch((err: unknown) => this.#reloadFailed(err));
    }, 200);
  }

  /** A background reload has no caller to throw to: report every failure, never drop one. */
  #reloadFailed(err: unknown): void {
    const errors = err instanceof ManifestLoadError ? err.errors : [{ file: this.#o.directory, error: toError(err) }];
    for (const { file, error } of errors) {
      if (this.#o.onFileError) this.#o.onFileError(file, error);
      else {
        this.#log ??= this.#o.log ?? createLogger();
        this.#log.error({ file, err: error }, "cannot reload manifest; keeping its last good content");
      }
    }
  }
}

async function listManifests(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function isObject(value: unknown): value is Record<string, unknown> & { metadata?: Record<string, unknown> } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
