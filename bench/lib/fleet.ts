// The scale benchmark's fleet: services spread over several consumer projects (Google allows at most 1,000
// Cloud Run services per project and region, so a large fleet is many projects), each declaring a database
// profile on its project's Cloud SQL instance, some reaching it through a VPC Access connector.

import { REGION } from "./workload.ts";

export interface FleetMember {
  name: string;
  project: string;
  /** The VpcConnectorConfig this service's connectorRef names, if any. */
  connector?: string;
}

export interface Fleet {
  services: FleetMember[];
  connectors: Array<{ name: string; project: string }>;
}

export const fleetProject = (index: number) => `bench-p${String(index).padStart(2, "0")}`;
export const fleetServiceName = (m: { project: string; name: string }) =>
  `projects/${m.project}/locations/${REGION}/services/${m.name}`;
export const fleetConnectorName = (c: { project: string; name: string }) =>
  `projects/${c.project}/locations/${REGION}/connectors/${c.name}`;

/** `count` services round-robin over `projects`; `connectors` connectors, each used by the services of its project. */
export function fleet(count: number, projects: number, connectors: number): Fleet {
  const width = String(count - 1).length;
  const conns = Array.from({ length: connectors }, (_, i) => ({
    name: `conn-${String(i).padStart(2, "0")}`,
    project: fleetProject(i % projects),
  }));
  const services = Array.from({ length: count }, (_, i): FleetMember => {
    const project = fleetProject(i % projects);
    const mine = conns.filter((c) => c.project === project);
    // Every other service of a project with connectors reaches its database through one of them.
    const connector = mine.length > 0 && i % 2 === 0 ? mine[Math.floor(i / projects) % mine.length] : undefined;
    return {
      name: `big-${String(i).padStart(width, "0")}`,
      project,
      ...(connector ? { connector: connector.name } : {}),
    };
  });
  return { services, connectors: conns };
}

/** Simulator seed: each service a little off its declared settings (so the first sync writes it); connectors READY. */
export function fleetSeed(f: Fleet): { services: object[]; connectors: object[] } {
  return {
    services: f.services.map((m) => ({
      name: fleetServiceName(m),
      template: {
        containers: [
          {
            name: "app",
            image: `us-docker.pkg.dev/${m.project}/app/${m.name}:v1`,
            env: [{ name: "UNMANAGED", value: "keep-me" }],
            resources: { limits: { cpu: "1000m", memory: "512Mi" } },
          },
        ],
        timeout: "300s",
        scaling: { maxInstanceCount: 10 },
      },
      labels: { owner: "ci" },
    })),
    connectors: f.connectors.map((c) => ({
      name: fleetConnectorName(c),
      machineType: "e2-micro",
      minInstances: 2,
      maxInstances: 3,
    })),
  };
}

/** A CloudRunServiceConfig spec with a database profile; all services of a project share its Cloud SQL instance. */
export function fleetServiceSpec(m: FleetMember, resyncInterval: string, peersPerInstance: number): object {
  return {
    service: { project: m.project, region: REGION, name: m.name },
    resyncInterval,
    requestTimeout: "600s",
    scaling: { maxInstances: 4 },
    resources: { cpu: "2", memory: "4Gi" },
    env: { ENVIRONMENT: "bench" },
    labels: { team: "platform" },
    ...(m.connector ? { vpcAccess: { connectorRef: { name: m.connector }, egress: "PRIVATE_RANGES_ONLY" } } : {}),
    database: {
      cloudSqlInstance: `${m.project}:${REGION}:db`,
      // Room for every peer: (5 + 5) × 4 instances = 40 connections each, with the 0.8 margin.
      maxConnections: Math.ceil((peersPerInstance * 40) / 0.8) + 100,
      safetyMargin: 0.8,
      timeouts: { initialization: "75s", connection: "35s", pool: "45s", tableSetup: "25s", healthCheck: "15s" },
      pool: { size: 5, maxOverflow: 5, recycle: "1h", prePing: true },
    },
  };
}

export function fleetConnectorSpec(c: { name: string; project: string }, resyncInterval: string): object {
  return {
    connector: { project: c.project, region: REGION, name: c.name },
    resyncInterval,
    machineType: "e2-micro",
    minInstances: 2,
    maxInstances: 3,
  };
}
