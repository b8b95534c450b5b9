import { describe, expect, it } from "vitest";
import { DRIFTGUARD_USER_AGENT } from "../gcp/connection.ts";
import { actorKind, isOwnWrite, toolFromUserAgent } from "./audit-actor.ts";

describe("actorKind", () => {
  it("tells service accounts from people, and knows nothing without a principal", () => {
    expect(actorKind("deploy@prod-1.iam.gserviceaccount.com")).toBe("serviceAccount");
    expect(actorKind("123456789012-compute@developer.gserviceaccount.com")).toBe("serviceAccount");
    expect(actorKind("service-123@gcp-sa-logging.iam.gserviceaccount.com")).toBe("serviceAccount");
    expect(actorKind("alice@example.com")).toBe("user");
    expect(actorKind("gserviceaccount.com.attacker@example.com")).toBe("user");
    expect(actorKind("")).toBe("unknown");
  });
});

describe("toolFromUserAgent", () => {
  it.each([
    ["google-cloud-sdk gcloud/528.0.0 command/gcloud.run.services.update invocation-id/abc environment/None", "gcloud"],
    ["google-cloud-sdk gcloud/527.0.0", "gcloud"],
    [
      "kcc/1.120.0 (+https://github.com/GoogleCloudPlatform/k8s-config-connector) kcc/controller-manager/1.120.0",
      "config-connector",
    ],
    [
      "Terraform/1.5.7 (+https://www.terraform.io) Terraform-Plugin-SDK/2.10.1 terraform-provider-google/5.10.0",
      "terraform",
    ],
    ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36,gzip(gfe),gzip(gfe)", "console"],
    ["grpc-node-js/1.13.4", "node-client"],
    [`${DRIFTGUARD_USER_AGENT} grpc-node-js/1.13.4`, "driftguard"],
    ["google-api-go-client/0.5 gl-go/1.22", "go-client"],
    ["gl-python/3.12 grpc/1.60 gax/2.1 gapic/0.1", "python-client"],
  ])("%s → %s", (userAgent, tool) => {
    expect(toolFromUserAgent(userAgent)).toBe(tool);
  });

  it("names no tool it does not recognise", () => {
    expect(toolFromUserAgent("")).toBeUndefined();
    expect(toolFromUserAgent("curl/8.5.0")).toBeUndefined();
    expect(toolFromUserAgent("notdriftguard/1.0")).toBeUndefined();
  });
});

describe("isOwnWrite", () => {
  const own = {
    principal: "driftguard@ops-1.iam.gserviceaccount.com",
    userAgent: `${DRIFTGUARD_USER_AGENT} grpc-node-js/1.13.4`,
  };

  it("is driftguard's user agent, and its principal when that is configured", () => {
    expect(isOwnWrite(own, {})).toBe(true);
    expect(isOwnWrite(own, { principal: "DRIFTGUARD@ops-1.iam.gserviceaccount.com" })).toBe(true);
  });

  it("counts another installation's writes (same user agent, other principal) as drift", () => {
    expect(isOwnWrite(own, { principal: "driftguard@other.iam.gserviceaccount.com" })).toBe(false);
  });

  it("counts anything else under driftguard's principal (someone using its key with gcloud) as drift", () => {
    expect(isOwnWrite({ ...own, userAgent: "google-cloud-sdk gcloud/528.0.0" }, { principal: own.principal })).toBe(
      false,
    );
    expect(isOwnWrite({ ...own, userAgent: "" }, {})).toBe(false);
  });
});
