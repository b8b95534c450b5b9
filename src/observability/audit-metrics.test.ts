import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { AuditMetrics } from "./audit-metrics.ts";

describe("AuditMetrics", () => {
  it("counts messages by outcome, tells when the last arrived, and follows the subscription", async () => {
    const registry = new Registry();
    const metrics = new AuditMetrics(registry);
    metrics.message("enqueued", 1_764_590_584_000);
    metrics.message("malformed", 1_764_590_585_500);
    metrics.subscription("connected");
    metrics.subscription("degraded");
    const text = await registry.metrics();
    expect(text).toContain('driftguard_audit_messages_total{outcome="enqueued"} 1');
    expect(text).toContain('driftguard_audit_messages_total{outcome="malformed"} 1');
    expect(text).toContain("driftguard_audit_last_message_timestamp_seconds 1764590585.5");
    expect(text).toContain("driftguard_audit_subscription_up 0");
    expect(text).toContain("driftguard_audit_subscription_errors_total 1");
  });
});
