import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../core/module.ts";
import { withServiceDefaults } from "../defaults.ts";
import { settableFields } from "../shape.ts";
import { fromV1Service } from "./from-v1.ts";
import { toV1Service } from "./to-v1.ts";

const NAME = "projects/netra-staging/locations/us-central1/services/backend";

/** A stored service the way the staging backend looks: every setting the v1 mapping carries. */
function storedBackend(): JsonObject {
  const settable = withServiceDefaults(
    {
      labels: { team: "core" },
      annotations: { "example.com/owner": "core" },
      template: {
        scaling: { minInstanceCount: 1, maxInstanceCount: 10 },
        vpcAccess: {
          connector: "projects/netra-staging/locations/us-central1/connectors/staging",
          egress: "ALL_TRAFFIC",
        },
        timeout: "600s",
        maxInstanceRequestConcurrency: 40,
        volumes: [{ name: "cloudsql", cloudSqlInstance: { instances: ["netra-staging:us-central1:db"] } }],
        containers: [
          {
            image: "us-docker.pkg.dev/netra/app/backend:7",
            env: [
              { name: "DB_POOL_SIZE", value: "10" },
              { name: "DB_PASSWORD", valueSource: { secretKeyRef: { secret: "db-password", version: "3" } } },
            ],
            resources: { limits: { cpu: "4", memory: "4Gi" }, startupCpuBoost: true },
            volumeMounts: [{ name: "cloudsql", mountPath: "/cloudsql" }],
            startupProbe: {
              initialDelaySeconds: 10,
              periodSeconds: 10,
              failureThreshold: 9,
              httpGet: { path: "/health" },
            },
          },
        ],
      },
    },
    "123456789012",
  );
  return {
    ...settable,
    name: NAME,
    uid: "4d0d4f0e-0000-4000-8000-000000000000",
    generation: "3",
    observedGeneration: "3",
    etag: '"abc123"',
    createTime: "2026-01-01T00:00:00Z",
    creator: "someone@example.com",
    lastModifier: "someone@example.com",
    terminalCondition: { type: "Ready", state: "CONDITION_SUCCEEDED", lastTransitionTime: "2026-01-01T00:00:05Z" },
    conditions: [{ type: "RoutesReady", state: "CONDITION_SUCCEEDED", lastTransitionTime: "2026-01-01T00:00:05Z" }],
    latestReadyRevision: `${NAME}/revisions/backend-00003-abc`,
    latestCreatedRevision: `${NAME}/revisions/backend-00003-abc`,
    trafficStatuses: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }],
    uri: "https://backend-xyz-uc.a.run.app",
  };
}

describe("Cloud Run v1 <-> v2 mapping", () => {
  it("shows a v2 service the Knative way, settings in Google's annotations", () => {
    const v1 = toV1Service(storedBackend());
    expect(v1).toMatchObject({
      apiVersion: "serving.knative.dev/v1",
      kind: "Service",
      metadata: {
        name: "backend",
        resourceVersion: "abc123",
        generation: 3,
        labels: { team: "core", "cloud.googleapis.com/location": "us-central1" },
        annotations: { "example.com/owner": "core", "run.googleapis.com/ingress": "all" },
      },
      spec: {
        template: {
          metadata: {
            annotations: {
              "autoscaling.knative.dev/minScale": "1",
              "autoscaling.knative.dev/maxScale": "10",
              "run.googleapis.com/vpc-access-connector":
                "projects/netra-staging/locations/us-central1/connectors/staging",
              "run.googleapis.com/vpc-access-egress": "all-traffic",
              "run.googleapis.com/cloudsql-instances": "netra-staging:us-central1:db",
              "run.googleapis.com/cpu-throttling": "false",
              "run.googleapis.com/startup-cpu-boost": "true",
            },
          },
          spec: {
            containerConcurrency: 40,
            timeoutSeconds: 600,
            containers: [
              {
                env: [
                  { name: "DB_POOL_SIZE", value: "10" },
                  { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db-password", key: "3" } } },
                ],
                resources: { limits: { cpu: "4", memory: "4Gi" } },
              },
            ],
          },
        },
        traffic: [{ latestRevision: true, percent: 100 }],
      },
      status: {
        observedGeneration: 3,
        latestReadyRevisionName: "backend-00003-abc",
        conditions: [
          { type: "Ready", status: "True" },
          { type: "RoutesReady", status: "True" },
        ],
        url: "https://backend-xyz-uc.a.run.app",
      },
    });
    const container = (v1.spec as { template: { spec: { containers: JsonObject[] } } }).template.spec.containers[0];
    expect(container?.volumeMounts).toBeUndefined();
  });

  it("writes back exactly what it read: v2 -> v1 -> v2 changes no setting", () => {
    const stored = storedBackend();
    expect(fromV1Service(toV1Service(stored), stored)).toEqual(settableFields(stored));
  });

  it("maps a gcloud-style edit of the v1 object onto the v2 fields", () => {
    const stored = storedBackend();
    const v1 = toV1Service(stored) as {
      spec: { template: { metadata: { annotations: JsonObject }; spec: JsonObject } };
    };
    v1.spec.template.spec.timeoutSeconds = 25;
    v1.spec.template.metadata.annotations["autoscaling.knative.dev/maxScale"] = "3";
    delete v1.spec.template.metadata.annotations["run.googleapis.com/vpc-access-connector"];
    const v2 = fromV1Service(v1, stored) as { template: JsonObject };
    expect(v2.template.timeout).toBe("25s");
    expect(v2.template.scaling).toEqual({ minInstanceCount: 1, maxInstanceCount: 3 });
    expect(v2.template.vpcAccess).toBeUndefined();
  });

  it("reports while reconciling that Ready is not decided", () => {
    const stored = {
      ...storedBackend(),
      reconciling: true,
      terminalCondition: { type: "Ready", state: "CONDITION_PENDING" },
    };
    expect((toV1Service(stored).status as { conditions: JsonObject[] }).conditions[0]).toEqual({
      type: "Ready",
      status: "Unknown",
    });
  });

  it("names the annotation of a value it cannot map", () => {
    const v1 = toV1Service(storedBackend()) as { spec: { template: { metadata: { annotations: JsonObject } } } };
    v1.spec.template.metadata.annotations["run.googleapis.com/vpc-access-egress"] = "everything";
    expect(() => fromV1Service(v1, storedBackend())).toThrow(
      "spec.template.metadata.annotations[run.googleapis.com/vpc-access-egress]: expected one of",
    );
  });
});
