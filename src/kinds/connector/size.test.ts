import { describe, expect, it } from "vitest";
import type { ConnectorSize } from "../../autoscale/decide.ts";
import {
  adoptableRaise,
  compareSize,
  effectiveSize,
  largerMachineType,
  pruneRaised,
  recordRaise,
  replacementMessage,
  specSize,
  type PartialSize,
} from "./size.ts";

const size = (machineType: string, minInstances: number, maxInstances: number): ConnectorSize => ({
  machineType,
  minInstances,
  maxInstances,
});

describe("largerMachineType", () => {
  it.each([
    ["f1-micro", "e2-micro", "e2-micro"],
    ["e2-standard-4", "e2-micro", "e2-standard-4"],
    ["e2-micro", "e2-micro", "e2-micro"],
    ["e2-micro", "n1-unknown", "e2-micro"],
  ])("%s vs %s -> %s", (a, b, larger) => {
    expect(largerMachineType(a, b)).toBe(larger);
  });
});

describe("effectiveSize: spec sizes are floors, raises sit on top", () => {
  it.each<[string, PartialSize, PartialSize | undefined, PartialSize]>([
    ["spec only", size("e2-micro", 2, 3), undefined, size("e2-micro", 2, 3)],
    ["raise above spec wins", size("e2-micro", 2, 3), { maxInstances: 5 }, size("e2-micro", 2, 5)],
    ["spec above an old raise wins", size("e2-micro", 2, 8), { maxInstances: 5 }, size("e2-micro", 2, 8)],
    ["larger machine type wins", size("e2-micro", 2, 3), { machineType: "e2-standard-4" }, size("e2-standard-4", 2, 3)],
    [
      "spec machine type larger than raise",
      { machineType: "e2-standard-4" },
      { machineType: "e2-micro" },
      { machineType: "e2-standard-4" },
    ],
    ["raise where the spec is silent", { maxInstances: 4 }, { minInstances: 3 }, { minInstances: 3, maxInstances: 4 }],
    ["nothing owned", {}, undefined, {}],
  ])("%s", (_, spec, raised, expected) => {
    expect(effectiveSize(spec, raised)).toEqual(expected);
  });
});

describe("recordRaise", () => {
  const spec = size("e2-micro", 2, 3);
  it.each<[string, PartialSize, PartialSize | undefined, ConnectorSize, ConnectorSize, PartialSize | undefined]>([
    ["max raised", spec, undefined, size("e2-micro", 2, 3), size("e2-micro", 2, 5), { maxInstances: 5 }],
    [
      "min and max raised",
      spec,
      undefined,
      size("e2-micro", 2, 3),
      size("e2-micro", 4, 5),
      { minInstances: 4, maxInstances: 5 },
    ],
    [
      "adds to an earlier raise",
      spec,
      { maxInstances: 5 },
      size("e2-micro", 2, 5),
      size("e2-micro", 2, 7),
      { maxInstances: 7 },
    ],
    [
      "machine type step keeps earlier instance raises",
      spec,
      { maxInstances: 10 },
      size("e2-micro", 2, 10),
      size("e2-standard-4", 2, 10),
      { machineType: "e2-standard-4", maxInstances: 10 },
    ],
    [
      "unchanged fields where the spec is silent are not claimed",
      { maxInstances: 3 },
      undefined,
      size("e2-micro", 2, 3),
      size("e2-micro", 2, 5),
      { maxInstances: 5 },
    ],
    [
      "a raise the spec already covers is not recorded",
      size("e2-micro", 2, 6),
      undefined,
      size("e2-micro", 2, 3),
      size("e2-micro", 2, 5),
      undefined,
    ],
  ])("%s", (_, declared, previous, from, to, expected) => {
    expect(recordRaise(declared, previous, { from, to })).toEqual(expected);
  });
});

describe("pruneRaised", () => {
  it.each<[string, PartialSize, PartialSize | undefined, PartialSize | undefined]>([
    ["nothing raised", size("e2-micro", 2, 3), undefined, undefined],
    ["raise still above the spec", size("e2-micro", 2, 3), { maxInstances: 5 }, { maxInstances: 5 }],
    ["spec raised past it later", size("e2-micro", 2, 6), { maxInstances: 5 }, undefined],
    ["only the covered part goes", size("e2-micro", 2, 6), { minInstances: 3, maxInstances: 5 }, { minInstances: 3 }],
    ["spec machine type caught up", size("e2-standard-4", 2, 3), { machineType: "e2-standard-4" }, undefined],
    ["spec silent keeps the raise", {}, { machineType: "e2-micro" }, { machineType: "e2-micro" }],
  ])("%s", (_, spec, raised, expected) => {
    expect(pruneRaised(spec, raised)).toEqual(expected);
  });
});

