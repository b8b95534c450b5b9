// The live state the field reports found in staging, derived from the manifests the demo manages: every
// declared service exists with its database timeouts regressed to 25s, pools at 20 + 30, the connector
// egress narrowed and default resources; every declared connector is an e2-micro at its declared size.

import type { ManagedObject } from "../kinds/kind.ts";

interface ServiceTarget {
  project: string;
  region: string;
  name: string;
}

const REGRESSED_ENV = [
  { name: "DB_INITIALIZATION_TIMEOUT", value: "25" },
  { name: "DB_CONNECTION_TIMEOUT", value: "25" },
  { name: "DB_POOL_TIMEOUT", value: "25" },
  { name: "DB_POOL_SIZE", value: "20" },
  { name: "DB_MAX_OVERFLOW", value: "30" },
  { name: "LOG_LEVEL", value: "info" },
];

/** Offered load each connector starts with, in Mbps. */
export const INITIAL_LOAD_MBPS = 150;

export interface StagingSeed {
  [key: string]: unknown;
  services: Array<{ name: string } & Record<string, unknown>>;
  connectors: Array<{ name: string } & Record<string, unknown>>;
}

export function regressedStagingSeed(objects: ManagedObject[]): StagingSeed {
  const services = objects
    .filter((o) => o.kind === "CloudRunServiceConfig")
    .map((o) => {
      const target = (o.spec as { service: ServiceTarget }).service;
      const name = `projects/${target.project}/locations/${target.region}/services/${target.name}`;
      return {
        name,
        labels: { "managed-by": "terraform" },
        template: {
          containers: [
            {
              name: "app",
              image: `us-docker.pkg.dev/${target.project}/apps/${target.name}:2025-09-15`,
              env: REGRESSED_ENV,
              resources: { limits: { cpu: "1000m", memory: "512Mi" } },
            },
          ],
          timeout: "300s",
          scaling: { maxInstanceCount: 10 },
          vpcAccess: {
            connector: `projects/${target.project}/locations/${target.region}/connectors/staging-connector`,
            egress: "PRIVATE_RANGES_ONLY",
          },
        },
      };
    });
  const connectors = objects
    .filter((o) => o.kind === "VpcConnectorConfig")
    .map((o) => {
      const spec = o.spec as { connector: ServiceTarget; minInstances: number; maxInstances: number };
      const c = spec.connector;
      return {
        name: `projects/${c.project}/locations/${c.region}/connectors/${c.name}`,
        machineType: "e2-micro",
        minInstances: spec.minInstances,
        maxInstances: spec.maxInstances,
        loadMbps: INITIAL_LOAD_MBPS,
      };
    });
  return { services, connectors };
}
