// The accept/reject table of cross-field rules. `driftguard validate` is tested against it on the real API server
// (test/integration/api/rejections.test.ts) and the CRDs' CEL rules are evaluated against it
// (test/unit/cel-rules.test.ts): the two must agree on every row.

export const service = { project: "netra-staging", region: "us-central1", name: "netra-backend-staging" };
export const connector = { project: "netra-staging", region: "us-central1", name: "staging-connector" };

export type Kind = "CloudRunServiceConfig" | "VpcConnectorConfig";

export interface RuleCase {
  name: string;
  kind: Kind;
  /** Fields merged over a minimal valid spec. */
  spec: Record<string, unknown>;
  /** What `driftguard validate` prints after "Kind/name: "; absent when the spec is valid. */
  rejection?: string;
  /** The rule is controller-only (see the README), so the CRD's CEL rules accept the spec. */
  controllerOnly?: true;
  /**
   * The controller reports a breach under its own reason (ConnectionBudgetExceeded), at admission rather than
   * in the spec parse; validate and the CRD still refuse the spec.
   */
  controllerReason?: "ConnectionBudgetExceeded";
}

export function manifest(kind: Kind, name: string, spec: Record<string, unknown>): Record<string, unknown> {
  const base = kind === "CloudRunServiceConfig" ? { service } : { connector };
  return { apiVersion: "driftguard.dev/v1alpha1", kind, metadata: { name }, spec: { ...base, ...spec } };
}

const database = (fields: Record<string, unknown>) => ({ database: fields });
const manyEnv = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`VAR_${i}`, "x"]));

