// The managed kinds built from one GcpConnection: the Google clients each kind reads and writes
// through, behind the caller's call guards. The controller and `driftguard plan` both build their kinds
// here, so a plan reads live state exactly the way the controller does.

import { ServicesClient } from "@google-cloud/run";
import { clientOptions, type GcpConnection } from "../gcp/connection.ts";
import type { GoogleApi } from "../gcp/errors.ts";
import type { CallGuard } from "../gcp/guard.ts";
import { useStaticCloudRunDecoders } from "../gcp/long-running.ts";
import { ConnectorMetrics, type ConnectorMetricsOptions } from "../gcp/monitoring.ts";
import { VpcAccessApi } from "../gcp/vpcaccess.ts";
import { cloudRunResource, CloudRunKind } from "../kinds/cloudrun/kind.ts";
import type { AutoscalingHooks } from "../kinds/connector/autoscale.ts";
import { ConnectorKind } from "../kinds/connector/kind.ts";
import { connectorResource } from "../kinds/connector/resource.ts";
import type { CommonSpec, ManagedKind, ObjectLookup, ProjectReference, ResourceType } from "../kinds/kind.ts";
import { referencesNotAllowed } from "./tenancy.ts";

/** The custom resources the kinds manage, for sources that load them before any Google client exists. */
export const MANAGED_RESOURCES: readonly ResourceType[] = [cloudRunResource, connectorResource];

export interface ManagedKinds {
  kinds: Array<ManagedKind<CommonSpec>>;
  /** Closes the Google clients behind the kinds. */
  close(): Promise<void>;
}

/** What the kinds' peer indexes apply the tenancy guard with, exactly as the reconciler does. */
export interface PeerTenancy {
  source: ObjectLookup & { namespaceAnnotations(namespace: string): Record<string, string> | undefined };
  requireAllowlist: boolean;
}

export function createKinds(
  connection: GcpConnection,
  guards: Record<GoogleApi, CallGuard>,
  autoscaling: AutoscalingHooks = {},
  tenancy?: PeerTenancy,
  metricsOptions: ConnectorMetricsOptions = {},
): ManagedKinds {
  const services = useStaticCloudRunDecoders(new ServicesClient(clientOptions(connection)));
  const vpcAccess = new VpcAccessApi(connection, guards.vpcaccess);
  const metrics = new ConnectorMetrics(connection, guards.monitoring, metricsOptions);
  const peers = tenancy && {
    lookup: tenancy.source,
    peerAllowed: (namespace: string, references: ProjectReference[]) =>
      referencesNotAllowed(
        namespace,
        references,
        tenancy.source.namespaceAnnotations(namespace),
        tenancy.requireAllowlist,
      ) === undefined,
  };
  const kinds: Array<ManagedKind<CommonSpec>> = [
    new CloudRunKind(services, guards.run, peers),
    new ConnectorKind(vpcAccess, metrics, autoscaling),
  ];
  return {
    kinds,
    async close() {
      await Promise.all([services.close(), vpcAccess.close(), metrics.close()]);
    },
  };
}
