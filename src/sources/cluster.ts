// Desired state from the cluster: one informer per managed kind plus one for Namespaces (the tenancy
// guard reads their annotations), status through the status subresource, events.k8s.io/v1 Events.
// Status-only updates (our own writes among them) never trigger a reconcile; a status just written is
// served in place of an older cached copy, so a lagging watch can never make a pass act on stale status.

import { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { isMeaningfulUpdate, isReadinessChange } from "../controller/resync.ts";
import type { ManagedObject, ResourceType } from "../kinds/kind.ts";
import { shareConnections } from "../kube/connections.ts";
import { EventRecorder } from "../kube/events.ts";
import { pruneObject, shareUnchangedSpec } from "../kube/cached-object.ts";
import { Informer } from "../kube/informer.ts";
import { collectionPath, getJson, KubeApiError, NAMESPACES } from "../kube/raw.ts";
import { StatusWriter } from "../kube/status.ts";
import { CredentialsFileError, describeCredentialsProblem } from "../observability/credentials-error.ts";
import { selects, type LabelSelector } from "../policy/selector.ts";
import { POLICY_RESOURCE } from "../policy/set.ts";
import { objectKey, type ChangeHandler, type DesiredStateSource, type EventType } from "./source.ts";

export interface ClusterSourceOptions {
  resources: ResourceType[];
  log: Logger;
  /** A kubeconfig file; default: in-cluster config, then $KUBECONFIG / ~/.kube/config. */
  kubeconfig?: string;
  kubeConfig?: KubeConfig;
  /** Restart a watch that has been silent this long (the informer's watchdog). */
  staleAfterMs?: number;
  /** Manage only objects in these namespaces (default: all). */
  namespaces?: string[];
  /** With sharding: whether this replica's shard holds the namespace (asked on every look-up). */
  owns?: (namespace: string) => boolean;
}

interface NamespaceObject {
  metadata?: { name?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
}

export class ClusterSource implements DesiredStateSource {
  #o: ClusterSourceOptions;
  #kc: KubeConfig;
  #informers = new Map<string, Informer<ManagedObject>>();
  #namespaces: Informer<NamespaceObject>;
  #policies: Informer<ManagedObject>;
  #status: StatusWriter;
  #events: EventRecorder;
  #written = new Map<string, ManagedObject>();

  constructor(options: ClusterSourceOptions) {
    this.#o = options;
    this.#kc = shareConnections(options.kubeConfig ?? loadKubeConfig(options.kubeconfig));
    const informerOptions = {
      logger: options.log,
      ...(options.staleAfterMs ? { staleAfterMs: options.staleAfterMs } : {}),
    };
    for (const resource of options.resources) {
      this.#informers.set(resource.kind, new Informer<ManagedObject>(this.#kc, { resource, ...informerOptions }));
    }
    this.#namespaces = new Informer<NamespaceObject>(this.#kc, { resource: NAMESPACES, ...informerOptions });
    this.#policies = new Informer<ManagedObject>(this.#kc, { resource: POLICY_RESOURCE, ...informerOptions });
    this.#status = new StatusWriter(this.#kc);
    this.#events = new EventRecorder(this.#kc, { logger: options.log });
  }

  get kubeConfig(): KubeConfig {
    return this.#kc;
  }

  async start(notify: ChangeHandler): Promise<void> {
    await this.#checkServed();
    const onChange: ChangeHandler = (resource, key, change) => {
      if (this.#inScope(key.slice(0, key.indexOf("/")))) notify(resource, key, change);
    };
    for (const resource of this.#o.resources) {
      const informer = this.#informer(resource);
      informer.onAdd((o) => onChange(resource, objectKey(o), { deleted: false }));
      informer.onUpdate((before, after) => {
        if (isMeaningfulUpdate(before, after)) onChange(resource, objectKey(after), { deleted: false });
        else if (isReadinessChange(before, after)) {
          onChange(resource, objectKey(after), { deleted: false, readinessOnly: true });
        }
      });
      informer.onDelete((o) => {
        this.#written.delete(`${resource.kind}:${objectKey(o)}`);
        onChange(resource, objectKey(o), { deleted: true });
      });
      informer.start();
    }
    // A namespace's allowed-projects annotation changing re-checks everything in it.
    const namespaceChanged = (ns: NamespaceObject) => {
      for (const resource of this.#o.resources) {
        for (const o of this.list(resource)) {
          if (o.metadata?.namespace === ns.metadata?.name) onChange(resource, objectKey(o), { deleted: false });
        }
      }
    };
    this.#namespaces.onUpdate((before, after) => {
      const same = (a?: Record<string, string>, b?: Record<string, string>) =>
        JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
      // Labels too: ServiceConfigPolicy selects namespaces by label.
      if (
        !same(before.metadata?.annotations, after.metadata?.annotations) ||
        !same(before.metadata?.labels, after.metadata?.labels)
      ) {
        namespaceChanged(after);
      }
    });
    this.#namespaces.start();
    // A policy that changes re-judges at once every object in a namespace it selected or now selects.
    const policyChanged = (...versions: ManagedObject[]) => {
      for (const ns of this.#namespaces.list()) {
        const labels = ns.metadata?.labels ?? {};
        if (versions.some((p) => selects(selectorOf(p), labels))) namespaceChanged(ns);
      }
    };
    this.#policies.onAdd((p) => policyChanged(p));
    this.#policies.onUpdate((before, after) => {
      if (isMeaningfulUpdate(before, after)) policyChanged(before, after);
    });
    this.#policies.onDelete((p) => policyChanged(p));
    this.#policies.start();
    while (!this.hasSynced()) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#informers.values(), this.#namespaces, this.#policies].map((i) => i.stop()));
  }

  get(resource: ResourceType, namespace: string, name: string): ManagedObject | undefined {
    if (!this.#inScope(namespace)) return undefined;
    const cached = this.#informer(resource).get(namespace, name);
    const storeKey = `${resource.kind}:${namespace}/${name}`;
    const written = this.#written.get(storeKey);
    if (!cached || !written) return cached;
    if (newer(written, cached)) return written;
    this.#written.delete(storeKey);
    return cached;
  }

  list(resource: ResourceType): ManagedObject[] {
    // Called for every peer walk (budgets, dependents), so one pass, and the written-status check only
    // while a status write is still ahead of the watch.
    const written = this.#written.size > 0;
    const objects: ManagedObject[] = [];
    for (const o of this.#informer(resource).list()) {
      const { namespace = "", name = "" } = o.metadata ?? {};
      if (!this.#inScope(namespace)) continue;
      objects.push(written ? (this.get(resource, namespace, name) ?? o) : o);
    }
    return objects;
  }

  namespaceAnnotations(namespace: string): Record<string, string> | undefined {
    const object = this.#namespaces.get(undefined, namespace);
    return object ? (object.metadata?.annotations ?? {}) : undefined;
  }

  namespaceLabels(namespace: string): Record<string, string> | undefined {
    const object = this.#namespaces.get(undefined, namespace);
    return object ? (object.metadata?.labels ?? {}) : undefined;
  }

  policies(): ManagedObject[] {
    return this.#policies.list();
  }

  async writeStatus(
    resource: ResourceType,
    object: ManagedObject,
    status: Record<string, unknown>,
    beforeWrite?: () => void,
  ): Promise<boolean> {
    const { namespace = "", name = "" } = object.metadata ?? {};
    const result = await this.#status.write(
      { group: resource.group, version: resource.version, plural: resource.plural, namespace, name },
      status,
      object,
      beforeWrite ? { beforeWrite } : {},
    );
    if (result.outcome === "written" && result.object) {
      const written = shareUnchangedSpec(object, pruneObject(result.object));
      this.#written.set(`${resource.kind}:${namespace}/${name}`, written);
    }
    return result.outcome === "written";
  }

  async recordEvent(
    object: ManagedObject,
    type: EventType,
    reason: string,
    note: string,
    beforeWrite?: () => void,
  ): Promise<void> {
    const { namespace, name = "", uid } = object.metadata ?? {};
    await this.#events.record(
      {
        regarding: {
          apiVersion: object.apiVersion ?? "",
          kind: object.kind ?? "",
          name,
          ...(namespace ? { namespace } : {}),
          ...(uid ? { uid } : {}),
        },
        type,
        reason,
        action: "Reconcile",
        note,
      },
      beforeWrite ? { beforeWrite } : {},
    );
  }

  hasSynced(): boolean {
    return [...this.#informers.values(), this.#namespaces, this.#policies].every((i) => i.hasSynced());
  }

  isStale(): boolean {
    return [...this.#informers.values(), this.#namespaces, this.#policies].some((i) => i.isStale());
  }

  /**
   * An informer retries a failing list forever, which is right for an API server that is briefly away
   * but leaves a missing CRD waiting silently: one list per kind first turns that into an error.
   */
  async #checkServed(): Promise<void> {
    for (const resource of this.#o.resources) {
      try {
        await getJson(this.#kc, collectionPath(resource), { limit: 1 }, PREFLIGHT_TIMEOUT_MS);
      } catch (err) {
        if (err instanceof KubeApiError && err.statusCode === 404) throw new CrdNotInstalledError(resource);
        this.#o.log.warn({ err, resource: resource.plural }, "cannot list yet; the watch keeps retrying");
      }
    }
  }

  #inScope(namespace: string): boolean {
    if (this.#o.owns && !this.#o.owns(namespace)) return false;
    return this.#o.namespaces === undefined || this.#o.namespaces.includes(namespace);
  }

  #informer(resource: ResourceType): Informer<ManagedObject> {
    const informer = this.#informers.get(resource.kind);
    if (!informer) throw new Error(`no informer for ${resource.kind}`);
    return informer;
  }
}