describe("compareSize", () => {
  const live = size("e2-micro", 2, 3);
  it.each<[string, PartialSize, string[], string[]]>([
    ["equal", size("e2-micro", 2, 3), [], []],
    ["silent spec owns nothing", {}, [], []],
    ["max increase", { maxInstances: 5 }, ["maxInstances: 5 <- 3"], []],
    ["min and max increase", size("e2-micro", 3, 6), ["minInstances: 3 <- 2", "maxInstances: 6 <- 3"], []],
    ["larger machine type", { machineType: "e2-standard-4" }, ["machineType: e2-standard-4 <- e2-micro"], []],
    ["smaller machine type changes in place", { machineType: "f1-micro" }, ["machineType: f1-micro <- e2-micro"], []],
    ["max decrease needs a replacement", { maxInstances: 2 }, [], ["maxInstances: 2 <- 3"]],
    [
      "mixed: increase applies, decrease blocks",
      { machineType: "e2-standard-4", maxInstances: 2 },
      ["machineType: e2-standard-4 <- e2-micro"],
      ["maxInstances: 2 <- 3"],
    ],
  ])("%s", (_, target, diffs, decreases) => {
    const show = (d: { field: string; desired: string; live: string }) => `${d.field}: ${d.desired} <- ${d.live}`;
    const result = compareSize(target, live);
    expect(result.diffs.map(show)).toEqual(diffs);
    expect(result.decreases.map(show)).toEqual(decreases);
  });

  it("a min decrease is a replacement too", () => {
    expect(compareSize({ minInstances: 2 }, size("e2-micro", 3, 5)).decreases).toEqual([
      { field: "minInstances", desired: "2", live: "3" },
    ]);
  });
});

describe("replacementMessage", () => {
  it("names the connector, live and wanted values, and what replacing takes", () => {
    const message = replacementMessage("projects/p/locations/r/connectors/c", [
      { field: "maxInstances", desired: "4", live: "6" },
      { field: "minInstances", desired: "2", live: "3" },
    ]);
    expect(message).toContain("projects/p/locations/r/connectors/c");
    expect(message).toContain("maxInstances 6 -> 4, minInstances 3 -> 2");
    expect(message).toMatch(/create a new connector.*move the services.*delete the old one/);
    expect(message).toContain("Nothing was changed");
  });
});

describe("specSize", () => {
  it("keeps only the declared fields", () => {
    expect(specSize({ maxInstances: 4 })).toEqual({ maxInstances: 4 });
    expect(Object.keys(specSize({ machineType: undefined, minInstances: 2 }))).toEqual(["minInstances"]);
  });
});

describe("adoptableRaise", () => {
  const reach = {
    enabled: true,
    ceiling: 10,
    machineTypeLadder: ["e2-micro", "e2-standard-4"],
    raiseMinInstances: false,
  };
  const spec = { machineType: "e2-micro", minInstances: 2, maxInstances: 3 };
  const live = (size: Partial<ConnectorSize>): ConnectorSize => ({ ...spec, ...size });

  it("adopts a maxInstances above the spec up to the ceiling, and a machine type further up the ladder", () => {
    expect(adoptableRaise(spec, undefined, live({ maxInstances: 5 }), reach)).toEqual({ maxInstances: 5 });
    expect(adoptableRaise(spec, undefined, live({ machineType: "e2-standard-4", maxInstances: 10 }), reach)).toEqual({
      machineType: "e2-standard-4",
      maxInstances: 10,
    });
  });

  it("keeps what is already remembered and adds only what lies beyond it", () => {
    expect(adoptableRaise(spec, { maxInstances: 5 }, live({ maxInstances: 5 }), reach)).toBeUndefined();
    expect(adoptableRaise(spec, { maxInstances: 5 }, live({ maxInstances: 7 }), reach)).toEqual({ maxInstances: 7 });
  });

  it("does not adopt what this policy could not have produced", () => {
    expect(adoptableRaise(spec, undefined, live({ maxInstances: 10 }), { ...reach, ceiling: 6 })).toBeUndefined();
    expect(adoptableRaise(spec, undefined, live({ minInstances: 3, maxInstances: 5 }), reach)).toEqual({
      maxInstances: 5,
    });
    expect(adoptableRaise(spec, undefined, live({ maxInstances: 5 }), { ...reach, enabled: false })).toBeUndefined();
    expect(
      adoptableRaise(spec, undefined, live({ machineType: "e2-standard-4" }), { ...reach, machineTypeLadder: [] }),
    ).toBeUndefined();
  });

  it("adopts a raised minInstances only where the policy raises it", () => {
    expect(
      adoptableRaise(spec, undefined, live({ minInstances: 4, maxInstances: 5 }), {
        ...reach,
        raiseMinInstances: true,
      }),
    ).toEqual({ minInstances: 4, maxInstances: 5 });
  });
});
