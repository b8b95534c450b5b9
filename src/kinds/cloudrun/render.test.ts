import { describe, expect, it } from "vitest";
import { CloudRunServiceConfigSpec } from "../../api/cloudrun.ts";
import { DatabaseSpec } from "../../api/database.ts";
import { ConfigError, type DesiredService } from "./fields.ts";
import { databaseEnvironment, renderDesired } from "./render.ts";

const SERVICE = { project: "netra-staging", region: "us-central1", name: "backend" };
const CONNECTOR = "projects/netra-staging/locations/us-central1/connectors/staging-connector";
const spec = (fields: Record<string, unknown>) => CloudRunServiceConfigSpec.parse({ service: SERVICE, ...fields });
/** [path, source, value] rows: what a reader of the rendered list needs to see. */
const rows = (desired: DesiredService) => desired.fields.map((field) => [field.path, field.source, field.value]);

describe("renderDesired", () => {
  it("owns nothing when the spec declares nothing", () => {
    expect(renderDesired(spec({}))).toEqual({ fields: [] });
  });

  it("renders every declared field in a fixed order, naming where each comes from", () => {
    const desired = renderDesired(
      spec({
        container: "backend",
        requestTimeout: "10m",
        scaling: { minInstances: 1, maxInstances: 5 },
        resources: { cpu: "1000m", memory: "4Gi" },
        vpcAccess: { connector: CONNECTOR, egress: "ALL_TRAFFIC" },
        startupProbe: { httpGet: { path: "/health", port: 8080 }, periodSeconds: 10, failureThreshold: 9 },
        env: { LOG_LEVEL: "info", APP_MODE: "staging" },
        labels: { team: "core", env: "staging" },
        annotations: { "example.com/owner": "payments" },
        database: {
          cloudSqlInstance: "netra-staging:us-central1:db",
          timeouts: { initialization: "75s", connection: "25s", pool: "30s" },
          pool: { size: 10, maxOverflow: 15, recycle: "1h", prePing: true },
        },
      }),
    );
    expect(desired.container).toBe("backend");
    const c = "template.containers[backend]";
    expect(rows(desired)).toEqual([
      ["template.timeout", "requestTimeout", "600s"],
      ["template.scaling.minInstanceCount", "scaling.minInstances", "1"],
      ["template.scaling.maxInstanceCount", "scaling.maxInstances", "5"],
      ["template.vpcAccess.connector", "vpcAccess.connector", CONNECTOR],
      ["template.vpcAccess.egress", "vpcAccess.egress", "ALL_TRAFFIC"],
      [
        "template.volumes[cloudsql].cloudSqlInstance.instances",
        "database.cloudSqlInstance",
        "netra-staging:us-central1:db",
      ],
      [`${c}.resources.limits.cpu`, "resources.cpu", "1000m"],
      [`${c}.resources.limits.memory`, "resources.memory", "4Gi"],
      [`${c}.startupProbe.type`, "startupProbe.httpGet", "httpGet"],
      [`${c}.startupProbe.httpGet.path`, "startupProbe.httpGet.path", "/health"],
      [`${c}.startupProbe.httpGet.port`, "startupProbe.httpGet.port", "8080"],
      [`${c}.startupProbe.initialDelaySeconds`, "startupProbe.initialDelaySeconds", "0"],
      [`${c}.startupProbe.timeoutSeconds`, "startupProbe.timeoutSeconds", "1"],
      [`${c}.startupProbe.periodSeconds`, "startupProbe.periodSeconds", "10"],
      [`${c}.startupProbe.failureThreshold`, "startupProbe.failureThreshold", "9"],
      [`${c}.volumeMounts[cloudsql].mountPath`, "database.cloudSqlInstance", "/cloudsql"],
      [`${c}.env.APP_MODE`, "env.APP_MODE", "staging"],
      [`${c}.env.DB_CONNECTION_TIMEOUT`, "database.timeouts.connection", "25"],
      [`${c}.env.DB_INITIALIZATION_TIMEOUT`, "database.timeouts.initialization", "75"],
      [`${c}.env.DB_MAX_OVERFLOW`, "database.pool.maxOverflow", "15"],
      [`${c}.env.DB_POOL_PRE_PING`, "database.pool.prePing", "true"],
      [`${c}.env.DB_POOL_RECYCLE`, "database.pool.recycle", "3600"],
      [`${c}.env.DB_POOL_SIZE`, "database.pool.size", "10"],
      [`${c}.env.DB_POOL_TIMEOUT`, "database.timeouts.pool", "30"],
      [`${c}.env.LOG_LEVEL`, "env.LOG_LEVEL", "info"],
      ["labels.env", "labels.env", "staging"],
      ["labels.team", "labels.team", "core"],
      ["annotations.example.com/owner", "annotations.example.com/owner", "payments"],
    ]);
  });

  it("targets the first container when none is named", () => {
    const desired = renderDesired(spec({ env: { A: "1" } }));
    expect(desired).toEqual({
      fields: [
        {
          path: "template.containers[0].env.A",
          source: "env.A",
          target: { scope: "env", name: "A" },
          value: "1",
        },
      ],
    });
  });

  it.each([
    ["5m", "300s"],
    ["3600s", "3600s"],
    ["1m30s", "90s"],
    ["1500ms", "1.5s"],
  ])("renders requestTimeout %s as %s", (timeout, expected) => {
    expect(rows(renderDesired(spec({ requestTimeout: timeout })))).toEqual([
      ["template.timeout", "requestTimeout", expected],
    ]);
  });

  it("renders quantities declared as integers", () => {
    expect(rows(renderDesired(spec({ resources: { cpu: 2 } })))).toEqual([
      ["template.containers[0].resources.limits.cpu", "resources.cpu", "2"],
    ]);
  });

  it("renders a TCP startup probe with the schema's defaults", () => {
    const desired = renderDesired(spec({ startupProbe: { tcpSocket: { port: 3000 } } }));
    expect(rows(desired).map(([path, , value]) => [path, value])).toEqual([
      ["template.containers[0].startupProbe.type", "tcpSocket"],
      ["template.containers[0].startupProbe.tcpSocket.port", "3000"],
      ["template.containers[0].startupProbe.initialDelaySeconds", "0"],
      ["template.containers[0].startupProbe.timeoutSeconds", "1"],
      ["template.containers[0].startupProbe.periodSeconds", "10"],
      ["template.containers[0].startupProbe.failureThreshold", "3"],
    ]);
  });

  it.each([
    ["staging-connector", CONNECTOR],
    ["projects/other-proj/locations/us-east1/connectors/c", "projects/other-proj/locations/us-east1/connectors/c"],
  ])("resolves connectorRef to the connector %s", (connectorName, expected) => {
    const desired = renderDesired(spec({ vpcAccess: { connectorRef: { name: "staging" } } }), { connectorName });
    expect(rows(desired)).toEqual([["template.vpcAccess.connector", "vpcAccess.connectorRef", expected]]);
  });

  it("refuses a connectorRef that was not resolved", () => {
    const render = () => renderDesired(spec({ vpcAccess: { connectorRef: { name: "staging" } } }));
    expect(render).toThrow(ConfigError);
    expect(render).toThrow(
      "spec.vpcAccess.connectorRef: VpcConnectorConfig staging has not been resolved to a connector",
    );
  });

  it("renders translated v1 annotations as v2 fields and keeps only user annotations", () => {
    const desired = renderDesired(
      spec({
        annotations: {
          "run.googleapis.com/vpc-access-connector": "staging-connector",
          "run.googleapis.com/vpc-access-egress": "private-ranges-only",
          "run.googleapis.com/cloudsql-instances": "db",
          "autoscaling.knative.dev/minScale": "1",
          "autoscaling.knative.dev/maxScale": "4",
          "run.googleapis.com/cpu-throttling": "false",
          "run.googleapis.com/startup-cpu-boost": "true",
          "example.com/owner": "payments",
        },
      }),
    );
    const a = (key: string) => `annotations["${key}"]`;
    expect(rows(desired)).toEqual([
      ["template.scaling.minInstanceCount", a("autoscaling.knative.dev/minScale"), "1"],
      ["template.scaling.maxInstanceCount", a("autoscaling.knative.dev/maxScale"), "4"],
      ["template.vpcAccess.connector", a("run.googleapis.com/vpc-access-connector"), CONNECTOR],
      ["template.vpcAccess.egress", a("run.googleapis.com/vpc-access-egress"), "PRIVATE_RANGES_ONLY"],
      [
        "template.volumes[cloudsql].cloudSqlInstance.instances",
        a("run.googleapis.com/cloudsql-instances"),
        "netra-staging:us-central1:db",
      ],
      ["template.containers[0].resources.cpuIdle", a("run.googleapis.com/cpu-throttling"), "false"],
      ["template.containers[0].resources.startupCpuBoost", a("run.googleapis.com/startup-cpu-boost"), "true"],
      [
        "template.containers[0].volumeMounts[cloudsql].mountPath",
        a("run.googleapis.com/cloudsql-instances"),
        "/cloudsql",
      ],
      ["annotations.example.com/owner", "annotations.example.com/owner", "payments"],
    ]);
  });

  it("propagates annotation errors", () => {
    expect(() => renderDesired(spec({ annotations: { "run.googleapis.com/ingress": "all" } }))).toThrow(
      'spec.annotations["run.googleapis.com/ingress"]',
    );
  });

  it("refuses an env var that the database profile also sets", () => {
    // The schema rejects this too; render must not silently pick one of the two values.
    const parsed = spec({ database: { pool: { size: 10 } } });
    expect(() => renderDesired({ ...parsed, env: { DB_POOL_SIZE: "3" } })).toThrow(
      "spec.env.DB_POOL_SIZE: DB_POOL_SIZE is also set by spec.database; declare it in one place",
    );
  });
});

