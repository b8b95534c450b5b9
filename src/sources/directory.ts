// Desired state from a directory of manifests (a Git checkout): the same YAML one would apply to a
// cluster, run without Kubernetes. Files are re-read when they change; `metadata.generation` is kept
// the way the API server does (bumped on every spec change), status and events live in memory.

import { watch, type FSWatcher } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parseAllDocuments } from "yaml";
import { isReadinessChange } from "../controller/resync.ts";
import type { ManagedObject, ResourceType } from "../kinds/kind.ts";
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
  /** Reports files that cannot be read or parsed; they are skipped, the rest keeps working. */
  onFileError?: (file: string, error: Error) => void;
}

export class DirectorySource implements DesiredStateSource {
  #o: DirectorySourceOptions;
  #objects = new Map<string, ManagedObject>(); // "Kind:namespace/name"
  #namespaces = new Map<string, Record<string, string>>();
  #namespaceLabels = new Map<string, Record<string, string>>();
  #policies: ManagedObject[] = [];
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

  /** Re-reads every manifest and reports what was added, changed or removed. */
  async reload(): Promise<void> {
    const seen = new Set<string>();
    const namespaces = new Map<string, Record<string, string>>();
    const labels = new Map<string, Record<string, string>>();
    const policies: ManagedObject[] = [];
    for (const file of await listManifests(this.#o.directory)) {
      let documents: unknown[];
      try {
        documents = parseAllDocuments(await readFile(file, "utf8")).map((d) => {
          if (d.errors.length > 0) throw d.errors[0] ?? new Error("invalid YAML");
          return d.toJS() as unknown;
        });
      } catch (err) {
        this.#o.onFileError?.(file, err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      for (const doc of documents) {
        if (!isObject(doc)) continue;
        if (doc.kind === "Namespace" && isObject(doc.metadata) && typeof doc.metadata.name === "string") {
          namespaces.set(doc.metadata.name, (doc.metadata.annotations ?? {}) as Record<string, string>);
          labels.set(doc.metadata.name, (doc.metadata.labels ?? {}) as Record<string, string>);
          continue;
        }
        if (doc.kind === POLICY_KIND && doc.apiVersion === `${POLICY_RESOURCE.group}/${POLICY_RESOURCE.version}`) {
          policies.push(doc);
          continue;
        }
        const resource = this.#o.resources.find(
          (r) => doc.kind === r.kind && doc.apiVersion === `${r.group}/${r.version}`,
        );
        if (!resource) continue;
        const key = this.#store(resource, this.#withDefaults(doc));
        if (key) seen.add(key);
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
      const resource = this.#o.resources.find((r) => storeKey.startsWith(`${r.kind}:`));
      if (resource) this.#onChange(resource, objectKey(object), { deleted: true });
    }
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
      this.reload().catch((err: unknown) => this.#o.onFileError?.(this.#o.directory, err as Error));
    }, 200);
  }
}

async function listManifests(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function isObject(value: unknown): value is Record<string, unknown> & { metadata?: Record<string, unknown> } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
