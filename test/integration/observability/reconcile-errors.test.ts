// controller_runtime_reconcile_errors_total counts what controller-runtime counts: every reconcile that
// ends in an error, whether it is retried with backoff (Google unavailable) or left for the next resync
// (an IAM denial, which retrying cannot fix). A pass that succeeds counts none.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DriftguardMetrics } from "../../../src/observability/metrics.ts";
import { condition, Rig, serviceSeed } from "../../support/controller.ts";
import { until } from "../../support/until.ts";

const PROJECT = "errors-project";
const spec = (service: string) => ({
  service: { project: PROJECT, region: "us-central1", name: service },
  resyncInterval: "1s",
  requestTimeout: "600s",
});

async function errorsCounted(metrics: DriftguardMetrics): Promise<number> {
  const text = await metrics.render();
  const line = /^controller_runtime_reconcile_errors_total\{controller="cloudrunserviceconfig"\} (\d+)$/m.exec(text);
  return Number(line?.[1] ?? 0);
}

describe("controller_runtime_reconcile_errors_total", () => {
  const metrics = new DriftguardMetrics({ processMetrics: false });
  let rig: Rig;
  beforeAll(async () => {
    rig = await Rig.start("reconcile-errors", {
      sim: { seed: serviceSeed(["healthy", "unavailable", "denied"], PROJECT) },
      hooks: { metrics },
    });
  });
  afterAll(() => rig.stop());

  it("does not move while reconciles succeed", async () => {
    await rig.create("CloudRunServiceConfig", "healthy", spec("healthy"));
    await rig.waitFor("CloudRunServiceConfig", "healthy", (o) => condition(o, "Ready")?.status === "True");
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // a few quiet resyncs
    expect(await errorsCounted(metrics)).toBe(0);
    expect(await metrics.render()).toMatch(
      /controller_runtime_reconcile_total\{controller="cloudrunserviceconfig",result="requeue_after"\} [1-9]/,
    );
  });

  it.each([
    ["retried errors (Google unavailable)", "unavailable", "UNAVAILABLE", "Unavailable"],
    ["errors retrying cannot fix (an IAM denial)", "denied", "PERMISSION_DENIED", "PermissionDenied"],
  ] as const)("counts %s", async (_what, service, code, reason) => {
    const before = await errorsCounted(metrics);
    rig.sim.control.addFault({ method: "GetService", code, message: "injected" });
    try {
      await rig.create("CloudRunServiceConfig", service, spec(service));
      await rig.waitForCondition("CloudRunServiceConfig", service, "Synced", { status: "False", reason });
      // The pass writes its status before it returns; the manager counts it once it has returned.
      const after = await until("the failed pass to be counted", async () => {
        const counted = await errorsCounted(metrics);
        return counted > before && counted;
      });
      expect(after).toBeGreaterThan(before);
      expect(await metrics.render()).toMatch(
        /controller_runtime_reconcile_total\{controller="cloudrunserviceconfig",result="error"\} [1-9]/,
      );
    } finally {
      rig.sim.control.clearFaults();
    }
  });
});