export const RULE_CASES: RuleCase[] = [
  {
    name: "scaling min above max",
    kind: "CloudRunServiceConfig",
    spec: { scaling: { minInstances: 5, maxInstances: 3 } },
    rejection: "spec.scaling.minInstances: minInstances 5 exceeds maxInstances 3",
  },
  {
    name: "scaling min equal to max",
    kind: "CloudRunServiceConfig",
    spec: { scaling: { minInstances: 3, maxInstances: 3 } },
  },
  {
    name: "probe timeout above its period",
    kind: "CloudRunServiceConfig",
    spec: { startupProbe: { tcpSocket: {}, periodSeconds: 5, timeoutSeconds: 8 } },
    rejection: "spec.startupProbe.timeoutSeconds: timeoutSeconds 8 exceeds periodSeconds 5",
  },
  {
    name: "startup probe shorter than database initialization",
    kind: "CloudRunServiceConfig",
    spec: { startupProbe: { tcpSocket: {} }, ...database({ timeouts: { initialization: "75s" } }) },
    rejection:
      "spec.startupProbe: startup probe allows 0 + 3 × 10 = 30s but spec.database.timeouts.initialization is 75s",
  },
  {
    name: "startup probe exactly covering initialization written as 1m15s",
    kind: "CloudRunServiceConfig",
    spec: {
      startupProbe: { httpGet: {}, initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 7 },
      ...database({ timeouts: { initialization: "1m15s" } }),
    },
  },
  {
    name: "startup probe half a second short",
    kind: "CloudRunServiceConfig",
    spec: { startupProbe: { tcpSocket: {} }, ...database({ timeouts: { initialization: "30500ms" } }) },
    rejection:
      "spec.startupProbe: startup probe allows 0 + 3 × 10 = 30s but spec.database.timeouts.initialization is 30.5s",
  },
  {
    name: "pool timeout below connection timeout",
    kind: "CloudRunServiceConfig",
    spec: database({ timeouts: { connection: "35s", pool: "30s" } }),
    rejection: "spec.database.timeouts.pool: pool timeout 30s is shorter than connection timeout 35s",
  },
  {
    name: "pool timeout equal to connection timeout in other units",
    kind: "CloudRunServiceConfig",
    spec: database({ timeouts: { connection: "1m", pool: "60000ms" } }),
  },
  {
    name: "pool over the connection budget",
    kind: "CloudRunServiceConfig",
    spec: { scaling: { maxInstances: 10 }, ...database({ maxConnections: 100, pool: { size: 10, maxOverflow: 15 } }) },
    rejection: "spec.database.pool: (10 + 15) × 10 = 250 connections exceeds floor(100 × 0.8) = 80",
    controllerReason: "ConnectionBudgetExceeded",
  },
  {
    name: "pool exactly at the budget, margin 0.29",
    kind: "CloudRunServiceConfig",
    spec: {
      scaling: { maxInstances: 1 },
      ...database({ maxConnections: 100, safetyMargin: 0.29, pool: { size: 29 } }),
    },
  },
  {
    name: "pool one over the budget, margin 0.29",
    kind: "CloudRunServiceConfig",
    spec: {
      scaling: { maxInstances: 1 },
      ...database({ maxConnections: 100, safetyMargin: 0.29, pool: { size: 30 } }),
    },
    rejection: "spec.database.pool: (30 + 0) × 1 = 30 connections exceeds floor(100 × 0.29) = 29",
    controllerReason: "ConnectionBudgetExceeded",
  },
  {
    name: "connection budget without maxInstances",
    kind: "CloudRunServiceConfig",
    spec: database({ maxConnections: 100, pool: { size: 10 } }),
    rejection:
      "spec.scaling.maxInstances: is required when spec.database.maxConnections and spec.database.pool.size are set",
  },
  {
    name: "env repeats a database variable",
    kind: "CloudRunServiceConfig",
    spec: { env: { DB_POOL_TIMEOUT: "45" }, ...database({ timeouts: { pool: "45s" } }) },
    rejection:
      "spec.env.DB_POOL_TIMEOUT: DB_POOL_TIMEOUT is also set by spec.database.timeouts.pool; declare it in one place",
  },
  {
    name: "env repeats a renamed database variable",
    kind: "CloudRunServiceConfig",
    spec: { env: { POOL_SIZE: "5" }, ...database({ pool: { size: 5 }, envVarNames: { poolSize: "POOL_SIZE" } }) },
    rejection: "spec.env.POOL_SIZE: POOL_SIZE is also set by spec.database.pool.size; declare it in one place",
  },
  {
    name: "env beside a renamed database variable",
    kind: "CloudRunServiceConfig",
    spec: { env: { DB_POOL_SIZE: "5" }, ...database({ pool: { size: 5 }, envVarNames: { poolSize: "POOL_SIZE" } }) },
  },
  {
    name: "1000 env vars",
    kind: "CloudRunServiceConfig",
    spec: { env: manyEnv(1000) },
  },
  {
    name: "999 env vars and two database variables",
    kind: "CloudRunServiceConfig",
    spec: { env: manyEnv(999), ...database({ pool: { size: 2, prePing: false } }) },
    rejection:
      "spec.env: 1001 environment variables (spec.env and spec.database) exceed Cloud Run's 1000 per container",
  },
  {
    name: "8 vCPU with 2Gi",
    kind: "CloudRunServiceConfig",
    spec: { resources: { cpu: "8", memory: "2Gi" } },
    rejection: "spec.resources: cpu 8 needs at least 4Gi of memory, got 2Gi",
    controllerOnly: true,
  },
  {
    name: "1 vCPU with 8Gi",
    kind: "CloudRunServiceConfig",
    spec: { resources: { cpu: "1000m", memory: "8Gi" } },
    rejection: "spec.resources: memory 8Gi needs at least 2 vCPU, got cpu 1000m",
    controllerOnly: true,
  },
  {
    name: "connector min not below max",
    kind: "VpcConnectorConfig",
    spec: { minInstances: 4, maxInstances: 4 },
    rejection: "spec.minInstances: minInstances 4 must be less than maxInstances 4",
  },
  { name: "connector min below max", kind: "VpcConnectorConfig", spec: { minInstances: 2, maxInstances: 3 } },
  {
    name: "thresholds out of order",
    kind: "VpcConnectorConfig",
    spec: { autoscaling: { targetUtilization: 0.8 } },
    rejection: "spec.autoscaling.targetUtilization: targetUtilization 0.8 must be less than scaleUpThreshold 0.7",
  },
  {
    name: "scale-down threshold at the target",
    kind: "VpcConnectorConfig",
    spec: { autoscaling: { scaleDownThreshold: 0.6 } },
    rejection: "spec.autoscaling.scaleDownThreshold: scaleDownThreshold 0.6 must be less than targetUtilization 0.6",
  },
  {
    name: "ceiling below maxInstances",
    kind: "VpcConnectorConfig",
    spec: { maxInstances: 8, autoscaling: { ceiling: 5 } },
    rejection: "spec.autoscaling.ceiling: ceiling 5 is below spec.maxInstances 8",
  },
  {
    name: "ladder out of order",
    kind: "VpcConnectorConfig",
    spec: { autoscaling: { machineTypeLadder: ["e2-micro", "f1-micro"] } },
    rejection: "spec.autoscaling.machineTypeLadder[1]: f1-micro cannot follow e2-micro",
  },
  {
    name: "ladder repeating a type",
    kind: "VpcConnectorConfig",
    spec: { autoscaling: { machineTypeLadder: ["e2-micro", "e2-micro"] } },
    rejection: "spec.autoscaling.machineTypeLadder[1]: e2-micro cannot follow e2-micro",
  },
  {
    name: "ladder in order, starting at the machine type",
    kind: "VpcConnectorConfig",
    spec: { machineType: "e2-micro", autoscaling: { machineTypeLadder: ["e2-micro", "e2-standard-4"] } },
  },
  {
    name: "ladder without the machine type",
    kind: "VpcConnectorConfig",
    spec: { machineType: "f1-micro", autoscaling: { machineTypeLadder: ["e2-micro", "e2-standard-4"] } },
    rejection: "spec.autoscaling.machineTypeLadder: must include spec.machineType f1-micro",
  },
];
