import { describe, expect, it } from "vitest";
import { SimError } from "../core/errors.ts";
import {
  instancesFromThroughput,
  parseUpdateMask,
  planUpdate,
  throughputOf,
  validateConnectorId,
  validateIpCidrRange,
  validateSizing,
  type Sizing,
} from "./rules.ts";

const current: Sizing = { machineType: "e2-micro", minInstances: 3, maxInstances: 5 };

function violationsOf(fn: () => unknown): Array<{ field: string; description: string }> {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SimError);
    expect((err as SimError).code).toBe("INVALID_ARGUMENT");
    return (err as SimError).details[0]?.fieldViolations as Array<{ field: string; description: string }>;
  }
  throw new Error("expected an INVALID_ARGUMENT");
}

describe("validateSizing", () => {
  it("accepts the documented ranges", () => {
    expect(validateSizing({ machineType: "f1-micro", minInstances: 2, maxInstances: 3 })).toEqual([]);
    expect(validateSizing({ machineType: "e2-standard-4", minInstances: 9, maxInstances: 10 })).toEqual([]);
  });

  it("names every broken rule", () => {
    const fields = validateSizing({ machineType: "n1-standard-1", minInstances: 1, maxInstances: 11 }).map(
      (v) => v.field,
    );
    expect(fields).toEqual(["connector.machine_type", "connector.min_instances", "connector.max_instances"]);
  });

  it("requires min below max", () => {
    expect(validateSizing({ machineType: "e2-micro", minInstances: 5, maxInstances: 5 })).toEqual([
      { field: "connector.max_instances", description: "must be greater than min_instances (5), got 5" },
    ]);
  });
});

describe("connector id and range", () => {
  it("follows the resource id rules", () => {
    expect(validateConnectorId("conn-1")).toEqual([]);
    expect(validateConnectorId("1conn")).toHaveLength(1);
    expect(validateConnectorId("conn-")).toHaveLength(1);
    expect(validateConnectorId("a".repeat(26))).toHaveLength(1);
  });

  it("wants a /28", () => {
    expect(validateIpCidrRange("10.8.0.16/28")).toEqual([]);
    expect(validateIpCidrRange("10.8.0.0/24")).toHaveLength(1);
    expect(validateIpCidrRange("10.8.0.8/28")).toHaveLength(1);
    expect(validateIpCidrRange("300.8.0.0/28")).toHaveLength(1);
  });
});

describe("throughput and instances", () => {
  it("reports 100 Mbps per instance whatever the machine type, as Google does", () => {
    expect(throughputOf("e2-micro", 3)).toBe(300);
    expect(throughputOf("f1-micro", 4)).toBe(400);
    // Google's Terraform provider tests on an e2-standard-4: instances 5/7 read back as 500/700.
    expect(throughputOf("e2-standard-4", 5)).toBe(500);
    expect(throughputOf("e2-standard-4", 7)).toBe(700);
  });

  it("maps a throughput back to whole instances at 100 Mbps each", () => {
    expect(instancesFromThroughput("e2-micro", 200, "connector.min_throughput")).toEqual({ instances: 2 });
    // ... and throughput 400/800 on an e2-standard-4 creates 4/8 instances.
    expect(instancesFromThroughput("e2-standard-4", 400, "connector.min_throughput")).toEqual({ instances: 4 });
    expect(instancesFromThroughput("e2-standard-4", 800, "connector.max_throughput")).toEqual({ instances: 8 });
    expect(instancesFromThroughput("f1-micro", 250, "connector.min_throughput")).toEqual({
      violation: { field: "connector.min_throughput", description: "must be a multiple of 100 Mbps, got 250" },
    });
  });
});

describe("parseUpdateMask", () => {
  it("accepts camelCase and snake_case names", () => {
    expect(parseUpdateMask("machineType,min_instances, maxInstances")).toEqual([
      "machineType",
      "minInstances",
      "maxInstances",
    ]);
    expect(parseUpdateMask(undefined)).toEqual([]);
  });

  it("rejects fields that cannot be updated", () => {
    const [violation] = violationsOf(() => parseUpdateMask("minInstances,network"));
    expect(violation?.field).toBe("update_mask");
    expect(violation?.description).toContain("network");
    expect(violation?.description).toContain("machineType, minInstances, maxInstances");
  });
});

describe("planUpdate", () => {
  it("applies only the masked fields", () => {
    const patch = { minInstances: 4, maxInstances: 9, machineType: "f1-micro" };
    expect(planUpdate(current, patch, ["minInstances", "maxInstances"])).toEqual({
      ...current,
      minInstances: 4,
      maxInstances: 9,
    });
    expect(planUpdate(current, patch, ["machineType"])).toEqual({ ...current, machineType: "f1-micro" });
  });

  it("wants min and max instances together, as gcloud and Terraform send them", () => {
    for (const mask of [["maxInstances"], ["minInstances"], ["machineType", "maxInstances"]] as const) {
      const error = (() => {
        try {
          planUpdate(current, { minInstances: 3, maxInstances: 9, machineType: "e2-micro" }, [...mask]);
        } catch (err) {
          return err as SimError;
        }
        return undefined;
      })();
      expect(error?.code).toBe("INVALID_ARGUMENT");
      expect(error?.details[0]?.fieldViolations).toEqual([expect.objectContaining({ field: "update_mask" })]);
    }
    // Without a mask, the fields present decide; one bound alone is refused too.
    expect(violationsOf(() => planUpdate(current, { maxInstances: 9 }, []))[0]?.field).toBe("update_mask");
    // Both named but one without a value.
    expect(violationsOf(() => planUpdate(current, { maxInstances: 9 }, ["minInstances", "maxInstances"]))).toEqual([
      expect.objectContaining({ field: "connector.min_instances" }),
    ]);
    // The unchanged bound restated is fine.
    expect(planUpdate(current, { minInstances: 3, maxInstances: 9 }, ["minInstances", "maxInstances"])).toEqual({
      ...current,
      maxInstances: 9,
    });
  });

  it("uses the fields present when the mask is empty", () => {
    expect(planUpdate(current, { machineType: "e2-standard-4" }, [])).toEqual({
      ...current,
      machineType: "e2-standard-4",
    });
  });

  it("refuses a decrease and says it needs a new connector", () => {
    const violations = violationsOf(() =>
      planUpdate(current, { minInstances: 2, maxInstances: 4 }, ["minInstances", "maxInstances"]),
    );
    expect(violations).toEqual([
      {
        field: "connector.min_instances",
        description: "min_instances can only be increased: 3 → 2 requires recreating the connector",
      },
      {
        field: "connector.max_instances",
        description: "max_instances can only be increased: 5 → 4 requires recreating the connector",
      },
    ]);
  });

  it("keeps the range rules on update", () => {
    const violations = violationsOf(() =>
      planUpdate(current, { minInstances: 6, maxInstances: 5 }, ["minInstances", "maxInstances"]),
    );
    expect(violations.map((v) => v.field)).toEqual(["connector.max_instances"]);
  });

  it("refuses an update that changes nothing", () => {
    expect(violationsOf(() => planUpdate(current, {}, []))[0]?.field).toBe("update_mask");
  });
});
