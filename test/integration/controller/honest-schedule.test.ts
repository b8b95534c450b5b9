// Declared resync intervals that the configured call rate cannot meet: the controller says so (a Warning
// Event and the check-interval histogram), and the checks it can afford are spread evenly over every
// object, oldest first, so none starves.

import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { condition, Rig, serviceSeed } from "../../support/controller.ts";

const PROJECT = "schedule-project";
const names = Array.from({ length: 12 }, (_, i) => `svc-${i}`);
const QPS = 3;
const service = (n: string) => `projects/${PROJECT}/locations/us-central1/services/${n}`;

describe("resync intervals the call rate cannot meet", () => {
  let rig: Rig;
  const intervals: number[] = [];
  beforeAll(async () => {
    rig = await Rig.start("schedule", {
      sim: { seed: serviceSeed(names, PROJECT) },
      config: { qps: QPS, globalQps: QPS, scheduleAuditMs: 2_000 },
      hooks: {
        metrics: {
          reconciled: () => undefined,
          checkInterval: (controller, seconds) => controller === "cloudrunserviceconfig" && intervals.push(seconds),
        },
      },
    });
    // In sync from the start (the seed's timeout), so every check is exactly one read.
    await Promise.all(
      names.map((n) =>
        rig.create("CloudRunServiceConfig", n, {
          service: { project: PROJECT, region: "us-central1", name: n },
          resyncInterval: "1s",
          requestTimeout: "300s",
        }),
      ),
    );
    for (const n of names) {
      await rig.waitFor("CloudRunServiceConfig", n, (o) => condition(o, "Ready")?.status === "True", 60_000);
    }
  });
  afterAll(() => rig.stop());

  it("warns with the numbers, measures the real interval, and checks every object evenly", async () => {
    const windowStart = Date.now();
    await sleep(12_000);
    const reads = rig.sim.control
      .requests({ method: "GetService" })
      .filter((r) => Date.parse(r.time) >= windowStart + 2_000 && Date.parse(r.time) < windowStart + 12_000);
    const perObject = names.map((n) => reads.filter((r) => r.resource === service(n)).length);
    console.log(`honest-schedule: reads per object in 10s: ${perObject.join(" ")}`);
    // 12 objects asking for one read a second each, at 3 reads a second: 2 to 3 reads each in 10 s.
    expect(reads.length).toBeLessThanOrEqual(QPS * 10 + 2 * QPS);
    expect(Math.min(...perObject)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...perObject) - Math.min(...perObject)).toBeLessThanOrEqual(1);

    const events = (await rig.events()).filter((e) => e.reason === "ResyncIntervalNotMet");
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]?.type).toBe("Warning");
    expect(events[0]?.note).toContain(`12 objects in project ${PROJECT} need 12.0 run reads/s`);
    expect(events[0]?.note).toContain(`allow ${QPS}.0/s`);

    // The histogram sees the interval as it is: about 4s (12 objects / 3 per second), not the declared 1s.
    const recent = intervals.slice(-24);
    const median = [...recent].sort((a, b) => a - b)[Math.floor(recent.length / 2)] as number;
    expect(median).toBeGreaterThan(3);
    expect(median).toBeLessThan(6);
  });
});
