import { protos } from "@google-cloud/run";
import { describe, expect, it } from "vitest";
import { CloudRunServiceConfigSpec } from "../../api/cloudrun.ts";
import type { IService } from "./access.ts";
import { diffService } from "./diff.ts";
import { ConfigError } from "./fields.ts";
import { renderDesired } from "./render.ts";

const SERVICE = { project: "netra-staging", region: "us-central1", name: "backend" };
const CONNECTOR = "projects/netra-staging/locations/us-central1/connectors/staging-connector";
const spec = (fields: Record<string, unknown>) => CloudRunServiceConfigSpec.parse({ service: SERVICE, ...fields });
const diff = (fields: Record<string, unknown>, live: IService = liveService()) =>
  diffService(renderDesired(spec(fields)), live);

/** A service as the ServicesClient returns it after a deploy, in plain protobufjs object form. */
function liveService(): IService {
  return {
    name: "projects/netra-staging/locations/us-central1/services/backend",
    etag: '"abc"',
    labels: { team: "core" },
    annotations: {},
    template: {
      timeout: { seconds: 300, nanos: 0 },
      scaling: { minInstanceCount: 0, maxInstanceCount: 5 },
      vpcAccess: { connector: CONNECTOR, egress: "ALL_TRAFFIC" },
      containers: [
        {
          name: "backend",
          image: "us-docker.pkg.dev/netra/backend:v41",
          ports: [{ containerPort: 8080 }],
          env: [
            { name: "DB_POOL_SIZE", value: "10" },
            { name: "DB_PASSWORD", valueSource: { secretKeyRef: { secret: "db-password", version: "latest" } } },
          ],
          resources: { limits: { cpu: "1000m", memory: "4Gi" }, cpuIdle: true },
          startupProbe: { tcpSocket: { port: 8080 }, timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1 },
          volumeMounts: [{ name: "cloudsql", mountPath: "/cloudsql" }],
        },
        { name: "sidecar", image: "otel/collector:1", env: [{ name: "DB_POOL_SIZE", value: "2" }] },
      ],
      volumes: [{ name: "cloudsql", cloudSqlInstance: { instances: ["netra-staging:us-central1:db"] } }],
    },
  };
}

const { Service } = protos.google.cloud.run.v2;
type ConversionOptions = Parameters<typeof Service.toObject>[1];

/** The same service after a trip through protobufjs, the way the gRPC client decodes it. */
function decoded(service: IService, options: ConversionOptions): IService {
  const converted: IService = Service.toObject(Service.fromObject(service), options);
  return converted;
}

