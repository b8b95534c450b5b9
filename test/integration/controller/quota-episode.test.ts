// A quota episode: Google answers RESOURCE_EXHAUSTED to every read for a while. Several workers are refused
// at once; the pause must grow once per episode step (a probe after the previous pause, refused again), not
// once per refused call, and everything must be back within one pause of the quota's return.

import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { condition, Rig, serviceSeed } from "../../support/controller.ts";

const PROJECT = "quota-project";
const names = Array.from({ length: 10 }, (_, i) => `svc-${i}`);
const EPISODE_MS = 20_000;

describe("a quota episode", () => {
  let rig: Rig;
  const pauses: Array<{ at: number; pauseMs: number; project: string }> = [];
  beforeAll(async () => {
    rig = await Rig.start("quota", {
      sim: { seed: serviceSeed(names, PROJECT) },
      config: { qps: 10, workers: 4 },
      hooks: { onQuotaPause: (_api, project, pauseMs) => pauses.push({ at: Date.now(), pauseMs, project }) },
    });
    await Promise.all(
      names.map((n) =>
        rig.create("CloudRunServiceConfig", n, {
          service: { project: PROJECT, region: "us-central1", name: n },
          resyncInterval: "1s",
          requestTimeout: "600s",
        }),
      ),
    );
    for (const n of names) {
      await rig.waitFor("CloudRunServiceConfig", n, (o) => condition(o, "Ready")?.status === "True", 60_000);
    }
  });
  afterAll(() => rig.stop());

  it("escalates once per step, not per refused call, and recovers within one pause", async () => {
    rig.sim.control.addFault({ method: "GetService", code: "RESOURCE_EXHAUSTED", message: "Quota exceeded" });
    const startedAt = Date.now();
    await sleep(EPISODE_MS);
    rig.sim.control.clearFaults();
    const endedAt = Date.now();

    // Refused reads come in rounds: the calls in flight together, then the probe after each pause.
    const refused = rig.sim.control
      .requests({ method: "GetService" })
      .filter((r) => r.code === "RESOURCE_EXHAUSTED")
      .map((r) => Date.parse(r.time));
    const rounds = refused.filter((t, i) => i === 0 || t - (refused[i - 1] as number) > 300);
    const gaps = rounds.slice(1).map((t, i) => t - (rounds[i] as number));
    console.log(
      `quota-episode: ${refused.length} refused reads in ${EPISODE_MS / 1000}s, in ${rounds.length} rounds; ` +
        `gaps ${gaps.map((g) => (g / 1000).toFixed(1)).join(", ")}s; pauses ${pauses.map((p) => p.pauseMs).join(", ")}ms`,
    );
    // Back within the pause running when the quota returned (at most double the last gap).
    const lastRound = rounds.at(-1) as number;
    const resumesAt = Math.max(endedAt, lastRound + 2 * (gaps.at(-1) ?? 1000));
    const firstOk = await (async () => {
      for (;;) {
        const ok = rig.sim.control
          .requests({ method: "GetService" })
          .find((r) => r.code === "OK" && Date.parse(r.time) >= startedAt);
        if (ok) return Date.parse(ok.time);
        if (Date.now() - endedAt > 5 * 60_000) throw new Error("no successful read 5 minutes after the quota returned");
        await sleep(100);
      }
    })();
    for (const n of names) {
      await rig.waitForCondition("CloudRunServiceConfig", n, "Synced", { reason: "UpToDate" }, 5 * 60_000);
    }
    const allBackMs = Date.now() - endedAt;
    console.log(
      `quota-episode: first read ${firstOk - endedAt}ms and all UpToDate ${allBackMs}ms after the quota returned`,
    );
    // Each pause at most doubles the one before: one step per round, never several at once.
    expect(gaps.length).toBeGreaterThan(2);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeLessThanOrEqual(2.2 * (gaps[i - 1] as number) + 500);
    expect(new Set(pauses.map((p) => p.project))).toEqual(new Set([PROJECT]));

    expect(firstOk - resumesAt).toBeLessThan(1_500);
    expect(allBackMs).toBeLessThan(Math.max(0, resumesAt - endedAt) + 5_000);
  });
});
