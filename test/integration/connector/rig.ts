// A rig for connector tests: the simulator, the shared test kube-apiserver (cluster source, status
// subresource, events) and driftguard started through the production wiring (compose.ts), with a
// leader elector on a Lease in the test's namespace, so the leader gate guards every write here too.
//
// Monitoring aligns on whole minutes (60s at least), which would make every test minutes long. The
// simulator therefore runs on a clock SPEED times faster than the wall clock, and so do the Monitoring
// queries; the controller itself (poll interval, stabilization window, cooldown) stays on wall time. One
// alignment period is then 60s / SPEED of wall time.

import { CustomObjectsApi, EventsV1Api } from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import { API_VERSION, GROUP, VERSION } from "../../../src/api/common.ts";
import type { ScaleAction } from "../../../src/autoscale/decide.ts";
import { startController, type RunningController } from "../../../src/controller/compose.ts";
import { loopbackConnection, type Transport } from "../../../src/gcp/connection.ts";
import { CallGuard } from "../../../src/gcp/guard.ts";
import { VpcAccessApi, type ConnectorResource } from "../../../src/gcp/vpcaccess.ts";
import type { ManagedObject } from "../../../src/kinds/kind.ts";
import { cloudRunResource } from "../../../src/kinds/cloudrun/kind.ts";
import { connectorResource } from "../../../src/kinds/connector/resource.ts";
import { LeaderElector } from "../../../src/kube/leader.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { ClusterSource } from "../../../src/sources/cluster.ts";
import { createNamespace, testKubeConfig } from "../../support/kube.ts";

export const SPEED = 60;
export const PROJECT = "demo-project";
export const REGION = "us-central1";

export interface SeedConnector {
  id: string;
  machineType: string;
  minInstances: number;
  maxInstances: number;
  loadMbps: number;
}

export class ConnectorRig {
  readonly sim: Simulator;
  readonly namespace: string;
  /** The test's own client for reading live connectors; the controller has its own. */
  readonly api: VpcAccessApi;
  readonly scaleEvents: Array<{ connector: string; action: ScaleAction }> = [];
  readonly utilization: Array<{ connector: string; signal: string; value: number }> = [];
  readonly #custom = testKubeConfig().makeApiClient(CustomObjectsApi);
  #controller: RunningController | undefined;

  private constructor(sim: Simulator, namespace: string, transport: Transport) {
    this.sim = sim;
    this.namespace = namespace;
    this.api = new VpcAccessApi(
      loopbackConnection(sim, transport),
      new CallGuard({ api: "vpcaccess", qps: 200, burst: 400 }),
    );
  }

  static async start(
    prefix: string,
    connectors: SeedConnector[],
    transport: Transport = "grpc",
  ): Promise<ConnectorRig> {
    const start = Date.now();
    const clock = () => start + (Date.now() - start) * SPEED;
    const sim = await startSimulator({
      now: clock,
      samplePeriodSeconds: 10,
      seed: {
        connectors: connectors.map(({ id, ...rest }) => ({ name: connectorName(id), network: "default", ...rest })),
      },
    });
    const namespace = await createNamespace(prefix);
    const rig = new ConnectorRig(sim, namespace, transport);
    await rig.#startController(clock, transport);
    return rig;
  }

