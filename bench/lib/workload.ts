// The benchmark's population: Cloud Run services seeded in the simulator a little off the declared
// settings (so the first sync writes every one), and the CloudRunServiceConfig spec that declares them.

export const PROJECT = "bench-project";
export const REGION = "us-central1";

/** The declared request timeout; drift and spec-change scenarios move it away from and back to this. */
export const DECLARED_TIMEOUT = "600s";

export function serviceNames(prefix: string, count: number): string[] {
  const width = String(count - 1).length;
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(width, "0")}`);
}

export function fullServiceName(name: string): string {
  return `projects/${PROJECT}/locations/${REGION}/services/${name}`;
}

/** A simulator seed document for `names`: one container each, timeout 300s, 1 CPU, 512Mi. */
export function serviceSeed(names: readonly string[]): { services: object[] } {
  return {
    services: names.map((name) => ({
      name: fullServiceName(name),
      template: {
        containers: [
          {
            name: "app",
            image: `us-docker.pkg.dev/${PROJECT}/app/${name}:v1`,
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

/** The spec of the CloudRunServiceConfig that manages service `name`. */
export function configSpec(name: string, resyncInterval: string): Record<string, unknown> {
  return {
    service: { project: PROJECT, region: REGION, name },
    resyncInterval,
    requestTimeout: DECLARED_TIMEOUT,
    scaling: { maxInstances: 4 },
    resources: { cpu: "2", memory: "4Gi" },
    env: { DB_POOL_SIZE: "10", DB_MAX_OVERFLOW: "15" },
    labels: { team: "platform" },
  };
}
