import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { EventRecorder, formatMicroTime, NOTE_LIMIT_BYTES, truncateNote, type EventInput } from "./events.ts";

describe("formatMicroTime", () => {
  it("writes six fractional digits in UTC", () => {
    expect(formatMicroTime(new Date("2025-02-03T04:05:06.789Z"))).toBe("2025-02-03T04:05:06.789000Z");
    expect(formatMicroTime(new Date(0))).toBe("1970-01-01T00:00:00.000000Z");
  });
});

describe("truncateNote", () => {
  it("keeps notes within the limit unchanged", () => {
    const note = "x".repeat(NOTE_LIMIT_BYTES);
    expect(truncateNote(note)).toBe(note);
  });

  it("cuts long notes to the byte limit with an ellipsis", () => {
    const cut = truncateNote("y".repeat(5000));
    expect(Buffer.byteLength(cut)).toBe(NOTE_LIMIT_BYTES);
    expect(cut.endsWith("...")).toBe(true);
  });

  it("never splits a multi-byte character", () => {
    const cut = truncateNote("é".repeat(1000));
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(NOTE_LIMIT_BYTES);
    expect(cut).toMatch(/^é+\.\.\.$/);
  });
});

describe("EventRecorder input validation", () => {
  // A cluster that is never contacted: invalid input is rejected before any request.
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "unused", server: "https://127.0.0.1:1", skipTLSVerify: true }],
    users: [{ name: "unused" }],
    contexts: [{ name: "unused", cluster: "unused", user: "unused" }],
    currentContext: "unused",
  });
  const recorder = new EventRecorder(kc, { reportingInstance: "test" });
  const valid: EventInput = {
    regarding: { apiVersion: "driftguard.dev/v1alpha1", kind: "CloudRunServiceConfig", name: "api", namespace: "team" },
    type: "Normal",
    reason: "DriftHealed",
    action: "UpdateService",
    note: "timeout 300s -> 60s",
  };

  it.each<[string, Partial<EventInput>, RegExp]>([
    ["an unknown type", { type: "Info" as EventInput["type"] }, /event type must be "Normal" or "Warning", got "Info"/],
    ["a lower-case reason", { reason: "driftHealed" }, /event reason must be CamelCase/],
    ["a reason with spaces", { reason: "Drift Healed" }, /event reason must be CamelCase/],
    ["an empty action", { action: "" }, /event action must be 1 to 128 characters/],
    [
      "a nameless object",
      { regarding: { apiVersion: "v1", kind: "Namespace", name: "" } },
      /regarding must name the object's apiVersion, kind and name/,
    ],
  ])("rejects %s before calling the API", async (_name, change, error) => {
    await expect(recorder.record({ ...valid, ...change })).rejects.toThrow(error);
  });
});
