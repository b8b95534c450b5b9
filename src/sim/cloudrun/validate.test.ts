import { describe, expect, it } from "vitest";
import type { JsonObject } from "../core/module.ts";
import { withServiceDefaults } from "./defaults.ts";
import { validateService } from "./validate.ts";

function violations(template: JsonObject, extra: JsonObject = {}): string[] {
  return validateService(withServiceDefaults({ ...extra, template }, "1"), "web").map(
    (v) => `${v.field}: ${v.description}`,
  );
}

const container = (limits: Record<string, string>, more: JsonObject = {}) => ({
  image: "img",
  resources: { limits },
  ...more,
});

describe("Cloud Run request validation", () => {
  it("accepts a plain service", () => {
    expect(violations({ containers: [container({ cpu: "2", memory: "4Gi" })] })).toEqual([]);
  });

  it("rejects system labels and annotations at every level", () => {
    const found = violations(
      { annotations: { "run.googleapis.com/cpu-throttling": "false" }, containers: [{ image: "i" }] },
      {
        labels: { "cloud.googleapis.com/location": "x" },
        annotations: { "serving.knative.dev/creator": "me", mine: "ok" },
      },
    );
    expect(found).toEqual([
      "service.labels[cloud.googleapis.com/location]: system labels are not supported in Cloud Run API v2.",
      "service.annotations[serving.knative.dev/creator]: system annotations are not supported in Cloud Run API v2.",
      "service.template.annotations[run.googleapis.com/cpu-throttling]: system annotations are not supported in Cloud Run API v2.",
    ]);
  });

  it.each([
    [{ cpu: "3", memory: "2Gi" }, "service.template.containers[0].resources.limits.cpu"],
    [{ cpu: "4", memory: "1Gi" }, "service.template.containers[0].resources.limits.memory"],
    [{ cpu: "8", memory: "2Gi" }, "service.template.containers[0].resources.limits.memory"],
    [{ cpu: "1", memory: "8Gi" }, "service.template.containers[0].resources.limits.cpu"],
    [{ cpu: "2", memory: "16Gi" }, "service.template.containers[0].resources.limits.cpu"],
    [{ cpu: "1", memory: "64Mi" }, "service.template.containers[0].resources.limits.memory"],
  ])("rejects the CPU/memory combination %o", (limits, field) => {
    expect(violations({ containers: [container(limits)] })[0]).toMatch(
      new RegExp(`^${field.replace(/[[\].]/g, "\\$&")}:`),
    );
  });

  it("allows fractional CPU only with concurrency 1 and little memory", () => {
    expect(
      violations({ maxInstanceRequestConcurrency: 1, containers: [container({ cpu: "500m", memory: "512Mi" })] }),
    ).toEqual([]);
    expect(
      violations({ maxInstanceRequestConcurrency: 80, containers: [container({ cpu: "500m", memory: "512Mi" })] }),
    ).toEqual([
      "service.template.containers[0].resources.limits.cpu: CPU below 1 requires max_instance_request_concurrency of 1.",
    ]);
  });

  it("accepts an environment variable named twice", () => {
    const env = [
      { name: "DB_POOL_SIZE", value: "10" },
      { name: "DB_POOL_SIZE", value: "20" },
    ];
    expect(violations({ containers: [{ image: "i", env }] })).toEqual([]);
  });

  it("checks timeout, scaling and concurrency bounds", () => {
    expect(
      violations({
        timeout: "3601s",
        scaling: { minInstanceCount: 5, maxInstanceCount: 2 },
        maxInstanceRequestConcurrency: 1001,
        containers: [{ image: "i" }],
      }),
    ).toEqual([
      "service.template.timeout: must be between 1s and 3600s.",
      "service.template.scaling.max_instance_count: must be greater than or equal to min_instance_count (5).",
      "service.template.max_instance_request_concurrency: must be between 1 and 1000.",
    ]);
  });

  it("checks probe limits", () => {
    const startupProbe = {
      periodSeconds: 300,
      timeoutSeconds: 400,
      initialDelaySeconds: 241,
      failureThreshold: 0,
      httpGet: { path: "/" },
    };
    expect(violations({ containers: [{ image: "i", startupProbe }] }).map((v) => v.split(":")[0])).toEqual([
      "service.template.containers[0].startup_probe.period_seconds",
      "service.template.containers[0].startup_probe.timeout_seconds",
      "service.template.containers[0].startup_probe.initial_delay_seconds",
      "service.template.containers[0].startup_probe.failure_threshold",
    ]);
    expect(violations({ containers: [{ image: "i", livenessProbe: { periodSeconds: 10 } }] })).toEqual([
      "service.template.containers[0].liveness_probe: exactly one of http_get, tcp_socket or grpc must be set.",
    ]);
  });

  it("checks environment variable names", () => {
    const env = [{ name: "GOOD" }, { name: "1BAD" }, { name: "PORT" }];
    expect(violations({ containers: [{ image: "i", env }] }).map((v) => v.split(":")[0])).toEqual([
      "service.template.containers[0].env[1].name",
      "service.template.containers[0].env[2].name",
    ]);
  });

  it("checks volume references and Cloud SQL connection names", () => {
    const template = {
      volumes: [{ name: "sql", cloudSqlInstance: { instances: ["proj:region:db", "just-a-name"] } }],
      containers: [
        {
          image: "i",
          volumeMounts: [
            { name: "sql", mountPath: "/cloudsql" },
            { name: "nope", mountPath: "/x" },
          ],
        },
      ],
    };
    expect(violations(template).map((v) => v.split(":")[0])).toEqual([
      "service.template.volumes[0].cloud_sql_instance.instances[1]",
      "service.template.containers[0].volume_mounts[1].name",
    ]);
  });

  it("requires explicit revision names to start with the service name", () => {
    expect(violations({ revision: "other-v1", containers: [{ image: "i" }] })).toEqual([
      "service.template.revision: Revision name must be prefixed by the service name 'web-'.",
    ]);
  });
});

