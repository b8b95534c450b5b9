// An end-to-end rig for controller tests: the simulator (real gRPC/REST servers), the shared test
// kube-apiserver, and driftguard itself started the way `driftguard run` starts it — cluster source,
// real Google clients, real work queues — in its own namespace.

import {
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { API_VERSION, GROUP, VERSION } from "../../src/api/common.ts";
import {
  startController,
  type ControllerConfig,
  type ControllerHooks,
  type RunningController,
} from "../../src/controller/compose.ts";
import { type GcpConnection, type Transport, loopbackConnection } from "../../src/gcp/connection.ts";
import type { ManagedObject, ResourceType } from "../../src/kinds/kind.ts";
import { cloudRunResource } from "../../src/kinds/cloudrun/kind.ts";
import { connectorResource } from "../../src/kinds/connector/resource.ts";
import { createLogger } from "../../src/observability/logger.ts";
import type { RequestLogEntry } from "../../src/sim/core/request-log.ts";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../src/sim/simulator.ts";
import { ClusterSource } from "../../src/sources/cluster.ts";
import { createNamespace, testKubeConfig } from "./kube.ts";

export interface RigOptions {
  transport?: Transport;
  /** Changes the simulator connection (e.g. drops the token for Application Default Credentials). */
  gcp?: (connection: GcpConnection) => GcpConnection;
  namespaceAnnotations?: Record<string, string>;
  sim?: SimulatorOptions;
  config?: Partial<ControllerConfig>;
  /** Observers of the running controller (breaker states, Google requests, metrics). */
  hooks?: ControllerHooks;
  /** Start the controller later (e.g. after creating objects), with rig.startController(). */
  deferController?: boolean;
  /** Further namespaces the controller manages besides the rig's own (other tenants). */
  namespaces?: string[];
}

export class Rig {
  readonly sim: Simulator;
  readonly namespace: string;
  readonly custom = testKubeConfig().makeApiClient(CustomObjectsApi);
  readonly log: Logger;
  controller: RunningController | undefined;
  /** Status writes that reached the API server, per object name. */
  readonly statusWrites = new Map<string, number>();
  #options: RigOptions;

  private constructor(sim: Simulator, namespace: string, options: RigOptions) {
    this.sim = sim;
    this.namespace = namespace;
    this.#options = options;
    this.log = createLogger({ level: process.env.DRIFTGUARD_TEST_LOG ?? "silent", base: { test: namespace } });
  }

  static async start(prefix: string, options: RigOptions = {}): Promise<Rig> {
    const sim = await startSimulator({ operationLatencyMs: 100, ...options.sim });
    const namespace = await createNamespace(prefix, options.namespaceAnnotations);
    const rig = new Rig(sim, namespace, options);
    if (!options.deferController) await rig.startController();
    return rig;
  }

  get gcp(): GcpConnection {
    const connection = loopbackConnection(this.sim, this.#options.transport ?? "grpc");
    return this.#options.gcp ? this.#options.gcp(connection) : connection;
  }

  async startController(): Promise<void> {
    const source = new CountingClusterSource(this.statusWrites, {
      resources: [cloudRunResource, connectorResource],
      log: this.log,
      kubeConfig: testKubeConfig(),
      // Other test files share the API server; each rig manages only its own namespace.
      namespaces: [this.namespace, ...(this.#options.namespaces ?? [])],
    });
    this.controller = await startController(
      {
        gcp: this.gcp,
        qps: 200,
        workers: 4,
        requireProjectAllowlist: false,
        operationPollMs: 200,
        ...this.#options.config,
      },
      source,
      this.log,
      this.#options.hooks,
    );
  }

  async stop(): Promise<void> {
    await this.controller?.stop(5_000);
    await this.sim.stop();
  }

  /** Stops the controller only (the simulator keeps its state), e.g. to start a fresh one as a restart would. */
  async stopController(): Promise<void> {
    await this.controller?.stop(5_000);
    this.controller = undefined;
  }

  async create(
    kind: "CloudRunServiceConfig" | "VpcConnectorConfig",
    name: string,
    spec: object,
    annotations: Record<string, string> = {},
    namespace = this.namespace,
  ) {
    const resource = resourceOf(kind);
    return (await this.custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: resource.plural,
      body: { apiVersion: API_VERSION, kind, metadata: { name, annotations }, spec },
    })) as ManagedObject;
  }

  async get(
    kind: "CloudRunServiceConfig" | "VpcConnectorConfig",
    name: string,
    namespace = this.namespace,
  ): Promise<ManagedObject> {
    return (await this.custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: resourceOf(kind).plural,
      name,
    })) as ManagedObject;
  }

  /** Merge-patches metadata/spec of a custom resource. */
  async patch(kind: "CloudRunServiceConfig" | "VpcConnectorConfig", name: string, patch: object): Promise<void> {
    await this.custom.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: this.namespace, plural: resourceOf(kind).plural, name, body: patch },
      mergePatch,
    );
  }

  async delete(kind: "CloudRunServiceConfig" | "VpcConnectorConfig", name: string): Promise<void> {
    await this.custom.deleteNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.namespace,
      plural: resourceOf(kind).plural,
      name,
    });
  }

  /** Polls the object until `predicate` holds; fails with the last status seen. */
  async waitFor(
    kind: "CloudRunServiceConfig" | "VpcConnectorConfig",
    name: string,
    predicate: (o: ManagedObject) => boolean,
    timeoutMs = 20_000,
    namespace = this.namespace,
  ): Promise<ManagedObject> {
    const deadline = Date.now() + timeoutMs;
    let last: ManagedObject | undefined;
    while (Date.now() < deadline) {
      last = await this.get(kind, name, namespace);
      if (predicate(last)) return last;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${kind} ${namespace}/${name}; status: ${JSON.stringify(last?.status)}`);
  }

  async events(name?: string): Promise<Array<{ reason?: string; note?: string; type?: string }>> {
    const list = await testKubeConfig().makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: this.namespace });
    return list.items.filter((e) => name === undefined || e.regarding?.name === name);
  }

  service(name: string): LiveService {
    return this.sim.control.getService(name) as unknown as LiveService;
  }

  /** Google calls the simulator logged for one method (e.g. "UpdateService") and resource. */
  calls(method: string, resource?: string): number {
    return this.sim.control.requests({ method, ...(resource ? { resource } : {}) }).length;
  }

  /** Every Google call the simulator logged that names `resource`, whatever the method. */
  callsAbout(resource: string): RequestLogEntry[] {
    return this.sim.control.requests({ resource });
  }

  /** Polls until `predicate` holds for the object's condition `type` (e.g. Ready with a reason). */
  async waitForCondition(
    kind: "CloudRunServiceConfig" | "VpcConnectorConfig",
    name: string,
    type: string,
    expected: { status?: string; reason?: string },
    timeoutMs = 20_000,
    namespace = this.namespace,
  ): Promise<ManagedObject> {
    return this.waitFor(
      kind,
      name,
      (o) => {
        const c = condition(o, type);
        return (
          c !== undefined &&
          (expected.status === undefined || c.status === expected.status) &&
          (expected.reason === undefined || c.reason === expected.reason)
        );
      },
      timeoutMs,
      namespace,
    );
  }

  /** Merge-patches the annotations of the rig's namespace (null removes one). */
  async annotateNamespace(annotations: Record<string, string | null>): Promise<void> {
    await testKubeConfig()
      .makeApiClient(CoreV1Api)
      .patchNamespace({ name: this.namespace, body: { metadata: { annotations } } }, mergePatch);
  }
}

/** The cluster source, counting the status writes it sends (a write that changes nothing is not sent). */
class CountingClusterSource extends ClusterSource {
  readonly #writes: Map<string, number>;

  constructor(writes: Map<string, number>, options: ConstructorParameters<typeof ClusterSource>[0]) {
    super(options);
    this.#writes = writes;
  }

  override async writeStatus(
    resource: ResourceType,
    object: ManagedObject,
    status: Record<string, unknown>,
    beforeWrite?: () => void,
  ) {
    const wrote = await super.writeStatus(resource, object, status, beforeWrite);
    const name = object.metadata?.name ?? "";
    if (wrote) this.#writes.set(name, (this.#writes.get(name) ?? 0) + 1);
    return wrote;
  }
}

/** A simulator seed of Cloud Run services with one container each, named `projects/P/locations/R/services/N`. */
export function serviceSeed(names: string[], project = "netra-staging", region = "us-central1") {
  return {
    services: names.map((name) => ({
      name: `projects/${project}/locations/${region}/services/${name}`,
      template: {
        containers: [
          {
            name: "app",
            image: `us-docker.pkg.dev/${project}/app/${name}:v1`,
            env: [{ name: "UNMANAGED", value: "keep-me" }],
            resources: { limits: { cpu: "1000m", memory: "512Mi" } },
          },
        ],
        timeout: "300s",
        scaling: { maxInstanceCount: 10 },
      },
      labels: { owner: "ci" },
    })),
  };
}

export interface LiveContainer {
  name?: string;
  image?: string;
  env?: Array<{ name: string; value?: string }>;
  resources?: { limits?: Record<string, string> };
  [field: string]: unknown;
}

/** A Cloud Run service as the simulator holds it (proto3 JSON), typed for the fields tests read. */
export interface LiveService {
  template: { containers: LiveContainer[]; timeout?: string; volumes?: unknown[]; [field: string]: unknown };
  labels?: Record<string, string>;
  [field: string]: unknown;
}

export function envOf(container: LiveContainer | undefined): Record<string, string | undefined> {
  return Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value]));
}

export function condition(o: KubernetesObject & { status?: Record<string, unknown> }, type: string) {
  return (
    (o.status?.conditions ?? []) as Array<{
      type: string;
      status: string;
      reason: string;
      message: string;
      lastTransitionTime?: string;
    }>
  ).find((c) => c.type === type);
}

function resourceOf(kind: string): ResourceType {
  return kind === "VpcConnectorConfig" ? connectorResource : cloudRunResource;
}

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
