// The RBAC objects of deploy/base, applied for real and proven both ways: driftguard runs end to end on
// nothing but its ServiceAccount's token (informers, status, events, the leader Lease), and that token
// is refused everything else. The objects go into a namespace of their own, with the cluster-scoped
// names suffixed, so the shared API server stays clean.

import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  CoordinationV1Api,
  CustomObjectsApi,
  EventsV1Api,
  type EventsV1Event,
  type KubeConfig,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_VERSION, GROUP, VERSION } from "../../../src/api/common.ts";
import { startController, type RunningController } from "../../../src/controller/compose.ts";
import { cloudRunResource } from "../../../src/kinds/cloudrun/kind.ts";
import { connectorResource } from "../../../src/kinds/connector/resource.ts";
import type { ManagedObject } from "../../../src/kinds/kind.ts";
import { EventRecorder, REPORTING_CONTROLLER } from "../../../src/kube/events.ts";
import { LeaderElector } from "../../../src/kube/leader.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { ClusterSource } from "../../../src/sources/cluster.ts";
import { condition } from "../../support/controller.ts";
import { createNamespace, kubectl, testKubeConfig } from "../../support/kube.ts";
import { runCommand } from "../../../src/cli/run.ts";
import { ALLOWED_PROJECTS_ANNOTATION } from "../../../src/controller/tenancy.ts";
import { deploymentOf, render, toYaml } from "./manifests.ts";
import { isolate, RBAC_KINDS, serviceAccountKubeConfig } from "./service-account.ts";
import { loopbackConnection } from "../../../src/gcp/connection.ts";

