import { protos } from "@google-cloud/run";
import { describe, expect, it } from "vitest";
import { CloudRunServiceConfigSpec } from "../../api/cloudrun.ts";
import type { IService } from "./access.ts";
import { diffService } from "./diff.ts";
import { renderDesired } from "./render.ts";
import { buildUpdate, maskPath } from "./update.ts";

const SERVICE = { project: "netra-staging", region: "us-central1", name: "backend" };
const CONNECTOR = "projects/netra-staging/locations/us-central1/connectors/staging-connector";
const spec = (fields: Record<string, unknown>) => CloudRunServiceConfigSpec.parse({ service: SERVICE, ...fields });

/** A live service whose image CI has just moved to v42, with a secret, a sidecar and an unowned volume. */
function liveService(): IService {
  return {
    name: "projects/netra-staging/locations/us-central1/services/backend",
    etag: '"etag-7"',
    labels: { team: "core", "managed-by": "ci" },
    annotations: { "example.com/deployed-by": "ci" },
    traffic: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }],
    template: {
      revision: "backend-v42",
      timeout: { seconds: "300", nanos: 0 },
      scaling: { maxInstanceCount: 5 },
      serviceAccount: "backend@netra-staging.iam.gserviceaccount.com",
      containers: [
        {
          name: "backend",
          image: "us-docker.pkg.dev/netra/backend:v42",
          ports: [{ containerPort: 8080 }],
          env: [
            { name: "LOG_LEVEL", value: "debug" },
            { name: "DB_POOL_SIZE", value: "5" },
            { name: "DB_PASSWORD", valueSource: { secretKeyRef: { secret: "db-password", version: "latest" } } },
          ],
          resources: { limits: { cpu: "1000m", memory: "512Mi" }, cpuIdle: true },
          startupProbe: { tcpSocket: { port: 8080 }, timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1 },
          volumeMounts: [{ name: "config", mountPath: "/etc/app" }],
        },
        { name: "sidecar", image: "otel/collector:1", env: [{ name: "DB_POOL_SIZE", value: "2" }] },
      ],
      volumes: [{ name: "config", secret: { secret: "app-config" } }],
    },
  };
}

const FULL_SPEC = {
  container: "backend",
  requestTimeout: "600s",
  scaling: { minInstances: 1, maxInstances: 4 },
  resources: { cpu: "2", memory: "4Gi" },
  vpcAccess: { connector: CONNECTOR, egress: "ALL_TRAFFIC" },
  startupProbe: { httpGet: { path: "/health" }, periodSeconds: 10, failureThreshold: 9 },
  env: { LOG_LEVEL: "info" },
  labels: { team: "payments" },
  annotations: { "example.com/owner": "payments", "run.googleapis.com/cpu-throttling": "false" },
  database: {
    cloudSqlInstance: "netra-staging:us-central1:db",
    timeouts: { initialization: "75s", connection: "25s", pool: "35s" },
    pool: { size: 10, maxOverflow: 15, prePing: true },
  },
};

/** What the server hands back after applying the update: decoded by protobufjs, CPU in whole cores. */
function asReturnedByServer(service: IService): IService {
  const { Service } = protos.google.cloud.run.v2;
  const options = { longs: String, enums: String, defaults: true, oneofs: true };
  const returned: IService = Service.toObject(Service.fromObject(service), options);
  for (const container of returned.template?.containers ?? []) {
    const limits = container.resources?.limits;
    if (limits?.cpu?.endsWith("m")) limits.cpu = String(Number(limits.cpu.slice(0, -1)) / 1000);
  }
  return returned;
}

function update(fields: Record<string, unknown>, live: IService = liveService()) {
  const desired = renderDesired(spec(fields));
  return buildUpdate(live, desired, diffService(desired, live));
}

