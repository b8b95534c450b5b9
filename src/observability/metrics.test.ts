import { describe, expect, it } from "vitest";
import { driftFieldLabel, DriftguardMetrics, MAX_FIELD_LABELS } from "./metrics.ts";

const metrics = () => new DriftguardMetrics({ processMetrics: false });

/** The sample lines of one metric family, e.g. `name{labels} value`. */
async function samples(m: DriftguardMetrics, name: string): Promise<string[]> {
  return (await m.render()).split("\n").filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe("driftFieldLabel", () => {
  it.each([
    ["database.timeouts.pool (template.containers[backend].env.DB_POOL_TIMEOUT)", "database.timeouts.pool"],
    ["requestTimeout (template.timeout)", "requestTimeout"],
    ["scaling.maxInstances", "scaling.maxInstances"],
    [
      'annotations["autoscaling.knative.dev/maxScale"] (template.scaling.maxInstanceCount)',
      'annotations["autoscaling.knative.dev/maxScale"]',
    ],
    ["env.FEATURE_FLAG (template.containers[0].env.FEATURE_FLAG)", "env"],
    ["labels.team", "labels"],
    ["annotations.example.com/owner", "annotations"],
    ["minInstances", "minInstances"],
  ])("%s -> %s", (field, label) => {
    expect(driftFieldLabel(field)).toBe(label);
  });
});

describe("DriftguardMetrics", () => {
  it("keeps its own registry, with process metrics only when asked", async () => {
    const withProcess = new DriftguardMetrics();
    expect(await withProcess.render()).toContain("process_cpu_user_seconds_total");
    expect(await metrics().render()).not.toContain("process_cpu_user_seconds_total");
    // Two instances never share counters.
    const a = metrics();
    const b = metrics();
    a.reconciled("cloudrunserviceconfig", "success", 0.1);
    expect(await samples(b, "controller_runtime_reconcile_total")).toEqual([]);
  });

  it("counts reconciles by result, errors separately, and times them", async () => {
    const m = metrics();
    m.reconciled("cloudrunserviceconfig", "success", 0.02);
    m.reconciled("cloudrunserviceconfig", "requeue_after", 0.3);
    m.reconciled("cloudrunserviceconfig", "error", 1.1);
    expect(await samples(m, "controller_runtime_reconcile_total")).toEqual(
      expect.arrayContaining([
        'controller_runtime_reconcile_total{controller="cloudrunserviceconfig",result="success"} 1',
        'controller_runtime_reconcile_total{controller="cloudrunserviceconfig",result="requeue_after"} 1',
        'controller_runtime_reconcile_total{controller="cloudrunserviceconfig",result="error"} 1',
      ]),
    );
    expect(await samples(m, "controller_runtime_reconcile_errors_total")).toEqual([
      'controller_runtime_reconcile_errors_total{controller="cloudrunserviceconfig"} 1',
    ]);
    const text = await m.render();
    expect(text).toContain('controller_runtime_reconcile_time_seconds_count{controller="cloudrunserviceconfig"} 3');
    expect(text).toContain(
      'controller_runtime_reconcile_time_seconds_bucket{le="0.025",controller="cloudrunserviceconfig"} 1',
    );
  });

  it("records work-queue depth, adds, retries and latencies in seconds", async () => {
    const m = metrics();
    const queue = m.queue("vpcconnectorconfig");
    queue.added();
    queue.added();
    queue.depth(2);
    queue.retried();
    queue.queueDuration(1500);
    queue.workDuration(20);
    expect(await samples(m, "workqueue_depth")).toEqual(['workqueue_depth{name="vpcconnectorconfig"} 2']);
    expect(await samples(m, "workqueue_adds_total")).toEqual(['workqueue_adds_total{name="vpcconnectorconfig"} 2']);
    expect(await samples(m, "workqueue_retries_total")).toEqual([
      'workqueue_retries_total{name="vpcconnectorconfig"} 1',
    ]);
    const text = await m.render();
    expect(text).toContain('workqueue_queue_duration_seconds_sum{name="vpcconnectorconfig"} 1.5');
    expect(text).toContain('workqueue_work_duration_seconds_sum{name="vpcconnectorconfig"} 0.02');
  });

  it("counts drift corrections per kind and spec field, with bounded field labels", async () => {
    const m = metrics();
    m.driftCorrected("CloudRunServiceConfig", [
      "database.timeouts.pool (template.containers[backend].env.DB_POOL_TIMEOUT)",
      "env.A (template.containers[0].env.A)",
      "env.B (template.containers[0].env.B)",
    ]);
    expect(await samples(m, "driftguard_drift_corrections_total")).toEqual([
      'driftguard_drift_corrections_total{kind="CloudRunServiceConfig",field="database.timeouts.pool",actor="unknown"} 1',
      'driftguard_drift_corrections_total{kind="CloudRunServiceConfig",field="env",actor="unknown"} 2',
    ]);
    m.driftCorrected(
      "VpcConnectorConfig",
      Array.from({ length: MAX_FIELD_LABELS + 5 }, (_, i) => `field${i}`),
    );
    const lines = await samples(m, "driftguard_drift_corrections_total");
    expect(lines).toHaveLength(MAX_FIELD_LABELS + 1);
    expect(lines).toContain(
      'driftguard_drift_corrections_total{kind="VpcConnectorConfig",field="other",actor="unknown"} 7',
    );
  });

  it("labels drift corrections with the kind of actor only, never a principal", async () => {
    const m = metrics();
    m.driftCorrected("CloudRunServiceConfig", ["requestTimeout"], "user");
    m.driftCorrected("CloudRunServiceConfig", ["requestTimeout"], "serviceAccount");
    m.driftCorrected("CloudRunServiceConfig", ["requestTimeout"], "alice@example.com" as "user");
    expect(await samples(m, "driftguard_drift_corrections_total")).toEqual([
      'driftguard_drift_corrections_total{kind="CloudRunServiceConfig",field="requestTimeout",actor="user"} 1',
      'driftguard_drift_corrections_total{kind="CloudRunServiceConfig",field="requestTimeout",actor="serviceAccount"} 1',
      'driftguard_drift_corrections_total{kind="CloudRunServiceConfig",field="requestTimeout",actor="unknown"} 1',
    ]);
  });

  it("reports Google calls, breaker states, leadership and connector autoscaling", async () => {
    const m = metrics();
    m.googleRequest("run", "UpdateService", "OK");
    m.googleRequest("run", "UpdateService", "UNAVAILABLE");
    m.breakerState("run", "open");
    m.breakerState("vpcaccess", "halfOpen");
    m.breakerState("monitoring", "closed");
    m.leader(true);
    m.connectorUtilization("projects/p/locations/r/connectors/c", "cpu", 0.82);
    m.connectorScaleEvent("projects/p/locations/r/connectors/c", "scaleUp");
    expect(await samples(m, "driftguard_gcp_requests_total")).toEqual([
      'driftguard_gcp_requests_total{api="run",method="UpdateService",code="OK"} 1',
      'driftguard_gcp_requests_total{api="run",method="UpdateService",code="UNAVAILABLE"} 1',
    ]);
    expect(await samples(m, "driftguard_circuit_breaker_state")).toEqual([
      'driftguard_circuit_breaker_state{api="run"} 2',
      'driftguard_circuit_breaker_state{api="vpcaccess"} 1',
      'driftguard_circuit_breaker_state{api="monitoring"} 0',
    ]);
    expect(await samples(m, "driftguard_leader")).toEqual(["driftguard_leader 1"]);
    expect(await samples(m, "driftguard_connector_utilization")).toEqual([
      'driftguard_connector_utilization{connector="projects/p/locations/r/connectors/c",signal="cpu"} 0.82',
    ]);
    expect(await samples(m, "driftguard_connector_scale_events_total")).toEqual([
      'driftguard_connector_scale_events_total{connector="projects/p/locations/r/connectors/c",action="scaleUp"} 1',
    ]);
  });

  it("recomputes managed-resource and drift gauges from the cached objects on every scrape", async () => {
    const m = metrics();
    const ready = (status: string) => ({ conditions: [{ type: "Ready", status }] });
    let objects = [
      { status: { ...ready("True"), driftCount: 0 } },
      { status: { ...ready("False"), driftCount: 2 } },
      { status: { ...ready("False"), driftCount: 1 } },
      {},
    ];
    m.trackObjects(() => [
      { kind: "CloudRunServiceConfig", objects },
      { kind: "VpcConnectorConfig", objects: [] },
    ]);
    expect(await samples(m, "driftguard_managed_resources")).toEqual([
      'driftguard_managed_resources{kind="CloudRunServiceConfig",ready="True"} 1',
      'driftguard_managed_resources{kind="CloudRunServiceConfig",ready="False"} 2',
      'driftguard_managed_resources{kind="CloudRunServiceConfig",ready="Unknown"} 1',
      'driftguard_managed_resources{kind="VpcConnectorConfig",ready="True"} 0',
      'driftguard_managed_resources{kind="VpcConnectorConfig",ready="False"} 0',
      'driftguard_managed_resources{kind="VpcConnectorConfig",ready="Unknown"} 0',
    ]);
    expect(await samples(m, "driftguard_drift_detected")).toEqual([
      'driftguard_drift_detected{kind="CloudRunServiceConfig"} 2',
      'driftguard_drift_detected{kind="VpcConnectorConfig"} 0',
    ]);
    objects = [{ status: { ...ready("True"), driftCount: 0 } }];
    expect(await samples(m, "driftguard_drift_detected")).toContain(
      'driftguard_drift_detected{kind="CloudRunServiceConfig"} 0',
    );
    expect(await samples(m, "driftguard_managed_resources")).toContain(
      'driftguard_managed_resources{kind="CloudRunServiceConfig",ready="False"} 0',
    );
  });

  it("flags connectors whose spec needs a replacement, by connector name", async () => {
    const m = metrics();
    const synced = (reason: string) => ({ conditions: [{ type: "Synced", status: "False", reason }] });
    m.trackObjects(() => [
      {
        kind: "VpcConnectorConfig",
        objects: [
          { spec: { connector: { name: "staging-connector" } }, status: synced("ReplacementRequired") },
          { spec: { connector: { name: "prod-connector" } }, status: synced("UpToDate") },
        ],
      },
      { kind: "CloudRunServiceConfig", objects: [{ status: synced("ReplacementRequired") }] },
    ]);
    expect(await samples(m, "driftguard_connector_replacement_required")).toEqual([
      'driftguard_connector_replacement_required{connector="staging-connector"} 1',
      'driftguard_connector_replacement_required{connector="prod-connector"} 0',
    ]);
  });
});
