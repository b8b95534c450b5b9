// Google's documented limits, caught by the controller before any call: specs the 1.20 API server stores (it
// cannot check these) end as InvalidSpec naming the field and the limit, and the simulator never hears of them.

import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { condition, Rig, serviceSeed } from "../../support/controller.ts";

const PROJECT = "netra-staging";
const SERVICE = `projects/${PROJECT}/locations/us-central1/services`;

const cases: Array<{ name: string; extra: object; message: string }> = [
  { name: "cpu-nine", extra: { resources: { cpu: "9" } }, message: "spec.resources.cpu: must be at most 8 vCPU" },
  { name: "cpu-nine-int", extra: { resources: { cpu: 9 } }, message: "spec.resources.cpu: must be at most 8 vCPU" },
  {
    name: "memory-for-cpu",
    extra: { resources: { cpu: "1", memory: "8Gi" } },
    message: "spec.resources: memory 8Gi needs at least 2 vCPU, got cpu 1",
  },
  { name: "label-team", extra: { labels: { Team: "core" } }, message: "spec.labels.Team: invalid key" },
  { name: "label-emoji", extra: { labels: { "🚀": "core" } }, message: 'spec.labels["🚀"]: invalid key' },
  {
    name: "env-bytes",
    extra: { env: { A: "é".repeat(20000) } },
    message: "spec.env.A: must be at most 32768 bytes",
  },
];

describe("Google's limits in the controller", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await Rig.start("limits", { sim: { seed: serviceSeed(cases.map((c) => c.name)) } });
  });
  afterAll(() => rig.stop());

  it("refuses each spec as InvalidSpec with the field and the limit, without calling Google", async () => {
    for (const c of cases) {
      await rig.create("CloudRunServiceConfig", c.name, {
        service: { project: PROJECT, region: "us-central1", name: c.name },
        resyncInterval: "1s",
        requestTimeout: "600s",
        ...c.extra,
      });
    }
    for (const c of cases) {
      const object = await rig.waitForCondition("CloudRunServiceConfig", c.name, "Ready", { reason: "InvalidSpec" });
      expect(condition(object, "Ready")?.message).toContain(c.message);
    }
    await sleep(2_000);
    for (const c of cases) expect(rig.callsAbout(`${SERVICE}/${c.name}`)).toEqual([]);
  });
});