const SERVICE = "projects/netra-staging/locations/us-central1/services/backend";
const log = createLogger({ level: process.env.DRIFTGUARD_TEST_LOG ?? "silent" });
const admin = testKubeConfig();

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("deploy/base RBAC", () => {
  const suffix = randomBytes(3).toString("hex");
  let home: string; // where the ServiceAccount, its Role and its Lease live
  let tenant: string; // where a team keeps its CloudRunServiceConfigs
  let unlisted: string; // a namespace nobody allowed any project
  let user: string;
  let kc: KubeConfig;

  beforeAll(async () => {
    home = await createNamespace("dg-rbac");
    tenant = await createNamespace("dg-rbac-tenant", { [ALLOWED_PROJECTS_ANNOTATION]: "netra-staging" });
    unlisted = await createNamespace("dg-rbac-unlisted");
    user = `system:serviceaccount:${home}:driftguard`;
    const objects = isolate(await render("base"), home, suffix);
    expect(objects.map((o) => o.kind).sort()).toEqual([...RBAC_KINDS].sort());
    const applied = await kubectl(["apply", "-f", "-"], { input: toYaml(objects) });
    expect(applied.code, applied.stderr).toBe(0);
    kc = await serviceAccountKubeConfig(home, "driftguard");
  });

  afterAll(async () => {
    await kubectl(["delete", "clusterrolebinding,clusterrole", `driftguard-${suffix}`, "--ignore-not-found"]);
  });

  describe("is enough for driftguard to work", () => {
    let sim: Simulator;
    let controller: RunningController | undefined;

    beforeAll(async () => {
      sim = await startSimulator({
        operationLatencyMs: 100,
        seed: {
          services: [
            {
              name: SERVICE,
              template: { containers: [{ name: "app", image: "us-docker.pkg.dev/app:v1" }], timeout: "300s" },
            },
          ],
        },
      });
    });
    afterAll(async () => {
      await controller?.stop(5_000);
      await sim.stop();
    });

    it("reconciles a CloudRunServiceConfig: informers, status and events", async () => {
      const source = new ClusterSource({
        resources: [cloudRunResource, connectorResource],
        log,
        kubeConfig: kc,
        namespaces: [tenant, unlisted],
      });
      // The tenancy default exactly as the shipped Deployment's args set it.
      const args = deploymentOf(await render("base")).template.spec.containers[0]?.args ?? [];
      const run = runCommand().exitOverride();
      expect(run.parseOptions(args.slice(1)).unknown).toEqual([]);
      const { requireProjectAllowlist } = run.opts<{ requireProjectAllowlist: boolean }>();
      expect(requireProjectAllowlist).toBe(true);
      controller = await startController(
        {
          gcp: loopbackConnection(sim),
          qps: 100,
          workers: 2,
          requireProjectAllowlist,
          operationPollMs: 200,
        },
        source,
        log,
      );
      const custom = admin.makeApiClient(CustomObjectsApi);
      const target = { group: GROUP, version: VERSION, namespace: tenant, plural: cloudRunResource.plural };
      await custom.createNamespacedCustomObject({
        ...target,
        body: {
          apiVersion: API_VERSION,
          kind: "CloudRunServiceConfig",
          metadata: { name: "backend" },
          spec: {
            service: { project: "netra-staging", region: "us-central1", name: "backend" },
            requestTimeout: "600s",
          },
        },
      });

      const ready = await waitUntil("backend to be Ready", async () => {
        const o = (await custom.getNamespacedCustomObject({ ...target, name: "backend" })) as ManagedObject;
        return condition(o, "Ready")?.status === "True" ? o : undefined;
      });
      expect(condition(ready, "Synced")?.status).toBe("True");
      expect((sim.control.getService(SERVICE) as { template: { timeout: string } }).template.timeout).toBe("600s");
      const events = await admin.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: tenant });
      expect(events.items.filter((e) => e.reportingController === REPORTING_CONTROLLER).length).toBeGreaterThan(0);

      // Closed by default: a namespace without the annotation may target no project at all.
      const elsewhere = { ...target, namespace: unlisted };
      await custom.createNamespacedCustomObject({
        ...elsewhere,
        body: {
          apiVersion: API_VERSION,
          kind: "CloudRunServiceConfig",
          metadata: { name: "backend" },
          spec: {
            service: { project: "netra-staging", region: "us-central1", name: "backend" },
            requestTimeout: "30s",
          },
        },
      });
      const denied = await waitUntil("the unlisted namespace's config to be denied", async () => {
        const o = (await custom.getNamespacedCustomObject({ ...elsewhere, name: "backend" })) as ManagedObject;
        return condition(o, "Ready")?.reason === "ProjectNotAllowed" ? o : undefined;
      });
      expect(condition(denied, "Ready")?.message).toContain(
        `Namespace ${unlisted} has no ${ALLOWED_PROJECTS_ANNOTATION}`,
      );
      expect((sim.control.getService(SERVICE) as { template: { timeout: string } }).template.timeout).toBe("600s");
    });

    it("bumps an Event series with a PATCH", async () => {
      const recorder = new EventRecorder(kc, { reportingInstance: "rbac-test", logger: log });
      const regarding = { apiVersion: API_VERSION, kind: "CloudRunServiceConfig", namespace: tenant, name: "series" };
      await recorder.normal(regarding, "RbacCheck", "Check", "recorded twice");
      await recorder.normal(regarding, "RbacCheck", "Check", "recorded twice");
      const events: EventsV1Event[] = (
        await admin.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: tenant })
      ).items.filter((e) => e.reason === "RbacCheck");
      expect(events).toHaveLength(1);
      expect(events[0]?.series?.count).toBe(2);
    });

    it("acquires, renews and releases the leader Lease in its own namespace", async () => {
      const elector = new LeaderElector({
        kubeConfig: kc,
        namespace: home,
        name: "driftguard",
        identity: "driftguard-0",
        leaseDurationMs: 3_000,
        renewDeadlineMs: 2_000,
        retryPeriodMs: 200,
        log,
      });
      const leases = admin.makeApiClient(CoordinationV1Api);
      elector.start();
      try {
        await waitUntil("leadership", () => Promise.resolve(elector.isLeader() ? true : undefined));
        const first = await leases.readNamespacedLease({ name: "driftguard", namespace: home });
        expect(first.spec?.holderIdentity).toBe("driftguard-0");
        await waitUntil("a renewal", async () => {
          const lease = await leases.readNamespacedLease({ name: "driftguard", namespace: home });
          return lease.metadata?.resourceVersion !== first.metadata?.resourceVersion ? lease : undefined;
        });
        expect(elector.isLeader()).toBe(true);
      } finally {
        await elector.stop();
      }
      const released = await leases.readNamespacedLease({ name: "driftguard", namespace: home });
      expect(released.spec?.holderIdentity).toBe("");
    });
  });

  describe("is refused everything else", () => {
    async function canI(args: string[]): Promise<string> {
      const result = await kubectl(["auth", "can-i", ...args, `--as=${user}`]);
      return result.stdout.trim();
    }

    const args = (line: string) => line.replace("TENANT", tenant).replace("HOME", home).split(" ");

    it.each([
      "list cloudrunserviceconfigs.driftguard.dev --all-namespaces",
      "watch vpcconnectorconfigs.driftguard.dev --all-namespaces",
      "update cloudrunserviceconfigs.driftguard.dev/x --subresource=status -n TENANT",
      "create events.events.k8s.io -n TENANT",
      "patch events.events.k8s.io -n TENANT",
      "watch namespaces",
      "watch serviceconfigpolicies.driftguard.dev",
      "update serviceconfigpolicies.driftguard.dev/x --subresource=status",
      "create leases.coordination.k8s.io -n HOME",
      "update leases.coordination.k8s.io/driftguard -n HOME",
    ])("may %s", async (line) => {
      expect(await canI(args(line))).toBe("yes");
    });

    it.each([
      "get secrets -n HOME",
      "list secrets --all-namespaces",
      "get pods -n TENANT",
      "list pods --all-namespaces",
      "update cloudrunserviceconfigs.driftguard.dev/x -n TENANT",
      "patch vpcconnectorconfigs.driftguard.dev/x -n TENANT",
      "delete cloudrunserviceconfigs.driftguard.dev/x -n TENANT",
      "create cloudrunserviceconfigs.driftguard.dev -n TENANT",
      "update serviceconfigpolicies.driftguard.dev/x",
      "delete serviceconfigpolicies.driftguard.dev/x",
      "create events -n TENANT",
      "delete events.events.k8s.io/x -n TENANT",
      "update leases.coordination.k8s.io/driftguard -n TENANT",
      "update leases.coordination.k8s.io/kube-scheduler -n HOME",
      "delete leases.coordination.k8s.io/driftguard -n HOME",
      "update namespaces/x",
      "get customresourcedefinitions.apiextensions.k8s.io",
    ])("may not %s", async (line) => {
      expect(await canI(args(line))).toBe("no");
    });
  });
});
