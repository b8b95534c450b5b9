import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { auditConfig, auditOptions, type AuditOptions } from "./audit-run.ts";

function parse(args: string[], env: Record<string, string> = {}): AuditOptions {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const command = auditOptions(new Command("run"))
      .exitOverride()
      .configureOutput({ writeErr: () => undefined });
    command.parse(["node", "run", ...args]);
    return command.opts<AuditOptions>();
  } finally {
    process.env = saved;
  }
}

describe("driftguard run's audit flags", () => {
  it("turn the audit feed on, from the flag or the environment", () => {
    const flag = parse(["--audit-subscription", "projects/netra-prod/subscriptions/driftguard-audit"]);
    expect(auditConfig(flag)).toEqual({
      audit: { subscription: "projects/netra-prod/subscriptions/driftguard-audit" },
    });
    const env = parse([], {
      DRIFTGUARD_AUDIT_SUBSCRIPTION: "projects/netra-prod/subscriptions/s-1",
      DRIFTGUARD_AUDIT_PRINCIPAL: "driftguard@netra-prod.iam.gserviceaccount.com",
    });
    expect(auditConfig(env)).toEqual({
      audit: {
        subscription: "projects/netra-prod/subscriptions/s-1",
        selfPrincipal: "driftguard@netra-prod.iam.gserviceaccount.com",
      },
    });
    expect(auditConfig(parse([]))).toEqual({});
  });

  it("refuse a subscription that is not a full name, naming the flag", () => {
    for (const value of ["driftguard-audit", "projects/P/subscriptions/s", "projects/netra-prod/topics/audit"]) {
      expect(() => parse(["--audit-subscription", value])).toThrow(/--audit-subscription must be projects\/PROJECT/);
    }
  });
});