describe("diffService", () => {
  it.each<[string, Record<string, unknown>]>([
    ["nothing declared", {}],
    ["values equal to live", { requestTimeout: "300s", scaling: { maxInstances: 5 }, labels: { team: "core" } }],
    ["other spellings of the live values", { requestTimeout: "5m", resources: { cpu: "1", memory: "4096Mi" } }],
    ["server defaults", { scaling: { minInstances: 0 }, resources: { cpu: 1 } }],
    ["the connector and its egress", { vpcAccess: { connector: CONNECTOR, egress: "ALL_TRAFFIC" } }],
    ["env var set in live", { env: { DB_POOL_SIZE: "10" } }],
    [
      "database settings set in live",
      { database: { cloudSqlInstance: "netra-staging:us-central1:db", pool: { size: 10 } } },
    ],
    [
      "the startup probe Cloud Run created",
      { startupProbe: { tcpSocket: {}, timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1 } },
    ],
    [
      "the probe port taken from the container port",
      { startupProbe: { tcpSocket: { port: 8080 }, timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1 } },
    ],
  ])("reports nothing for %s", (_name, fields) => {
    expect(diff(fields)).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, { field: string; desired: string; live: string }[]]>([
    [
      "a changed timeout",
      { requestTimeout: "600s" },
      [{ field: "requestTimeout (template.timeout)", desired: "600s", live: "300s" }],
    ],
    [
      "scaling",
      { scaling: { minInstances: 1, maxInstances: 20 } },
      [
        { field: "scaling.minInstances (template.scaling.minInstanceCount)", desired: "1", live: "0 (default)" },
        { field: "scaling.maxInstances (template.scaling.maxInstanceCount)", desired: "20", live: "5" },
      ],
    ],
    [
      "egress",
      { vpcAccess: { connector: CONNECTOR, egress: "PRIVATE_RANGES_ONLY" } },
      [{ field: "vpcAccess.egress (template.vpcAccess.egress)", desired: "PRIVATE_RANGES_ONLY", live: "ALL_TRAFFIC" }],
    ],
    [
      "resources",
      { resources: { cpu: "2", memory: "4G" } },
      [
        { field: "resources.cpu (template.containers[0].resources.limits.cpu)", desired: "2", live: "1000m" },
        { field: "resources.memory (template.containers[0].resources.limits.memory)", desired: "4G", live: "4Gi" },
      ],
    ],
    [
      "a database setting",
      { database: { pool: { size: 20, maxOverflow: 5 } } },
      [
        { field: "database.pool.maxOverflow (template.containers[0].env.DB_MAX_OVERFLOW)", desired: "5", live: "" },
        { field: "database.pool.size (template.containers[0].env.DB_POOL_SIZE)", desired: "20", live: "10" },
      ],
    ],
    [
      "a literal declared for a secret-backed variable",
      { env: { DB_PASSWORD: "hunter2" } },
      [
        {
          field: "env.DB_PASSWORD (template.containers[0].env.DB_PASSWORD)",
          desired: "hunter2",
          live: '{"valueSource":{"secretKeyRef":{"secret":"db-password","version":"latest"}}}',
        },
      ],
    ],
    [
      "the probe type and a field",
      { startupProbe: { httpGet: { path: "/health" }, timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1 } },
      [
        {
          field: "startupProbe.httpGet (template.containers[0].startupProbe.type)",
          desired: "httpGet",
          live: "tcpSocket",
        },
        {
          field: "startupProbe.httpGet.path (template.containers[0].startupProbe.httpGet.path)",
          desired: "/health",
          live: "/ (default)",
        },
      ],
    ],
    [
      "labels and annotations",
      { labels: { team: "payments", tier: "api" }, annotations: { "example.com/owner": "payments" } },
      [
        { field: "labels.team", desired: "payments", live: "core" },
        { field: "labels.tier", desired: "api", live: "" },
        { field: "annotations.example.com/owner", desired: "payments", live: "" },
      ],
    ],
    [
      "another Cloud SQL instance",
      { database: { cloudSqlInstance: "netra-staging:us-central1:other" } },
      [
        {
          field: "database.cloudSqlInstance (template.volumes[cloudsql].cloudSqlInstance.instances)",
          desired: "netra-staging:us-central1:other",
          live: "netra-staging:us-central1:db",
        },
      ],
    ],
  ])("reports %s", (_name, fields, expected) => {
    expect(diff(fields)).toEqual(expected);
  });

  it("compares the named container", () => {
    expect(diff({ container: "sidecar", env: { DB_POOL_SIZE: "10" } })).toEqual([
      { field: "env.DB_POOL_SIZE (template.containers[sidecar].env.DB_POOL_SIZE)", desired: "10", live: "2" },
    ]);
  });

  it("names the containers when the declared one is missing", () => {
    const compare = () => diff({ container: "worker", env: { A: "1" } });
    expect(compare).toThrow(ConfigError);
    expect(compare).toThrow(
      'spec.container: container "worker" not found in service ' +
        "projects/netra-staging/locations/us-central1/services/backend; its containers are: backend, sidecar",
    );
  });

  it("refuses a service without containers", () => {
    expect(() => diff({ env: { A: "1" } }, { name: "s", template: { containers: [] } })).toThrow(
      "spec.container: service s has no containers",
    );
  });

  it("treats a service without a template as all defaults", () => {
    expect(diff({ requestTimeout: "300s", labels: { a: "b" } }, { name: "s", template: { containers: [{}] } })).toEqual(
      [{ field: "labels.a", desired: "b", live: "" }],
    );
  });

  it.each<[string, ConversionOptions]>([
    ["gRPC defaults (Long, enum numbers)", {}],
    ["strings for longs and enums, defaults filled", { longs: String, enums: String, defaults: true, oneofs: true }],
    ["numbers for longs, defaults filled", { longs: Number, enums: Number, defaults: true }],
  ])("sees no drift in a service decoded with %s", (_name, options) => {
    const fields = {
      requestTimeout: "300s",
      scaling: { minInstances: 0, maxInstances: 5 },
      vpcAccess: { connector: CONNECTOR, egress: "ALL_TRAFFIC" },
      resources: { cpu: "1", memory: "4Gi" },
      database: { cloudSqlInstance: "netra-staging:us-central1:db", pool: { size: 10 } },
      labels: { team: "core" },
    };
    expect(diff(fields, decoded(liveService(), options))).toEqual([]);
  });

  it("reports an undeclarable value as a spec error naming the field", () => {
    const desired = renderDesired(spec({ resources: { cpu: "1" } }));
    const broken = { ...desired, fields: desired.fields.map((field) => ({ ...field, value: "lots" })) };
    expect(() => diffService(broken, liveService())).toThrow(
      'spec.resources.cpu: cannot compare template.containers[0].resources.limits.cpu: invalid cpu value "lots"',
    );
  });
});
