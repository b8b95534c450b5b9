import { describe, expect, it } from "vitest";
import type { MetricsReading } from "../../gcp/monitoring.ts";
import { metricsProblem } from "./autoscale.ts";

const reading = (ageMs: number): MetricsReading => ({
  ok: true,
  utilization: { cpu: 0.5, throughput: 0.4, instances: 3, ageMs },
});
const policy = { pollIntervalMs: 30_000 };

describe("metricsProblem", () => {
  it("accepts data as old as Monitoring's declared lag plus two poll intervals", () => {
    expect(metricsProblem(reading(0), policy, 0)).toBeUndefined();
    expect(metricsProblem(reading(60_000), policy, 0)).toBeUndefined();
    expect(metricsProblem(reading(180_000 + 60_000), policy, 180_000)).toBeUndefined();
  });

  it("calls anything older stale, saying how old and what the limit is", () => {
    expect(metricsProblem(reading(61_000), policy, 0)).toEqual({
      reason: "StaleMetrics",
      message: "newest utilization is 61s old (limit 60s); autoscaling holds",
    });
    expect(metricsProblem(reading(241_000), policy, 180_000)?.message).toBe(
      "newest utilization is 241s old (limit 240s); autoscaling holds",
    );
  });

  it("passes a failed read through with its own reason", () => {
    expect(metricsProblem({ ok: false, reason: "NoData", problem: "no points" }, policy, 180_000)).toEqual({
      reason: "NoData",
      message: "no points; autoscaling holds",
    });
  });
});
