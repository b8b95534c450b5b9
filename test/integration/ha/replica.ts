// One driftguard replica in-process, the way `driftguard run` assembles it: its own ClusterSource (scoped to
// the test namespace), its own leader elector with a distinct identity, and hooks that count what this
// replica alone did, so a test can tell which replica acted.

import { CoordinationV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { startController, type RunningController } from "../../../src/controller/compose.ts";
import { cloudRunResource } from "../../../src/kinds/cloudrun/kind.ts";
import { connectorResource } from "../../../src/kinds/connector/resource.ts";
import { LeaderElector } from "../../../src/kube/leader.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import type { Simulator } from "../../../src/sim/simulator.ts";
import { ClusterSource } from "../../../src/sources/cluster.ts";
import { testKubeConfig } from "../../support/kube.ts";
import { loopbackConnection } from "../../../src/gcp/connection.ts";

/** Short timings so takeovers happen within seconds: lease 3s, renew deadline 2s, retry 0.5s. */
export const TIMINGS = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };
export const LEASE = "driftguard";

export interface Replica {
  identity: string;
  elector: LeaderElector;
  controller: RunningController;
  /** Google calls and reconciles this replica made. */
  googleCalls: number;
  reconciles: number;
}

export async function startReplica(
  identity: string,
  namespace: string,
  sim: Simulator,
  /** Where the lease lives, when not on the shared API server in `namespace`. */
  options: { leaseKubeConfig?: KubeConfig; leaseNamespace?: string } = {},
): Promise<Replica> {
  const log: Logger = createLogger({
    level: process.env.DRIFTGUARD_TEST_LOG ?? "silent",
    base: { test: namespace, replica: identity },
  });
  const source = new ClusterSource({
    resources: [cloudRunResource, connectorResource],
    log,
    kubeConfig: testKubeConfig(),
    namespaces: [namespace],
  });
  const elector = new LeaderElector({
    kubeConfig: options.leaseKubeConfig ?? testKubeConfig(),
    namespace: options.leaseNamespace ?? namespace,
    name: LEASE,
    identity,
    log,
    ...TIMINGS,
  });
  const replica = { identity, elector, googleCalls: 0, reconciles: 0 } as Replica;
  replica.controller = await startController(
    {
      gcp: loopbackConnection(sim),
      qps: 200,
      workers: 2,
      requireProjectAllowlist: false,
      operationPollMs: 200,
    },
    source,
    log,
    {
      onGoogleRequest: () => void replica.googleCalls++,
      metrics: { reconciled: () => void replica.reconciles++ },
    },
    elector,
  );
  return replica;
}

export async function readLease(namespace: string, kc: KubeConfig = testKubeConfig()) {
  return kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: LEASE, namespace });
}
