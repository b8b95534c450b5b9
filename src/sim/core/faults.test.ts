import { describe, expect, it } from "vitest";
import { FaultInjector, faultRuleProblems } from "./faults.ts";

describe("FaultInjector", () => {
  it("fails the next `count` calls of a method, by full or short name, then forgets the rule", () => {
    const faults = new FaultInjector();
    faults.add({ method: "GetService", code: "UNAVAILABLE", count: 2 });
    const method = "google.cloud.run.v2.Services/GetService";
    expect(faults.decide(method).error?.code).toBe("UNAVAILABLE");
    expect(faults.decide("google.cloud.run.v2.Services/ListServices").error).toBeUndefined();
    expect(faults.decide(method).error?.code).toBe("UNAVAILABLE");
    expect(faults.decide(method).error).toBeUndefined();
    expect(faults.list()).toEqual([]);
  });

  it("fails with the given probability using its random source", () => {
    const draws = [0.1, 0.9];
    const faults = new FaultInjector(() => draws.shift() ?? 0);
    faults.add({ method: "GetService", code: "INTERNAL", probability: 0.5, latencyMs: 7 });
    expect(faults.decide("x/GetService")).toMatchObject({ delayMs: 7, error: { code: "INTERNAL" } });
    expect(faults.decide("x/GetService")).toEqual({ delayMs: 7 });
  });

  it("fails with Google's details for the code or reason, about the resource the call names", () => {
    const faults = new FaultInjector();
    faults.add({ method: "GetService", reason: "SERVICE_DISABLED", count: 1 });
    faults.add({ method: "GetService", code: "RESOURCE_EXHAUSTED", retryDelaySeconds: 4, count: 1 });
    const method = "google.cloud.run.v2.Services/GetService";
    const disabled = faults.decide(method, "projects/p/locations/l/services/web").error;
    expect(disabled).toMatchObject({ code: "PERMISSION_DENIED", details: [{ reason: "SERVICE_DISABLED" }, {}] });
    const quota = faults.decide(method, "projects/p/locations/l/services/web").error;
    expect(quota?.details.map((d) => d["@type"].split(".").at(-1))).toEqual([
      "ErrorInfo",
      "QuotaFailure",
      "Help",
      "RetryInfo",
    ]);
  });

  it("names every problem of an invalid rule", () => {
    expect(faultRuleProblems({ method: "", code: "OK", probability: 3, count: 0 })).toEqual([
      "method: expected a method name such as GetService",
      'code: expected a gRPC status name other than OK (e.g. UNAVAILABLE), got "OK"',
      "probability: expected a number between 0 and 1",
      "count: expected a positive integer",
    ]);
    expect(faultRuleProblems({ method: "GetService" })).toEqual(["a rule needs a code, a latencyMs, or both"]);
    expect(
      faultRuleProblems({
        method: "GetService",
        code: "UNAVAILABLE",
        reason: "SERVICE_DISABLED",
        retryDelaySeconds: -1,
      }),
    ).toEqual([
      'reason: SERVICE_DISABLED comes with code PERMISSION_DENIED, not "UNAVAILABLE"',
      "retryDelaySeconds: expected a non-negative number of seconds",
    ]);
    expect(faultRuleProblems({ method: "GetService", reason: "NOPE" })[0]).toMatch(/^reason: expected one of/);
  });
});