/** A silent API server must not hold up the watches, which retry on their own, for long. */
const PREFLIGHT_TIMEOUT_MS = 10_000;

/** The API server does not serve a managed kind: its CustomResourceDefinition is missing (or too old). */
export class CrdNotInstalledError extends Error {
  constructor(resource: ResourceType) {
    super(
      `CRD ${resource.plural}.${resource.group} is not installed (or does not serve ${resource.group}/${resource.version}): ` +
        "apply the CRDs first (kubectl apply -k deploy/crds)",
    );
    this.name = "CrdNotInstalledError";
  }
}

/** A policy's selector; a malformed one (the policy is then not in force) counts as selecting everything. */
function selectorOf(policy: ManagedObject): LabelSelector {
  const selector = (policy.spec as { namespaceSelector?: unknown } | undefined)?.namespaceSelector;
  if (typeof selector !== "object" || selector === null) return {};
  const { matchLabels, matchExpressions } = selector as LabelSelector;
  const wellFormed =
    (matchLabels === undefined || (typeof matchLabels === "object" && matchLabels !== null)) &&
    (matchExpressions === undefined || Array.isArray(matchExpressions));
  return wellFormed ? selector : {};
}

function loadKubeConfig(file: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (file) kc.loadFromFile(file);
    else kc.loadFromDefault();
  } catch (err) {
    // A kubeconfig holds tokens and keys; the parser's own message would quote the file.
    const path = file ?? process.env.KUBECONFIG ?? "~/.kube/config";
    throw new CredentialsFileError("kubeconfig", path, describeCredentialsProblem(err));
  }
  return kc;
}

/** resourceVersions are opaque, but etcd's are increasing integers; anything else counts as not newer. */
function newer(a: ManagedObject, b: ManagedObject): boolean {
  const ra = Number(a.metadata?.resourceVersion);
  const rb = Number(b.metadata?.resourceVersion);
  return Number.isFinite(ra) && Number.isFinite(rb) && ra > rb;
}
