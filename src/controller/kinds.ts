// The managed kinds built from one GcpConnection: the Google clients each kind reads and writes
// through, behind the caller's call guards. The controller and `driftguard plan` both build their kinds
// here, so a plan reads live state exactly the way the controller does.

import { ServicesClient } from "@google-cloud/run";
import { clientOptions, type GcpConnection } from "../gcp/connection.ts";
import type { GoogleApi } from "../gcp/errors.ts";
import type { CallGuard } from "../gcp/guard.ts";
import { ConnectorMetrics } from "../gcp/monitoring.ts";
import { VpcAccessApi } from "../gcp/vpcaccess.ts";
import { cloudRunResource, CloudRunKind } from "../kinds/cloudrun/kind.ts";
import type { AutoscalingHooks } from "../kinds/connector/autoscale.ts";
import { ConnectorKind } from "../kinds/connector/kind.ts";
import { connectorResource } from "../kinds/connector/resource.ts";
import type { CommonSpec, ManagedKind, ResourceType } from "../kinds/kind.ts";

/** The custom resources the kinds manage, for sources that load them before any Google client exists. */
export const MANAGED_RESOURCES: readonly ResourceType[] = [cloudRunResource, connectorResource];

export interface ManagedKinds {
  kinds: Array<ManagedKind<CommonSpec>>;
  /** Closes the Google clients behind the kinds. */
  close(): Promise<void>;
}

export function createKinds(
  connection: GcpConnection,
  guards: Record<GoogleApi, CallGuard>,
  autoscaling: AutoscalingHooks = {},
  /** The clock Cloud Monitoring query windows are computed on (tests run the simulator's clock faster). */
  metricsClock?: () => number,
): ManagedKinds {
  const services = new ServicesClient(clientOptions(connection));
  const vpcAccess = new VpcAccessApi(connection, guards.vpcaccess);
  const metrics = new ConnectorMetrics(connection, guards.monitoring, metricsClock ? { now: metricsClock } : {});
  const kinds: Array<ManagedKind<CommonSpec>> = [
    new CloudRunKind(services, guards.run),
    new ConnectorKind(vpcAccess, metrics, autoscaling),
  ];
  return {
    kinds,
    async close() {
      await Promise.all([services.close(), vpcAccess.close(), metrics.close()]);
    },
  };
}
