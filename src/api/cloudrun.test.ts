import { describe, expect, it } from "vitest";
import { CloudRunServiceConfig, CloudRunServiceConfigSpec } from "./cloudrun.ts";
import { parseWithIssues } from "./validate.ts";

function spec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { service: { project: "netra-staging", region: "us-central1", name: "netra-backend-staging" }, ...overrides };
}

/** Paths and messages of the issues `value` raises, as "path: message". */
function issues(value: unknown): string[] {
  const result = parseWithIssues(CloudRunServiceConfigSpec, value);
  return result.success ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

describe("CloudRunServiceConfigSpec", () => {
  it("fills in defaults", () => {
    const parsed = CloudRunServiceConfigSpec.parse(
      spec({ startupProbe: { tcpSocket: {} }, database: { maxConnections: 100 } }),
    );
    expect(parsed.managementPolicy).toBe("Enforce");
    expect(parsed.resyncInterval).toBe("60s");
    expect(parsed.startupProbe).toEqual({
      tcpSocket: {},
      initialDelaySeconds: 0,
      periodSeconds: 10,
      timeoutSeconds: 1,
      failureThreshold: 3,
    });
    expect(parsed.database?.safetyMargin).toBe(0.8);
    expect(parsed.database?.envVarNames.poolTimeout).toBe("DB_POOL_TIMEOUT");
    expect(parsed.database?.envVarNames.poolPrePing).toBe("DB_POOL_PRE_PING");
  });

  it("accepts quantities as strings or integers", () => {
    const pairs: [string | number, string | number][] = [
      ["4", "2Gi"],
      ["1000m", "512Mi"],
      ["0.5", "512Mi"],
      [2, "1Gi"],
      ["8", 4 * 2 ** 30],
    ];
    for (const [cpu, memory] of pairs) expect(issues(spec({ resources: { cpu, memory } }))).toEqual([]);
  });

  it("keeps overridden env var names", () => {
    const parsed = CloudRunServiceConfigSpec.parse(spec({ database: { envVarNames: { poolSize: "POOL_SIZE" } } }));
    expect(parsed.database?.envVarNames.poolSize).toBe("POOL_SIZE");
    expect(parsed.database?.envVarNames.maxOverflow).toBe("DB_MAX_OVERFLOW");
  });

  it.each([
    ["missing service", { service: undefined }, "service: required field is missing"],
    [
      "missing service name",
      { service: { project: "netra-staging", region: "us-central1" } },
      "service.name: required",
    ],
    [
      "bad project",
      { service: { project: "Netra", region: "us-central1", name: "a" } },
      "service.project: must be a Google Cloud project ID",
    ],
    [
      "bad region",
      { service: { project: "netra-staging", region: "central", name: "a" } },
      "service.region: must be a Google Cloud region",
    ],
    [
      "bad service name",
      { service: { project: "netra-staging", region: "us-central1", name: "Backend_1" } },
      "service.name: must be a Cloud Run service name",
    ],
    ["bad policy", { managementPolicy: "Manage" }, "managementPolicy: Invalid option"],
    ["malformed duration", { resyncInterval: "60 seconds" }, 'resyncInterval: must be a duration such as "75s"'],
    ["duration as number", { requestTimeout: 300 }, "requestTimeout: Invalid input: expected string, received number"],
    ["request timeout above 1h", { requestTimeout: "2h" }, "requestTimeout: must be at most 3600s, got 2h (7200s)"],
    ["resync below 1s", { resyncInterval: "500ms" }, "resyncInterval: must be at least 1s, got 500ms"],
    ["negative min instances", { scaling: { minInstances: -1 } }, "scaling.minInstances: Too small"],
    [
      "fractional max instances",
      { scaling: { maxInstances: 2.5 } },
      "scaling.maxInstances: Invalid input: expected int",
    ],
    ["bad cpu quantity", { resources: { cpu: "four" } }, 'resources.cpu: must be a Kubernetes quantity such as "4"'],
    ["fractional cpu number", { resources: { cpu: 0.5 } }, "resources.cpu: must be a Kubernetes quantity"],
    [
      "bad egress",
      { vpcAccess: { connectorRef: { name: "c" }, egress: "all-traffic" } },
      "vpcAccess.egress: Invalid option",
    ],
    [
      "bad connector name",
      { vpcAccess: { connector: "staging-connector" } },
      'vpcAccess.connector: must be "projects/PROJECT/locations/REGION/connectors/NAME"',
    ],
    [
      "probe period above 240",
      { startupProbe: { tcpSocket: {}, periodSeconds: 300 } },
      "startupProbe.periodSeconds: Too big",
    ],
    [
      "probe delay negative",
      { startupProbe: { tcpSocket: {}, initialDelaySeconds: -5 } },
      "startupProbe.initialDelaySeconds: Too small",
    ],
    [
      "probe failureThreshold 0",
      { startupProbe: { tcpSocket: {}, failureThreshold: 0 } },
      "startupProbe.failureThreshold: Too small",
    ],
    [
      "probe path without slash",
      { startupProbe: { httpGet: { path: "health" } } },
      'startupProbe.httpGet.path: must start with "/"',
    ],
    [
      "probe port out of range",
      { startupProbe: { tcpSocket: { port: 70000 } } },
      "startupProbe.tcpSocket.port: Too big",
    ],
    ["bad env name", { env: { "1BAD": "x" } }, 'env["1BAD"]: invalid key: must be a valid environment variable name'],
    [
      "non-string env value",
      { env: { PORT_COUNT: 3 } },
      "env.PORT_COUNT: Invalid input: expected string, received number",
    ],
    [
      "bad cloudSqlInstance",
      { database: { cloudSqlInstance: "netra-staging-db" } },
      'database.cloudSqlInstance: must be a Cloud SQL connection name "project:region:instance"',
    ],
    ["safetyMargin above 1", { database: { safetyMargin: 1.2 } }, "database.safetyMargin: Too big"],
    ["safetyMargin of 0", { database: { safetyMargin: 0 } }, "database.safetyMargin: Too small"],
    ["negative pool size", { database: { pool: { size: -1 } } }, "database.pool.size: Too small"],
    ["malformed db timeout", { database: { timeouts: { pool: "45" } } }, "database.timeouts.pool: must be a duration"],
    [
      "bad env var name override",
      { database: { envVarNames: { poolSize: "pool-size" } } },
      "database.envVarNames.poolSize: must be a valid environment variable name",
    ],
    ["unknown field", { databse: {} }, "databse: unknown field"],
    ["unknown nested field", { database: { timeout: {} } }, "database.timeout: unknown field"],
  ])("rejects %s", (_name, overrides, expected) => {
    const found = issues(spec(overrides));
    expect(
      found.some((issue) => issue.startsWith(expected)),
      `got ${JSON.stringify(found)}`,
    ).toBe(true);
  });
});

describe("CloudRunServiceConfig", () => {
  it("requires the group version, kind and a DNS name", () => {
    const result = parseWithIssues(CloudRunServiceConfig, {
      apiVersion: "driftguard.dev/v1",
      kind: "CloudRunServiceConfig",
      metadata: { name: "Bad_Name" },
      spec: spec(),
    });
    expect(result.success).toBe(false);
    const paths = result.success ? [] : result.issues.map((issue) => issue.path);
    expect(paths).toEqual(["apiVersion", "metadata.name"]);
  });
});
