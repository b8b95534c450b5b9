// The shard alert of deploy/components/shards, evaluated by Prometheus's own rule engine (`promtool test
// rules`) on synthetic series of the four replicas of three shards: it fires when a shard has had no leader
// for five minutes and stays silent while every shard has one or during a short handover. The rule group is
// used as the component adds it.

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";

const PATCH_FILE = fileURLToPath(new URL("../../../deploy/components/shards/prometheus-rule.yaml", import.meta.url));

interface Rule {
  alert: string;
  labels: Record<string, string>;
  annotations: { summary: string; description: string };
}
const [patch] = parse(readFileSync(PATCH_FILE, "utf8")) as Array<{ value: { name: string; rules: Rule[] } }>;
const group = patch?.value;
const rule = group?.rules.find((r) => r.alert === "DriftguardShardWithoutLeader");

const work = mkdtempSync(join(tmpdir(), "driftguard-promtool-shards-"));
writeFileSync(join(work, "rules.yaml"), stringify({ groups: [group] }));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const pods = (values: [string, string, string, string]) =>
  Object.fromEntries(values.map((v, i) => [`driftguard_leader{pod="driftguard-${i}"}`, v]));

function promtool(series: Record<string, string>, at: string, fires: string | undefined, file: string) {
  const expected =
    fires && rule
      ? [{ exp_labels: rule.labels, exp_annotations: { summary: fires, description: rule.annotations.description } }]
      : [];
  const test = {
    rule_files: ["rules.yaml"],
    evaluation_interval: "1m",
    tests: [
      {
        interval: "1m",
        input_series: Object.entries(series).map(([s, values]) => ({ series: s, values })),
        alert_rule_test: [{ eval_time: at, alertname: "DriftguardShardWithoutLeader", exp_alerts: expected }],
      },
    ],
  };
  writeFileSync(join(work, file), stringify(test));
  return new Promise<{ code: number; output: string }>((resolve) => {
    execFile("promtool", ["test", "rules", file], { cwd: work }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe("DriftguardShardWithoutLeader under promtool", () => {
  it("is in the group the component adds", () => {
    expect(group?.name).toBe("driftguard-shards");
    expect(rule?.labels).toEqual({ severity: "critical" });
  });

  it.each(
    [
      {
        situation: "one of three shards has had no leader for 10 minutes (two replicas down)",
        series: pods(["1x10", "1x10", "0x10", "0x10"]),
        fires: "only 2 of 3 driftguard shards have a leader",
      },
      { situation: "every shard has a leader and the spare stands by", series: pods(["1x10", "1x10", "1x10", "0x10"]) },
      {
        situation: "a shard's leader dies and the spare takes over two minutes later",
        series: pods(["1x10", "1x10", "1x5 _x5", "0x7 1x3"]),
      },
    ].map((c, i) => ({ ...c, file: `case-${i}.yaml` })),
  )("$situation", async ({ series, fires, file }) => {
    const result = await promtool(series, "10m", fires, file);
    expect(result.output).toContain("SUCCESS");
    expect(result.code).toBe(0);
  });
});
