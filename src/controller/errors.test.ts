import { describe, expect, it } from "vitest";
import { GoogleCallError } from "../gcp/errors.ts";
import { classifyReconcileError } from "./errors.ts";

describe("classifyReconcileError", () => {
  it("keeps Google's classification and hint for errors raised by the call guard", () => {
    const classification = {
      reason: "PermissionDenied" as const,
      code: "PERMISSION_DENIED" as const,
      retryable: false,
      hint: "grant run.services.get",
      message: "denied",
    };
    expect(classifyReconcileError(new GoogleCallError(classification, { api: "run", method: "getService" }))).toEqual({
      reason: "PermissionDenied",
      message: "denied. grant run.services.get",
      retryable: false,
    });
  });

  it("classifies a failed operation's google.rpc.Status as Google's", () => {
    const result = classifyReconcileError({ code: 9, message: "Revision 'x' is not ready", details: [] });
    expect(result.reason).toBe("FailedPrecondition");
    expect(result.message).toContain("Revision 'x' is not ready");
  });

  it("reports a Kubernetes failure as the controller's own, retryable, with the whole cause chain", () => {
    const cause = new Error("422 Unprocessable Entity: status.drift[0].live: Invalid value");
    const err = new Error("writing status of cloudrunserviceconfigs.driftguard.dev a/b failed", { cause });
    expect(classifyReconcileError(err)).toEqual({
      reason: "ControllerError",
      message:
        "writing status of cloudrunserviceconfigs.driftguard.dev a/b failed: 422 Unprocessable Entity: status.drift[0].live: Invalid value",
      retryable: true,
    });
  });

  it("does not mistake an HTTP-coded object for a gRPC status", () => {
    expect(classifyReconcileError({ code: 409, message: "Conflict" }).reason).toBe("ControllerError");
  });
});
