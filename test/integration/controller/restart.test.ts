// The Kubernetes API server restarts under a running controller (an upgrade, a control-plane failover):
// driftguard's watches reconnect by themselves and it keeps reconciling, without being restarted. The
// shared test server cannot be restarted, so this file runs its own etcd + kube-apiserver.

import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_VERSION, GROUP, VERSION } from "../../../src/api/common.ts";
import { startController, type RunningController } from "../../../src/controller/compose.ts";
import type { ManagedObject } from "../../../src/kinds/kind.ts";
import { cloudRunResource } from "../../../src/kinds/cloudrun/kind.ts";
import { connectorResource } from "../../../src/kinds/connector/resource.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { ClusterSource } from "../../../src/sources/cluster.ts";
import { condition, serviceSeed } from "../../support/controller.ts";
import { Envtest } from "../../support/envtest.ts";
import { loopbackConnection } from "../../../src/gcp/connection.ts";

const PROJECT = "netra-staging";
const NAMESPACE = "restart";
const name = (service: string) => `projects/${PROJECT}/locations/us-central1/services/${service}`;
const spec = (service: string, requestTimeout = "600s") => ({
  service: { project: PROJECT, region: "us-central1", name: service },
  resyncInterval: "1s",
  requestTimeout,
});

describe("an API server restart under a running controller", () => {
  const envtest = new Envtest({ crdDirectory: fileURLToPath(new URL("../../../crds", import.meta.url)) });
  let sim: Simulator | undefined;
  let controller: RunningController | undefined;
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    await envtest.start();
    const kc = new KubeConfig();
    kc.loadFromFile(envtest.kubeconfigPath);
    custom = kc.makeApiClient(CustomObjectsApi);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
    sim = await startSimulator({ operationLatencyMs: 100, seed: serviceSeed(["before", "after"]) });
    const log = createLogger({ level: process.env.DRIFTGUARD_TEST_LOG ?? "silent", base: { test: "restart" } });
    // A short watchdog, as a production deployment would use, so a silently dead watch cannot hide.
    const source = new ClusterSource({
      resources: [cloudRunResource, connectorResource],
      log,
      kubeConfig: kc,
      staleAfterMs: 10_000,
    });
    controller = await startController(
      {
        gcp: loopbackConnection(sim),
        qps: 200,
        workers: 2,
        requireProjectAllowlist: false,
        operationPollMs: 200,
      },
      source,
      log,
    );
  }, 180_000);

  afterAll(async () => {
    // Each step runs even if an earlier one fails, so no process or port outlives the file.
    await controller?.stop(5_000).catch(() => undefined);
    await sim?.stop().catch(() => undefined);
    await envtest.stop();
  });

  const create = (service: string) =>
    custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NAMESPACE,
      plural: cloudRunResource.plural,
      body: {
        apiVersion: API_VERSION,
        kind: "CloudRunServiceConfig",
        metadata: { name: service },
        spec: spec(service),
      },
    });

  const waitReady = async (service: string, generation = 1, timeoutMs = 60_000): Promise<ManagedObject> => {
    const deadline = Date.now() + timeoutMs;
    let last: ManagedObject | undefined;
    while (Date.now() < deadline) {
      last = (await custom
        .getNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace: NAMESPACE,
          plural: cloudRunResource.plural,
          name: service,
        })
        .catch(() => undefined)) as ManagedObject | undefined;
      if (last && condition(last, "Ready")?.status === "True" && last.status?.observedGeneration === generation) {
        return last;
      }
      await sleep(200);
    }
    throw new Error(`timed out waiting for ${service}; status: ${JSON.stringify(last?.status)}`);
  };

  it("keeps reconciling new and changed objects once the API server is back", async () => {
    await create("before");
    await waitReady("before");
    expect(sim?.control.getService(name("before"))).toMatchObject({ template: { timeout: "600s" } });

    await envtest.stopApiServer();
    await sleep(4_000);
    await envtest.startApiServer();

    await create("after");
    await custom.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: NAMESPACE,
        plural: cloudRunResource.plural,
        name: "before",
        body: { spec: { requestTimeout: "900s" } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await waitReady("after");
    await waitReady("before", 2);
    expect(sim?.control.getService(name("after"))).toMatchObject({ template: { timeout: "600s" } });
    expect(sim?.control.getService(name("before"))).toMatchObject({ template: { timeout: "900s" } });
  });
});
