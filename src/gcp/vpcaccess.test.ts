import { describe, expect, it } from "vitest";
import { connectorPatch } from "./vpcaccess.ts";

const NAME = "projects/p/locations/us-central1/connectors/edge";
const LIVE = { machineType: "e2-micro", minInstances: 2, maxInstances: 3 };

describe("connectorPatch", () => {
  it("sends the unchanged minInstances beside a changed maxInstances (an autoscaler raise)", () => {
    expect(connectorPatch(NAME, { ...LIVE, maxInstances: 5 }, ["maxInstances"])).toEqual({
      updateMask: ["minInstances", "maxInstances"],
      body: { name: NAME, minInstances: 2, maxInstances: 5 },
    });
  });

  it("sends the unchanged maxInstances beside a changed minInstances (a single-field fix)", () => {
    expect(connectorPatch(NAME, { ...LIVE, minInstances: 3, maxInstances: 6 }, ["minInstances"])).toEqual({
      updateMask: ["minInstances", "maxInstances"],
      body: { name: NAME, minInstances: 3, maxInstances: 6 },
    });
  });

  it("sends a machine type change alone, and with both bounds when they change too", () => {
    expect(connectorPatch(NAME, { ...LIVE, machineType: "e2-standard-4" }, ["machineType"])).toEqual({
      updateMask: ["machineType"],
      body: { name: NAME, machineType: "e2-standard-4" },
    });
    expect(
      connectorPatch(NAME, { machineType: "e2-standard-4", minInstances: 2, maxInstances: 4 }, [
        "maxInstances",
        "machineType",
      ]).updateMask,
    ).toEqual(["machineType", "minInstances", "maxInstances"]);
  });

  it("refuses to send a bound it has no value for, or nothing at all", () => {
    expect(() => connectorPatch(NAME, { maxInstances: 5 }, ["maxInstances"])).toThrow(
      `patchConnector ${NAME}: no value given for minInstances`,
    );
    expect(() => connectorPatch(NAME, LIVE, [])).toThrow("name at least one field to change");
  });
});