describe("databaseEnvironment", () => {
  const database = (fields: Record<string, unknown>) => databaseEnvironment(DatabaseSpec.parse(fields));

  it.each<[string, Record<string, unknown>, Record<string, string>]>([
    ["nothing declared", {}, {}],
    ["the instance alone sets no variable", { cloudSqlInstance: "netra-staging:us-central1:db" }, {}],
    [
      "all timeouts as whole seconds",
      { timeouts: { initialization: "75s", connection: "25s", pool: "35s", tableSetup: "2m", healthCheck: "15s" } },
      {
        DB_INITIALIZATION_TIMEOUT: "75",
        DB_CONNECTION_TIMEOUT: "25",
        DB_POOL_TIMEOUT: "35",
        DB_TABLE_SETUP_TIMEOUT: "120",
        DB_HEALTH_CHECK_TIMEOUT: "15",
      },
    ],
    [
      "a sub-second timeout as decimal seconds",
      { timeouts: { connection: "1500ms" } },
      { DB_CONNECTION_TIMEOUT: "1.5" },
    ],
    [
      "the pool",
      { pool: { size: 20, maxOverflow: 0, recycle: "1h", prePing: false } },
      { DB_POOL_SIZE: "20", DB_MAX_OVERFLOW: "0", DB_POOL_RECYCLE: "3600", DB_POOL_PRE_PING: "false" },
    ],
    [
      "overridden names",
      {
        pool: { size: 5 },
        timeouts: { pool: "35s" },
        envVarNames: { poolSize: "SQLALCHEMY_POOL_SIZE", poolTimeout: "SQLALCHEMY_POOL_TIMEOUT" },
      },
      { SQLALCHEMY_POOL_SIZE: "5", SQLALCHEMY_POOL_TIMEOUT: "35" },
    ],
  ])("%s", (_name, fields, expected) => {
    expect(database(fields)).toEqual(expected);
  });

  it("refuses two settings written to one variable", () => {
    expect(() => database({ pool: { size: 5, maxOverflow: 2 }, envVarNames: { maxOverflow: "DB_POOL_SIZE" } })).toThrow(
      "spec.database.envVarNames: DB_POOL_SIZE is used for two settings; give each its own name",
    );
  });
});
