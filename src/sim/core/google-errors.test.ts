import { describe, expect, it } from "vitest";
import { googleError, retryAfterSeconds } from "./google-errors.ts";

const GET = { method: "google.cloud.run.v2.Services/GetService", resource: "projects/p/locations/l/services/web" };
const PATCH = {
  method: "google.cloud.vpcaccess.v1.VpcAccessService/PatchConnector",
  resource: "projects/p/locations/l/connectors/edge",
};
const type = (name: string) => `type.googleapis.com/google.rpc.${name}`;

describe("googleError", () => {
  it("gives RESOURCE_EXHAUSTED the ErrorInfo RATE_LIMIT_EXCEEDED with quota metric and limit, and a QuotaFailure", () => {
    const error = googleError({ code: "RESOURCE_EXHAUSTED" }, PATCH);
    expect(error.code).toBe("RESOURCE_EXHAUSTED");
    expect(error.details[0]).toEqual({
      "@type": type("ErrorInfo"),
      reason: "RATE_LIMIT_EXCEEDED",
      domain: "googleapis.com",
      metadata: {
        consumer: "projects/p",
        service: "vpcaccess.googleapis.com",
        quota_metric: "vpcaccess.googleapis.com/write_requests",
        quota_limit: "WriteRequestsPerMinutePerProject",
        quota_location: "global",
      },
    });
    expect(error.details[1]).toMatchObject({
      "@type": type("QuotaFailure"),
      violations: [{ subject: "project:p", quotaMetric: "vpcaccess.googleapis.com/write_requests" }],
    });
    expect(googleError({ reason: "RATE_LIMIT_EXCEEDED" }, GET).details[0]?.metadata).toMatchObject({
      quota_limit: "ReadRequestsPerMinutePerProject",
    });
  });

  it("gives PERMISSION_DENIED the ErrorInfo IAM_PERMISSION_DENIED naming the permission and resource", () => {
    const error = googleError({ code: "PERMISSION_DENIED" }, GET);
    expect(error.message).toBe(
      "Permission 'run.services.get' denied on resource 'projects/p/locations/l/services/web' (or it may not exist).",
    );
    expect(error.details).toEqual([
      {
        "@type": type("ErrorInfo"),
        reason: "IAM_PERMISSION_DENIED",
        domain: "googleapis.com",
        metadata: { permission: "run.services.get", resource: GET.resource },
      },
    ]);
  });

  it("gives SERVICE_DISABLED the consumer, the service and its activation link", () => {
    const error = googleError({ reason: "SERVICE_DISABLED" }, GET);
    expect(error.code).toBe("PERMISSION_DENIED");
    expect(error.message).toMatch(/^Cloud Run Admin API has not been used in project p before or it is disabled/);
    expect(error.details[0]).toMatchObject({
      reason: "SERVICE_DISABLED",
      metadata: {
        consumer: "projects/p",
        service: "run.googleapis.com",
        activationUrl: "https://console.developers.google.com/apis/api/run.googleapis.com/overview?project=p",
      },
    });
    expect(error.details[1]).toMatchObject({ "@type": type("Help") });
  });

  it("names the missing resource for NOT_FOUND and keeps a given message", () => {
    const error = googleError({ code: "NOT_FOUND", message: "gone" }, GET);
    expect(error.message).toBe("gone");
    expect(error.details).toEqual([
      expect.objectContaining({ "@type": type("ResourceInfo"), resourceName: GET.resource }),
    ]);
  });

  it("sends Google's canonical text for ABORTED and UNAVAILABLE, and RetryInfo only when asked", () => {
    expect(googleError({ code: "UNAVAILABLE" }, GET)).toMatchObject({
      message: "The service is currently unavailable.",
      details: [],
    });
    expect(googleError({ code: "ABORTED" }, GET).message).toMatch(/^The operation was aborted/);
    expect(googleError({ code: "ALREADY_EXISTS" }, GET).message).toMatch(/already exists/);
    expect(googleError({ code: "NOT_FOUND" }, { method: GET.method }).message).toBe(
      "Some requested entity was not found.",
    );
    const retry = googleError({ code: "UNAVAILABLE", retryDelaySeconds: 2.5 }, GET);
    expect(retry.details).toEqual([{ "@type": type("RetryInfo"), retryDelay: "2.5s" }]);
    expect(retryAfterSeconds(retry)).toBe(3);
    expect(retryAfterSeconds(googleError({ code: "UNAVAILABLE" }, GET))).toBeUndefined();
  });
});