describe("buildUpdate", () => {
  it("changes only the differing fields and masks only their paths", () => {
    const live = liveService();
    const { service, updateMask } = update({ requestTimeout: "600s", scaling: { maxInstances: 5 } }, live);
    expect(updateMask).toEqual(["template.revision", "template.timeout"]);
    const expected = liveService();
    expected.template!.timeout = { seconds: 600, nanos: 0 };
    expected.template!.revision = "";
    expect(service).toEqual(expected);
  });

  it("keeps the image CI deployed, the traffic, the etag and everything unowned", () => {
    const { service } = update(FULL_SPEC);
    const live = liveService();
    const [backend, sidecar] = service.template?.containers ?? [];
    expect(backend?.image).toBe("us-docker.pkg.dev/netra/backend:v42");
    expect(sidecar).toEqual(live.template?.containers?.[1]);
    expect(service.etag).toBe('"etag-7"');
    expect(service.traffic).toEqual(live.traffic);
    expect(service.template?.serviceAccount).toBe(live.template?.serviceAccount);
    expect(service.labels).toEqual({ team: "payments", "managed-by": "ci" });
    expect(service.annotations).toEqual({ "example.com/deployed-by": "ci", "example.com/owner": "payments" });
    expect(backend?.env).toEqual([
      { name: "LOG_LEVEL", value: "info" },
      { name: "DB_POOL_SIZE", value: "10" },
      { name: "DB_PASSWORD", valueSource: { secretKeyRef: { secret: "db-password", version: "latest" } } },
      { name: "DB_CONNECTION_TIMEOUT", value: "25" },
      { name: "DB_INITIALIZATION_TIMEOUT", value: "75" },
      { name: "DB_MAX_OVERFLOW", value: "15" },
      { name: "DB_POOL_PRE_PING", value: "true" },
      { name: "DB_POOL_TIMEOUT", value: "35" },
    ]);
    expect(backend?.volumeMounts).toEqual([
      { name: "config", mountPath: "/etc/app" },
      { name: "cloudsql", mountPath: "/cloudsql" },
    ]);
    expect(service.template?.volumes).toEqual([
      { name: "config", secret: { secret: "app-config" } },
      { name: "cloudsql", cloudSqlInstance: { instances: ["netra-staging:us-central1:db"] } },
    ]);
  });

  it("writes every owned field in its v2 form", () => {
    const { service, updateMask } = update(FULL_SPEC);
    const template = service.template;
    expect(template?.timeout).toEqual({ seconds: 600, nanos: 0 });
    expect(template?.scaling).toEqual({ minInstanceCount: 1, maxInstanceCount: 4 });
    expect(template?.vpcAccess).toEqual({ connector: CONNECTOR, egress: "ALL_TRAFFIC" });
    expect(template?.containers?.[0]?.resources).toEqual({ limits: { cpu: "2", memory: "4Gi" }, cpuIdle: false });
    expect(template?.containers?.[0]?.startupProbe).toEqual({
      httpGet: { path: "/health" },
      timeoutSeconds: 1,
      periodSeconds: 10,
      failureThreshold: 9,
    });
    expect(updateMask).toEqual([
      "annotations",
      "labels",
      "template.containers",
      "template.revision",
      "template.scaling.max_instance_count",
      "template.scaling.min_instance_count",
      "template.timeout",
      "template.volumes",
      "template.vpc_access.connector",
      "template.vpc_access.egress",
    ]);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ["an env var", { env: { LOG_LEVEL: "info" } }, ["template.containers", "template.revision"]],
    ["a label", { labels: { team: "payments" } }, ["labels"]],
    ["an annotation", { annotations: { "example.com/owner": "x" } }, ["annotations"]],
    ["a connector", { vpcAccess: { connector: CONNECTOR } }, ["template.revision", "template.vpc_access.connector"]],
    ["max instances", { scaling: { maxInstances: 9 } }, ["template.revision", "template.scaling.max_instance_count"]],
    ["nothing that differs", { scaling: { maxInstances: 5 }, env: { LOG_LEVEL: "debug" } }, []],
  ])("masks %s", (_name, fields, mask) => {
    expect(update(fields).updateMask).toEqual(mask);
  });

  it("replaces a secret reference with the declared literal", () => {
    const { service } = update({ env: { DB_PASSWORD: "from-spec" } });
    expect(service.template?.containers?.[0]?.env?.[2]).toEqual({ name: "DB_PASSWORD", value: "from-spec" });
  });

  it("changes the named container only", () => {
    const { service } = update({ container: "sidecar", env: { DB_POOL_SIZE: "3" } });
    expect(service.template?.containers?.[0]).toEqual(liveService().template?.containers?.[0]);
    expect(service.template?.containers?.[1]?.env).toEqual([{ name: "DB_POOL_SIZE", value: "3" }]);
  });

  it("leaves the revision name alone when only service metadata changes", () => {
    const { service } = update({ labels: { team: "payments" } });
    expect(service.template?.revision).toBe("backend-v42");
  });

  it("creates what the live service lacks", () => {
    const bare: IService = { name: "s", template: { containers: [{ image: "app:1" }] } };
    const { service } = update({ ...FULL_SPEC, container: undefined }, bare);
    expect(service.template?.containers?.[0]?.startupProbe).toEqual({
      httpGet: { path: "/health" },
      failureThreshold: 9,
    });
    expect(service.template?.scaling).toEqual({ minInstanceCount: 1, maxInstanceCount: 4 });
    expect(service.template?.containers?.[0]?.image).toBe("app:1");
  });

  it("never changes the live object it was given", () => {
    const live = liveService();
    update(FULL_SPEC, live);
    expect(live).toEqual(liveService());
  });

  it("refuses diffs for fields the spec does not own", () => {
    const desired = renderDesired(spec({ requestTimeout: "600s" }));
    const diffs = [{ field: "template.containers[0].image", desired: "x", live: "y" }];
    expect(() => buildUpdate(liveService(), desired, diffs)).toThrow(
      "diffs name fields the spec does not own: template.containers[0].image",
    );
  });

  it("works on the protobufjs message instances a client may return (Long int64s, enum numbers)", () => {
    const desired = renderDesired(spec(FULL_SPEC));
    const live = protos.google.cloud.run.v2.Service.fromObject(liveService());
    const { service } = buildUpdate(live, desired, diffService(desired, live));
    expect(service.etag).toBe('"etag-7"');
    expect(diffService(desired, asReturnedByServer(service))).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ["the full spec", FULL_SPEC],
    ["the full spec on the first container", { ...FULL_SPEC, container: undefined }],
    ["CPU in millicores", { resources: { cpu: "2000m", memory: "1G" } }],
    ["a TCP probe on another port", { startupProbe: { tcpSocket: { port: 9000 }, timeoutSeconds: 5 } }],
    ["an HTTP probe on the container port", { startupProbe: { httpGet: {} } }],
    ["server defaults", { requestTimeout: "5m", scaling: { minInstances: 0, maxInstances: 100 } }],
    ["a sub-second timeout", { requestTimeout: "1500ms" }],
    ["the sidecar", { container: "sidecar", env: { DB_POOL_SIZE: "3" }, resources: { memory: "256Mi" } }],
    [
      "v1 annotations",
      {
        annotations: {
          "run.googleapis.com/vpc-access-connector": "staging-connector",
          "run.googleapis.com/vpc-access-egress": "private-ranges-only",
          "run.googleapis.com/cloudsql-instances": "db,netra-staging:us-central1:replica",
          "autoscaling.knative.dev/maxScale": "3",
          "run.googleapis.com/startup-cpu-boost": "true",
        },
      },
    ],
  ])("round-trips %s: after the server applies the update there is no diff", (_name, fields) => {
    const desired = renderDesired(spec(fields));
    const live = asReturnedByServer(liveService());
    const diffs = diffService(desired, live);
    expect(diffs.length).toBeGreaterThan(0);
    const { service } = buildUpdate(live, desired, diffs);
    expect(diffService(desired, asReturnedByServer(service))).toEqual([]);
  });
});

describe("maskPath", () => {
  it.each<[Parameters<typeof maskPath>[0], string]>([
    [{ scope: "labels", key: "a" }, "labels"],
    [{ scope: "annotations", key: "a" }, "annotations"],
    [{ scope: "template", field: "timeout" }, "template.timeout"],
    [{ scope: "template", field: "scaling.minInstanceCount" }, "template.scaling.min_instance_count"],
    [{ scope: "template", field: "scaling.maxInstanceCount" }, "template.scaling.max_instance_count"],
    [{ scope: "template", field: "vpcAccess.connector" }, "template.vpc_access.connector"],
    [{ scope: "template", field: "vpcAccess.egress" }, "template.vpc_access.egress"],
    [{ scope: "container", field: "resources.limits.cpu" }, "template.containers"],
    [{ scope: "env", name: "A" }, "template.containers"],
    [{ scope: "volumeMount", volume: "cloudsql" }, "template.containers"],
    [{ scope: "cloudSqlVolume", volume: "cloudsql" }, "template.volumes"],
  ])("%j is %s", (target, expected) => {
    expect(maskPath(target)).toBe(expected);
  });
});
