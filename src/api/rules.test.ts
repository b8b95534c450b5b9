import { describe, expect, it } from "vitest";
import { CloudRunServiceConfigSpec } from "./cloudrun.ts";
import { VpcConnectorConfigSpec } from "./connector.ts";
import { ownConnectionBudgetIssues } from "./rules-cloudrun.ts";
import { connectionBudget, connectionDemand } from "./rules.ts";
import { parseWithIssues } from "./validate.ts";

const service = { project: "netra-staging", region: "us-central1", name: "netra-backend-staging" };
const connector = { project: "netra-staging", region: "us-central1", name: "staging-connector" };

function cloudRunIssues(spec: Record<string, unknown>): string[] {
  const result = parseWithIssues(CloudRunServiceConfigSpec, { service, ...spec });
  return result.success ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

function connectorIssues(spec: Record<string, unknown>): string[] {
  const result = parseWithIssues(VpcConnectorConfigSpec, { connector, ...spec });
  return result.success ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

describe("CloudRunServiceConfig cross-field rules", () => {
  it("requires minInstances <= maxInstances", () => {
    expect(cloudRunIssues({ scaling: { minInstances: 5, maxInstances: 3 } })).toEqual([
      "scaling.minInstances: minInstances 5 exceeds maxInstances 3",
    ]);
    expect(cloudRunIssues({ scaling: { minInstances: 3, maxInstances: 3 } })).toEqual([]);
  });

  it("requires exactly one of connectorRef or connector", () => {
    const connectorName = "projects/netra-staging/locations/us-central1/connectors/staging-connector";
    expect(cloudRunIssues({ vpcAccess: { connectorRef: { name: "c" }, connector: connectorName } })).toEqual([
      "vpcAccess: set exactly one of connectorRef or connector (both are set)",
    ]);
    expect(cloudRunIssues({ vpcAccess: { egress: "ALL_TRAFFIC" } })).toEqual([
      "vpcAccess: set exactly one of connectorRef or connector (neither is set)",
    ]);
    expect(cloudRunIssues({ vpcAccess: { connector: connectorName } })).toEqual([]);
  });

  it("requires exactly one of httpGet or tcpSocket", () => {
    expect(cloudRunIssues({ startupProbe: { httpGet: { path: "/health" }, tcpSocket: {} } })).toEqual([
      "startupProbe: set exactly one of httpGet or tcpSocket (both are set)",
    ]);
    expect(cloudRunIssues({ startupProbe: { periodSeconds: 5 } })).toEqual([
      "startupProbe: set exactly one of httpGet or tcpSocket (neither is set)",
    ]);
  });

  it("requires timeoutSeconds <= periodSeconds", () => {
    expect(cloudRunIssues({ startupProbe: { tcpSocket: {}, periodSeconds: 5, timeoutSeconds: 8 } })).toEqual([
      "startupProbe.timeoutSeconds: timeoutSeconds 8 exceeds periodSeconds 5",
    ]);
  });

  it("requires the startup probe budget to cover the database initialization timeout", () => {
    expect(
      cloudRunIssues({ startupProbe: { tcpSocket: {} }, database: { timeouts: { initialization: "75s" } } }),
    ).toEqual([
      "startupProbe: startup probe allows 0 + 3 × 10 = 30s but spec.database.timeouts.initialization is 75s; " +
        "failureThreshold 8 at periodSeconds 10 would cover it",
    ]);
    expect(
      cloudRunIssues({
        startupProbe: { httpGet: {}, initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 7 },
        database: { timeouts: { initialization: "1m15s" } },
      }),
    ).toEqual([]);
  });

  it("requires the pool timeout to be at least the connection timeout", () => {
    expect(cloudRunIssues({ database: { timeouts: { connection: "35s", pool: "30s" } } })).toEqual([
      "database.timeouts.pool: pool timeout 30s is shorter than connection timeout 35s: " +
        "a request waiting for a pooled connection must outlast one connection attempt",
    ]);
    expect(cloudRunIssues({ database: { timeouts: { connection: "35s", pool: "35s" } } })).toEqual([]);
  });

  it("keeps (size + maxOverflow) × maxInstances within floor(maxConnections × safetyMargin), outside the schema", () => {
    const database = { maxConnections: 100, pool: { size: 10, maxOverflow: 15 } };
    const own = (spec: Record<string, unknown>) =>
      ownConnectionBudgetIssues(CloudRunServiceConfigSpec.parse({ service, ...spec })).map(
        (issue) => `${issue.path.join(".")}: ${issue.message}`,
      );
    // The controller reports it as ConnectionBudgetExceeded, like a shared instance: not an invalid spec.
    expect(cloudRunIssues({ scaling: { maxInstances: 10 }, database })).toEqual([]);
    expect(own({ scaling: { maxInstances: 10 }, database })).toEqual([
      "database.pool: (10 + 15) × 10 = 250 connections exceeds floor(100 × 0.8) = 80",
    ]);
    expect(own({ scaling: { maxInstances: 3 }, database })).toEqual([]);
    expect(own({ scaling: { maxInstances: 4 }, database: { ...database, safetyMargin: 1 } })).toEqual([]);
  });

  it("needs maxInstances to bound the connection demand", () => {
    expect(cloudRunIssues({ database: { maxConnections: 100, pool: { size: 10 } } })).toEqual([
      "scaling.maxInstances: is required when spec.database.maxConnections and spec.database.pool.size are set: " +
        "without it the service's connection demand is unbounded",
    ]);
  });

  it("rejects env vars that a database setting also writes", () => {
    expect(
      cloudRunIssues({ env: { DB_POOL_TIMEOUT: "45", OTHER: "x" }, database: { timeouts: { pool: "45s" } } }),
    ).toEqual([
      "env.DB_POOL_TIMEOUT: DB_POOL_TIMEOUT is also set by spec.database.timeouts.pool; declare it in one place",
    ]);
    // An overridden name frees the default one.
    expect(
      cloudRunIssues({
        env: { DB_POOL_TIMEOUT: "45" },
        database: { timeouts: { pool: "45s" }, envVarNames: { poolTimeout: "POOL_TIMEOUT" } },
      }),
    ).toEqual([]);
  });
});

describe("connection demand and budget", () => {
  it("computes (size + maxOverflow) × maxInstances", () => {
    const spec = CloudRunServiceConfigSpec.parse({
      service,
      scaling: { maxInstances: 4 },
      database: { pool: { size: 10, maxOverflow: 15 } },
    });
    expect(connectionDemand(spec)).toBe(100);
    expect(
      connectionDemand({
        scaling: { maxInstances: 4 },
        database: spec.database && { ...spec.database, pool: { size: 5 } },
      }),
    ).toBe(20);
    expect(connectionDemand({ scaling: undefined, database: spec.database })).toBeUndefined();
  });

  it("floors maxConnections × safetyMargin without float error", () => {
    expect(connectionBudget({ maxConnections: 100, safetyMargin: 0.8 })).toBe(80);
    expect(connectionBudget({ maxConnections: 100, safetyMargin: 0.29 })).toBe(29);
    expect(connectionBudget({ maxConnections: 99, safetyMargin: 0.5 })).toBe(49);
    expect(connectionBudget({ safetyMargin: 0.8 })).toBeUndefined();
  });
});

describe("VpcConnectorConfig cross-field rules", () => {
  it("requires minInstances < maxInstances", () => {
    expect(connectorIssues({ minInstances: 4, maxInstances: 4 })).toEqual([
      "minInstances: minInstances 4 must be less than maxInstances 4",
    ]);
    expect(connectorIssues({ minInstances: 2, maxInstances: 3 })).toEqual([]);
  });

  it("orders scaleDownThreshold < targetUtilization < scaleUpThreshold", () => {
    expect(connectorIssues({ autoscaling: { scaleDownThreshold: 0.65 } })).toEqual([
      "autoscaling.scaleDownThreshold: scaleDownThreshold 0.65 must be less than targetUtilization 0.6",
    ]);
    expect(connectorIssues({ autoscaling: { targetUtilization: 0.8 } })).toEqual([
      "autoscaling.targetUtilization: targetUtilization 0.8 must be less than scaleUpThreshold 0.7",
    ]);
  });

  it("keeps the ceiling at or above maxInstances", () => {
    expect(connectorIssues({ minInstances: 2, maxInstances: 8, autoscaling: { ceiling: 5 } })).toEqual([
      "autoscaling.ceiling: ceiling 5 is below spec.maxInstances 8",
    ]);
  });

  it("requires the machine type ladder in increasing size, including the current type", () => {
    expect(connectorIssues({ autoscaling: { machineTypeLadder: ["e2-standard-4", "e2-micro"] } })).toEqual([
      "autoscaling.machineTypeLadder[1]: e2-micro cannot follow e2-standard-4: " +
        "list machine types in increasing size (f1-micro < e2-micro < e2-standard-4)",
    ]);
    expect(connectorIssues({ machineType: "f1-micro", autoscaling: { machineTypeLadder: ["e2-micro"] } })).toEqual([
      "autoscaling.machineTypeLadder: must include spec.machineType f1-micro, the rung autoscaling starts from",
    ]);
    expect(
      connectorIssues({ machineType: "e2-micro", autoscaling: { machineTypeLadder: ["e2-micro", "e2-standard-4"] } }),
    ).toEqual([]);
  });
});