describe("Cloud Run label and environment limits", () => {
  const withEnv = (env: JsonObject[]) => violations({ containers: [container({}, { env })] });

  it("applies Google's label rules to service and template labels", () => {
    expect(violations({ containers: [{ image: "i" }] }, { labels: { team: "core", équipe: "données" } })).toEqual([]);
    expect(
      violations(
        { labels: { "🚀": "x" }, containers: [{ image: "i" }] },
        { labels: { Team: "core", env: "x".repeat(64) } },
      ),
    ).toEqual([
      "service.labels[Team]: label keys must be 1-63 characters of lowercase letters, digits, '_' or '-', starting with a lowercase letter.",
      "service.labels[env]: label values must be at most 63 characters of lowercase letters, digits, '_' or '-'.",
      "service.template.labels[🚀]: label keys must be 1-63 characters of lowercase letters, digits, '_' or '-', starting with a lowercase letter.",
    ]);
  });

  it("allows 1000 env vars per container and no more", () => {
    const env = (count: number) => Array.from({ length: count }, (_, i) => ({ name: `V${i}`, value: "x" }));
    expect(withEnv(env(1000))).toEqual([]);
    expect(withEnv(env(2000))).toEqual([
      "service.template.containers[0].env: at most 1000 environment variables are allowed, got 2000.",
    ]);
  });

  it("applies Kubernetes' annotation rules", () => {
    expect(violations({ containers: [{ image: "i" }] }, { annotations: { "example.com/owner": "me" } })).toEqual([]);
    expect(
      violations({ containers: [{ image: "i" }] }, { annotations: { "bad key": "x", big: "x".repeat(300 * 1024) } }),
    ).toEqual([
      "service.annotations[bad key]: annotation keys must be Kubernetes qualified names.",
      "service.annotations: annotations must total at most 262144 bytes, got 307211.",
    ]);
  });

  it("refuses a value over 32768 bytes or with a NUL character", () => {
    expect(withEnv([{ name: "A", value: "x".repeat(32768) }])).toEqual([]);
    expect(
      withEnv([
        { name: "A", value: "x".repeat(1024 * 1024) },
        { name: "B", value: "a\u0000b" },
      ]),
    ).toEqual([
      "service.template.containers[0].env[0].value: must not exceed 32768 bytes.",
      "service.template.containers[0].env[1].value: must not contain a NUL character.",
    ]);
  });
});
