// Recovery after a long stretch of random UNAVAILABLE answers: while Google half-fails, failing objects
// back off further and further; once it answers again, they must not sit out delays that grew during the
// fault. Everything converges within a few resync intervals of the fault's end.

import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GROUP, VERSION } from "../../../src/api/common.ts";
import type { ManagedObject } from "../../../src/kinds/kind.ts";
import { condition, Rig, serviceSeed } from "../../support/controller.ts";

const PROJECT = "netra-staging";
const COUNT = 30;
const RESYNC_S = 5;
const FAULT_MS = 45_000;
const names = Array.from({ length: COUNT }, (_, i) => `svc-${i}`);

describe("recovery after random UNAVAILABLE", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await Rig.start("recovery", {
      sim: { seed: serviceSeed(names, PROJECT) },
      // The default breaker threshold, and a rate at which the remaining work takes a few seconds, so what
      // is measured is the retry back-off; a short open interval keeps the test short.
      config: { qps: 10, workers: 4, breakerHalfOpenAfterMs: 5_000 },
    });
  });
  afterAll(() => rig.stop());

  const converged = async () => {
    const list = (await rig.custom.listNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: rig.namespace,
      plural: "cloudrunserviceconfigs",
    })) as { items: ManagedObject[] };
    const ready = list.items.filter(
      (o) => condition(o, "Ready")?.status === "True" && condition(o, "Synced")?.reason === "UpToDate",
    );
    const applied = names.filter(
      (n) => rig.service(`projects/${PROJECT}/locations/us-central1/services/${n}`).template.timeout === "600s",
    );
    return ready.length === COUNT && applied.length === COUNT;
  };

  it(`converges within a few resync intervals (${RESYNC_S}s) after the fault ends`, async () => {
    for (const method of ["GetService", "UpdateService", "GetOperation"]) {
      rig.sim.control.addFault({ method, code: "UNAVAILABLE", probability: 0.5 });
    }
    await Promise.all(
      names.map((n) =>
        rig.create("CloudRunServiceConfig", n, {
          service: { project: PROJECT, region: "us-central1", name: n },
          resyncInterval: `${RESYNC_S}s`,
          requestTimeout: "600s",
        }),
      ),
    );
    await sleep(FAULT_MS);
    rig.sim.control.clearFaults();
    const endedAt = Date.now();
    while (!(await converged())) {
      if (Date.now() - endedAt > 10 * 60_000) throw new Error("not converged 10 minutes after the fault ended");
      await sleep(200);
    }
    const tookMs = Date.now() - endedAt;
    console.log(
      `fault-recovery: ${COUNT} configs converged ${(tookMs / 1000).toFixed(1)}s after ${FAULT_MS / 1000}s of 50% UNAVAILABLE`,
    );
    expect(tookMs).toBeLessThan(4 * RESYNC_S * 1000);
  });
});
