// The alerts in deploy/base/prometheus-rule.yaml, evaluated by Prometheus's own rule engine (`promtool
// test rules`) on synthetic series: each alert fires in the situation it describes and stays silent in a
// near miss. The rule file is used as shipped; only its PrometheusRule wrapper is taken off.

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";

const RULE_FILE = fileURLToPath(new URL("../../../deploy/base/prometheus-rule.yaml", import.meta.url));

interface Rule {
  alert: string;
  annotations: { summary: string; description: string };
  labels: Record<string, string>;
}
const groups = (parse(readFileSync(RULE_FILE, "utf8")) as { spec: { groups: Array<{ rules: Rule[] }> } }).spec.groups;
const shipped = groups.flatMap((g) => g.rules);

interface AlertCase {
  alert: string;
  situation: string;
  /** promtool's expanding notation, one sample per minute: "0+1x30" counts up by one for 30 minutes. */
  series: Record<string, string>;
  at: string;
  /** The alert's own labels and its rendered summary when it must fire; undefined when it must not. */
  fires?: { labels: Record<string, string>; summary: string };
}

const CASES: AlertCase[] = [
  {
    alert: "DriftguardReconcileErrors",
    situation: "reconciles fail for 30 minutes (a Google outage or an IAM denial)",
    series: { 'controller_runtime_reconcile_errors_total{controller="cloudrunserviceconfig"}': "0+6x30" },
    at: "30m",
    fires: {
      labels: { controller: "cloudrunserviceconfig" },
      summary: "driftguard reconciles of cloudrunserviceconfig keep failing",
    },
  },
  {
    alert: "DriftguardReconcileErrors",
    situation: "a 5-minute burst of errors that ended 20 minutes ago",
    series: { 'controller_runtime_reconcile_errors_total{controller="cloudrunserviceconfig"}': "0+6x5 30x25" },
    at: "30m",
  },
  {
    alert: "DriftguardDriftCorrectionsSpiking",
    situation: "two fields of one kind corrected 30 times in 30 minutes",
    series: {
      'driftguard_drift_corrections_total{kind="CloudRunServiceConfig",field="requestTimeout"}': "0+1x30",
      'driftguard_drift_corrections_total{kind="CloudRunServiceConfig",field="env"}': "0+1x30",
    },
    at: "30m",
    fires: {
      labels: { kind: "CloudRunServiceConfig" },
      summary: "driftguard corrected 60 drifts of CloudRunServiceConfig in 30 minutes",
    },
  },
  {
    alert: "DriftguardDriftCorrectionsSpiking",
    situation: "a handful of corrections in 30 minutes",
    series: { 'driftguard_drift_corrections_total{kind="CloudRunServiceConfig",field="env"}': "0+0.1x30" },
    at: "30m",
  },
  {
    alert: "DriftguardConnectorHighUtilization",
    situation: "a connector above 80% for 20 minutes",
    series: { 'driftguard_connector_utilization{connector="private-net",signal="throughput"}': "0.9x20" },
    at: "20m",
    fires: { labels: { connector: "private-net" }, summary: "VPC connector private-net is above 80% utilization" },
  },
  {
    alert: "DriftguardConnectorHighUtilization",
    situation: "a 5-minute peak above 80%, then back to normal",
    series: { 'driftguard_connector_utilization{connector="private-net",signal="throughput"}': "0.5x10 0.95x5 0.5x5" },
    at: "20m",
  },
  {
    alert: "DriftguardConnectorReplacementRequired",
    situation: "a connector's spec asks for less than it has, for 10 minutes",
    series: { 'driftguard_connector_replacement_required{connector="private-net"}': "1x10" },
    at: "10m",
    fires: {
      labels: { connector: "private-net" },
      summary: "VPC connector private-net must be replaced to reach its declared size",
    },
  },
  {
    alert: "DriftguardConnectorReplacementRequired",
    situation: "connectors that match their spec",
    series: { 'driftguard_connector_replacement_required{connector="private-net"}': "0x10" },
    at: "10m",
  },
  {
    alert: "DriftguardNoLeader",
    situation: "both replicas standing by for 10 minutes",
    series: { 'driftguard_leader{pod="driftguard-a"}': "0x10", 'driftguard_leader{pod="driftguard-b"}': "0x10" },
    at: "10m",
    fires: { labels: {}, summary: "no driftguard replica holds the leader Lease" },
  },
  {
    alert: "DriftguardNoLeader",
    situation: "one leader and one standby",
    series: { 'driftguard_leader{pod="driftguard-a"}': "1x10", 'driftguard_leader{pod="driftguard-b"}': "0x10" },
    at: "10m",
  },
  {
    alert: "DriftguardMetricsAbsent",
    situation: "no replica scraped for 15 minutes",
    series: { 'up{job="something-else"}': "1x15" },
    at: "15m",
    fires: { labels: {}, summary: "no driftguard replica is being scraped" },
  },
  {
    alert: "DriftguardMetricsAbsent",
    situation: "a replica being scraped",
    series: { 'driftguard_leader{pod="driftguard-a"}': "1x15" },
    at: "15m",
  },
];

const work = mkdtempSync(join(tmpdir(), "driftguard-promtool-"));
writeFileSync(join(work, "rules.yaml"), stringify({ groups }));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function promtoolTest(c: AlertCase, file: string): Promise<{ code: number; output: string }> {
  const rule = shipped.find((r) => r.alert === c.alert);
  if (!rule) throw new Error(`${c.alert} is not in ${RULE_FILE}`);
  const expected = c.fires
    ? [
        {
          exp_labels: { ...rule.labels, ...c.fires.labels },
          exp_annotations: { summary: c.fires.summary, description: rule.annotations.description },
        },
      ]
    : [];
  const test = {
    rule_files: ["rules.yaml"],
    evaluation_interval: "1m",
    tests: [
      {
        interval: "1m",
        input_series: Object.entries(c.series).map(([series, values]) => ({ series, values })),
        alert_rule_test: [{ eval_time: c.at, alertname: c.alert, exp_alerts: expected }],
      },
    ],
  };
  writeFileSync(join(work, file), stringify(test));
  return new Promise((resolve) => {
    execFile("promtool", ["test", "rules", file], { cwd: work }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe("deploy/base/prometheus-rule.yaml under promtool", () => {
  it("has a firing and a silent case for every alert it ships", () => {
    for (const { alert } of shipped) {
      const cases = CASES.filter((c) => c.alert === alert);
      expect(
        cases.map((c) => c.fires !== undefined),
        alert,
      ).toEqual(expect.arrayContaining([true, false]));
    }
    expect(new Set(CASES.map((c) => c.alert))).toEqual(new Set(shipped.map((r) => r.alert)));
  });

  it.each(CASES.map((c, i) => [c.alert, c.fires ? "fires" : "stays silent", c.situation, c, i] as const))(
    "%s %s when %s",
    async (_alert, _verdict, _situation, c, i) => {
      const result = await promtoolTest(c, `case-${i}.yaml`);
      expect(result.output).toContain("SUCCESS");
      expect(result.code).toBe(0);
    },
  );
});
