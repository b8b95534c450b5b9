// The Kubernetes side of the benchmarks: a real kube-apiserver + etcd (Envtest) with the CRDs, namespaced
// CloudRunServiceConfigs created in parallel, spec patches, Lease reads, and a watch of every config that
// tells which are Ready and counts the writes made to them.

import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { fileURLToPath } from "node:url";
import { API_VERSION, GROUP, VERSION } from "../../src/api/common.ts";
import { cloudRunResource } from "../../src/kinds/cloudrun/kind.ts";
import type { ManagedObject, ResourceType } from "../../src/kinds/kind.ts";
import { Informer } from "../../src/kube/informer.ts";
import { Envtest } from "../../test/support/envtest.ts";
import { mapConcurrent } from "./stats.ts";
import { waitUntil } from "./processes.ts";
import { configSpec } from "./workload.ts";

const CRDS = fileURLToPath(new URL("../../crds", import.meta.url));
const PLURAL = cloudRunResource.plural;
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** Writes seen on configs since `since()` was called: spec changes (generation moved) and all others. */
export interface WriteCount {
  status: number;
  spec: number;
}

export class BenchCluster {
  readonly #envtest: Envtest;
  readonly #kc = new KubeConfig();
  readonly #custom: CustomObjectsApi;
  readonly #informer: Informer<ManagedObject>;
  readonly #writes = new Map<string, WriteCount>();

  private constructor(envtest: Envtest) {
    this.#envtest = envtest;
    this.#kc.loadFromFile(envtest.kubeconfigPath);
    this.#custom = this.#kc.makeApiClient(CustomObjectsApi);
    this.#informer = new Informer<ManagedObject>(this.#kc, { resource: cloudRunResource });
    this.#informer.onUpdate((before, after) => this.#countWrite(before, after));
  }

  static async start(): Promise<BenchCluster> {
    const envtest = new Envtest({ crdDirectory: CRDS });
    await envtest.start();
    const cluster = new BenchCluster(envtest);
    cluster.#informer.start();
    return cluster;
  }

  get kubeconfigPath(): string {
    return this.#envtest.kubeconfigPath;
  }

  async stop(): Promise<void> {
    await this.#informer.stop();
    await this.#envtest.stop();
  }

  async createNamespace(name: string): Promise<void> {
    await this.#kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  }

  /** One CloudRunServiceConfig per service name, `concurrency` creates in flight. */
  async createConfigs(namespace: string, names: readonly string[], resync: string, concurrency = 32): Promise<void> {
    await mapConcurrent(names, concurrency, (name) =>
      this.#custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
        body: {
          apiVersion: API_VERSION,
          kind: cloudRunResource.kind,
          metadata: { name },
          spec: configSpec(name, resync),
        },
      }),
    );
  }

  /** Objects of any managed kind with the given specs, `concurrency` creates in flight. */
  async createObjects(
    namespace: string,
    objects: ReadonlyArray<{ resource: ResourceType; name: string; spec: object }>,
    concurrency = 32,
  ): Promise<void> {
    await mapConcurrent(objects, concurrency, ({ resource, name, spec }) =>
      this.#custom.createNamespacedCustomObject({
        group: resource.group,
        version: resource.version,
        namespace,
        plural: resource.plural,
        body: { apiVersion: `${resource.group}/${resource.version}`, kind: resource.kind, metadata: { name }, spec },
      }),
    );
  }

  async patchSpec(namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
    await this.#custom.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { spec } },
      mergePatch,
    );
  }

  /** The Lease's holder and when it was last acquired, or undefined while it does not exist. */
  async leaseHolder(namespace: string, name: string): Promise<{ holder: string; acquired?: Date } | undefined> {
    try {
      const lease = await this.#kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace, name });
      const holder = lease.spec?.holderIdentity;
      if (!holder) return undefined;
      return { holder, ...(lease.spec?.acquireTime ? { acquired: new Date(lease.spec.acquireTime) } : {}) };
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  /** Configs in `namespace` whose Ready condition is True for their current generation. */
  readyCount(namespace: string): number {
    let ready = 0;
    for (const object of this.#informer.list()) {
      if (object.metadata?.namespace === namespace && isReady(object)) ready++;
    }
    return ready;
  }

  async waitAllReady(namespace: string, count: number, timeoutMs: number): Promise<void> {
    await waitUntil(
      `${count} Ready configs in ${namespace} (${this.readyCount(namespace)} so far)`,
      () => (this.readyCount(namespace) >= count ? true : undefined),
      timeoutMs,
      250,
    );
  }

  /** Starts counting writes to the configs of `namespace` afresh; the returned object keeps counting. */
  countWrites(namespace: string): WriteCount {
    const count = { status: 0, spec: 0 };
    this.#writes.set(namespace, count);
    return count;
  }

  #countWrite(before: ManagedObject, after: ManagedObject): void {
    const count = this.#writes.get(after.metadata?.namespace ?? "");
    if (!count || before.metadata?.resourceVersion === after.metadata?.resourceVersion) return;
    if (before.metadata?.generation === after.metadata?.generation) count.status++;
    else count.spec++;
  }
}

function isReady(object: ManagedObject): boolean {
  const conditions = (object.status?.conditions ?? []) as Array<{
    type?: string;
    status?: string;
    observedGeneration?: number;
  }>;
  const ready = conditions.find((c) => c.type === "Ready");
  return ready?.status === "True" && ready.observedGeneration === object.metadata?.generation;
}