  async #startController(clock: () => number, transport: Transport): Promise<void> {
    const log = createLogger({ level: process.env.DRIFTGUARD_TEST_LOG ?? "silent", base: { test: this.namespace } });
    const kubeConfig = testKubeConfig();
    const source = new ClusterSource({
      resources: [cloudRunResource, connectorResource],
      log,
      kubeConfig,
      namespaces: [this.namespace],
    });
    const leader = new LeaderElector({
      kubeConfig,
      namespace: this.namespace,
      name: "driftguard-connector-tests",
      identity: `${this.namespace}-replica`,
      log,
    });
    this.#controller = await startController(
      {
        gcp: loopbackConnection(this.sim, transport),
        qps: 200,
        workers: 2,
        requireProjectAllowlist: false,
        breakerHalfOpenAfterMs: 500,
        operationPollMs: 200,
      },
      source,
      log,
      {
        metricsClock: clock,
        connector: {
          onScaleEvent: (connector, action) => this.scaleEvents.push({ connector, action }),
          onUtilization: (connector, signal, value) => this.utilization.push({ connector, signal, value }),
        },
      },
      leader,
    );
    // Workers start once this replica holds the Lease.
    const deadline = Date.now() + 20_000;
    while (!this.#controller.reconciling() && Date.now() < deadline) await sleep(50);
    if (!this.#controller.reconciling()) throw new Error("the connector rig never became leader");
  }

  async stop(): Promise<void> {
    await this.#controller?.stop(5_000);
    await this.api.close();
    await this.sim.stop();
  }

  async create(name: string, spec: object): Promise<void> {
    await this.#custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.namespace,
      plural: connectorResource.plural,
      body: { apiVersion: API_VERSION, kind: connectorResource.kind, metadata: { name }, spec },
    });
  }

  /** Replaces the spec, as `kubectl apply` of an edited manifest would. */
  async replaceSpec(name: string, spec: object): Promise<void> {
    const current = await this.get(name);
    await this.#custom.replaceNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.namespace,
      plural: connectorResource.plural,
      name,
      body: { ...current, spec },
    });
  }

  async get(name: string): Promise<ManagedObject> {
    return (await this.#custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.namespace,
      plural: connectorResource.plural,
      name,
    })) as ManagedObject;
  }

  async waitFor(name: string, predicate: (o: ManagedObject) => boolean, timeoutMs = 20_000): Promise<ManagedObject> {
    const deadline = Date.now() + timeoutMs;
    let last: ManagedObject | undefined;
    while (Date.now() < deadline) {
      last = await this.get(name);
      if (predicate(last)) return last;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${this.namespace}/${name}; status: ${JSON.stringify(last?.status)}`);
  }

  async events(name: string): Promise<Array<{ reason: string; note: string; type: string }>> {
    const list = await testKubeConfig().makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: this.namespace });
    return list.items
      .filter((e) => e.regarding?.name === name)
      .map((e) => ({ reason: e.reason ?? "", note: e.note ?? "", type: e.type ?? "" }));
  }

  async live(id: string): Promise<ConnectorResource> {
    return await this.api.getConnector(connectorName(id));
  }

  patches(id: string): number {
    return this.sim.control.requests({ method: "PatchConnector", resource: connectorName(id) }).length;
  }

  /** Sets the offered load now (`mbps`) or ramps it over `seconds` of wall time. */
  async setLoad(id: string, load: { mbps: number } | { fromMbps: number; toMbps: number; seconds: number }) {
    const body = "mbps" in load ? load : { ramp: { ...load, seconds: load.seconds * SPEED } };
    const response = await fetch(
      `http://127.0.0.1:${this.sim.restPort}/control/v1/connectors/${connectorName(id)}:load`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      },
    );
    if (!response.ok) throw new Error(`setting load failed: ${response.status} ${await response.text()}`);
  }
}

export function connectorName(id: string): string {
  return `projects/${PROJECT}/locations/${REGION}/connectors/${id}`;
}

/** A VpcConnectorConfig spec with quick autoscaling for tests; `overrides` replace top-level fields. */
export function connectorSpec(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    connector: { project: PROJECT, region: REGION, name: id },
    managementPolicy: "Enforce",
    resyncInterval: "30s",
    machineType: "e2-micro",
    minInstances: 2,
    maxInstances: 3,
    // The simulator's Monitoring has no ingestion lag.
    autoscaling: {
      enabled: true,
      pollInterval: "1s",
      metricsDelay: "0s",
      stabilizationWindow: "3s",
      cooldown: "0s",
      maxStep: 2,
    },
    ...overrides,
  };
}

export function conditionOf(o: ManagedObject, type: string) {
  return (
    (o.status?.conditions ?? []) as Array<{ type: string; status: string; reason: string; message: string }>
  ).find((c) => c.type === type);
}

export function autoscalingOf(o: ManagedObject) {
  return (o.status?.autoscaling ?? {}) as {
    lastScaleTime?: string;
    raised?: Record<string, unknown>;
    lastDecision?: { action?: string; reason?: string; from?: Record<string, unknown>; to?: Record<string, unknown> };
  };
}
