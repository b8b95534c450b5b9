// The VpcConnectorConfig resource as other kinds see it: a CloudRunServiceConfig's connectorRef waits
// until the referenced connector config exists and is Ready, then uses its full connector name.

import { GROUP, VERSION } from "../../api/common.ts";
import { vpcConnectorConfigKind } from "../../api/connector.ts";
import type { ObjectLookup, ResourceType } from "../kind.ts";

export const connectorResource: ResourceType = {
  group: GROUP,
  version: VERSION,
  plural: vpcConnectorConfigKind.plural,
  kind: vpcConnectorConfigKind.kind,
};

export interface ConnectorReadiness {
  ready: boolean;
  /** "projects/P/locations/R/connectors/N", when the config exists. */
  fullName?: string;
  message: string;
}

interface ConnectorTarget {
  connector?: { project?: string; region?: string; name?: string };
}

export function connectorFullName(target: { project: string; region: string; name: string }): string {
  return `projects/${target.project}/locations/${target.region}/connectors/${target.name}`;
}

export function connectorReadiness(lookup: ObjectLookup, namespace: string, name: string): ConnectorReadiness {
  const object = lookup.get(connectorResource, namespace, name);
  if (!object) {
    return { ready: false, message: `Waiting for VpcConnectorConfig ${namespace}/${name}, which does not exist yet` };
  }
  const target = (object.spec as ConnectorTarget | undefined)?.connector;
  const fullName =
    target?.project && target.region && target.name
      ? connectorFullName({ project: target.project, region: target.region, name: target.name })
      : undefined;
  const conditions = (object.status?.conditions ?? []) as Array<{ type: string; status: string; reason?: string }>;
  const ready = conditions.find((c) => c.type === "Ready");
  if (ready?.status !== "True" || !fullName) {
    const why = ready ? `Ready=${ready.status}${ready.reason ? ` (${ready.reason})` : ""}` : "not reconciled yet";
    return {
      ready: false,
      ...(fullName ? { fullName } : {}),
      message: `Waiting for VpcConnectorConfig ${namespace}/${name}: ${why}`,
    };
  }
  return { ready: true, fullName, message: `VpcConnectorConfig ${namespace}/${name} is Ready` };
}
