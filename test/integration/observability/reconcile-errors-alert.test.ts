// The shipped DriftguardReconcileErrors alert, end to end: a real Prometheus scrapes a real `driftguard run`
// (real kube-apiserver, simulator through the real Google clients) and evaluates deploy/base's rules. While
// Google answers, the alert stays silent; during an injected Google outage it reaches the firing state, as
// Prometheus's own /api/v1/alerts reports it.
//
// The rules are the shipped ones, except for one value: the alert's `for: 15m` becomes `for: 5s` in the
// copy Prometheus loads, so the test waits seconds instead of a quarter of an hour. Its expression (the
// metric, the 10-minute rate window, the threshold) is used exactly as shipped.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { serviceSeed } from "../../support/controller.ts";
import { startRun, type DriftguardProcess } from "../../support/driftguard-process.ts";
import { createCloudRunConfig, createNamespace } from "../../support/kube.ts";
import { until } from "../../support/until.ts";
import { PrometheusServer } from "./prometheus.ts";

const ALERT = "DriftguardReconcileErrors";
const TEST_FOR = "5s";
const RULE_FILE = fileURLToPath(new URL("../../../deploy/base/prometheus-rule.yaml", import.meta.url));

interface RuleGroup {
  rules: Array<{ alert?: string; for?: string }>;
}

/** The shipped rule groups with only the alert's `for:` shortened. */
function rulesForTest(): RuleGroup[] {
  const groups = (parse(readFileSync(RULE_FILE, "utf8")) as { spec: { groups: RuleGroup[] } }).spec.groups;
  const rule = groups.flatMap((g) => g.rules).find((r) => r.alert === ALERT);
  if (!rule) throw new Error(`${ALERT} is not in ${RULE_FILE}`);
  expect(rule.for, "the shipped hold time this test shortens").toBe("15m");
  rule.for = TEST_FOR;
  return groups;
}

describe(`${ALERT} with a real Prometheus`, () => {
  let sim: Simulator;
  let driftguard: DriftguardProcess;
  let prometheus: PrometheusServer;
  let namespace: string;

  beforeAll(async () => {
    sim = await startSimulator({ operationLatencyMs: 50, seed: serviceSeed(["api"], "alerts-project") });
    namespace = await createNamespace("alerts");
    driftguard = await startRun({
      sim,
      namespaces: [namespace],
      leaderElection: false,
      flags: ["--health-bind-address=127.0.0.1", "--log-level=warn"],
    });
    await createCloudRunConfig(namespace, "api", {
      service: { project: "alerts-project", region: "us-central1", name: "api" },
      resyncInterval: "1s",
      requestTimeout: "600s",
    });
    prometheus = await PrometheusServer.start([`127.0.0.1:${driftguard.healthPort}`], rulesForTest());
  });
  afterAll(async () => {
    await prometheus?.stop();
    await driftguard?.stop();
    await sim?.stop();
  });

  const alert = async () => (await prometheus.alerts()).find((a) => a.labels.alertname === ALERT);

  it("stays silent while Google answers", async () => {
    const diagnose = (err: Error) => {
      throw new Error(`${err.message}\n--- driftguard\n${driftguard.output()}\n--- prometheus\n${prometheus.output}`);
    };
    await until(
      "Prometheus to see the object Ready",
      async () => {
        const ready = await prometheus.query('driftguard_managed_resources{kind="CloudRunServiceConfig",ready="True"}');
        return ready === 1;
      },
      30_000,
    ).catch(diagnose);
    // Several evaluations after a healthy period: longer than the shortened hold time.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    expect(await prometheus.query('sum(up{job="driftguard"})')).toBe(1);
    expect(await alert()).toBeUndefined();
  });

  it("fires during a Google outage", async () => {
    for (const method of ["GetService", "UpdateService", "GetOperation"]) {
      sim.control.addFault({ method, code: "UNAVAILABLE", message: "injected outage" });
    }
    const firing = await until(
      `${ALERT} to fire`,
      async () => {
        const a = await alert();
        return a?.state === "firing" ? a : undefined;
      },
      60_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- driftguard\n${driftguard.output()}\n--- prometheus\n${prometheus.output}`);
    });
    expect(firing.labels).toMatchObject({ controller: "cloudrunserviceconfig", severity: "warning" });
    expect(firing.annotations.summary).toBe("driftguard reconciles of cloudrunserviceconfig keep failing");
    const errors = await prometheus.query(
      'controller_runtime_reconcile_errors_total{controller="cloudrunserviceconfig"}',
    );
    expect(errors).toBeGreaterThan(0);
  });
});
