import { describe, expect, it } from "vitest";
import type { ManagedObject } from "../kinds/kind.ts";
import { settled, standing, summarise } from "./progress.ts";
import { renderTable } from "./table.ts";

const cond = (type: string, status: string, reason: string, message = "") => ({ type, status, reason, message });

function object(kind: string, name: string, status: Record<string, unknown>, spec: object = {}): ManagedObject {
  return { kind, metadata: { name, generation: 2 }, spec, status: { observedGeneration: 2, ...status } };
}

const ready = { conditions: [cond("Ready", "True", "UpToDate"), cond("Synced", "True", "UpToDate")] };

describe("standing", () => {
  it.each([
    ["converged when Ready and Synced", ready, "converged"],
    ["working until the current generation is observed", { ...ready, observedGeneration: 1 }, "working"],
    ["working while an operation is in flight", { ...ready, pendingOperation: { name: "op" } }, "working"],
    [
      "attention for a spec problem driftguard refuses to apply",
      {
        conditions: [
          cond("Ready", "False", "ConnectionBudgetExceeded"),
          cond("Synced", "False", "ConnectionBudgetExceeded"),
        ],
      },
      "attention",
    ],
    [
      "working while waiting for a dependency",
      { conditions: [cond("Ready", "False", "DependencyNotReady"), cond("Synced", "False", "DependencyNotReady")] },
      "working",
    ],
    [
      "failed when Google refuses",
      { conditions: [cond("Ready", "True", "UpToDate"), cond("Synced", "False", "PermissionDenied")] },
      "failed",
    ],
    ["working before the first status", { conditions: [] }, "working"],
  ])("%s", (_, status, expected) => {
    expect(standing(object("CloudRunServiceConfig", "a", status))).toBe(expected);
  });

  it("keeps a hot connector working until the autoscaler has caught up", () => {
    const spec = { autoscaling: { enabled: true, scaleUpThreshold: 0.7 } };
    expect(
      standing(object("VpcConnectorConfig", "c", { ...ready, utilization: { cpu: 0.9, throughput: 0.5 } }, spec)),
    ).toBe("working");
    expect(
      standing(object("VpcConnectorConfig", "c", { ...ready, utilization: { cpu: 0.5, throughput: 0.6 } }, spec)),
    ).toBe("converged");
  });
});

describe("summarise and settled", () => {
  it("counts standings and is settled only when nothing is still working", () => {
    const attention = { conditions: [cond("Ready", "False", "InvalidSpec"), cond("Synced", "False", "InvalidSpec")] };
    const objects = [object("CloudRunServiceConfig", "a", ready), object("CloudRunServiceConfig", "b", attention)];
    expect(summarise(objects)).toEqual({ converged: 1, attention: 1, working: 0, failed: 0 });
    expect(settled(summarise(objects))).toBe(true);
    expect(settled(summarise([...objects, object("CloudRunServiceConfig", "c", { conditions: [] })]))).toBe(false);
  });
});

describe("renderTable", () => {
  it("lists objects sorted with their conditions, drift counts and connector size", () => {
    const connector = object("VpcConnectorConfig", "staging-connector", {
      ...ready,
      live: { machineType: "e2-micro", minInstances: 2, maxInstances: 5 },
      utilizationPercent: "64%",
    });
    const drifted = object("CloudRunServiceConfig", "backend", {
      conditions: [
        cond("Ready", "False", "Updating", "Applying requestTimeout"),
        cond("Synced", "True", "DriftCorrected"),
      ],
      driftCount: 1,
      driftCorrections: 3,
    });
    const lines = renderTable([connector, drifted]).split("\n");
    expect(lines[0]).toMatch(/KIND\s+NAME\s+READY\s+SYNCED\s+DRIFT\s+FIXED\s+DETAIL/);
    expect(lines[1]).toMatch(/^\.\.\s+crsc\s+backend\s+False\s+DriftCorrected\s+1\s+3\s+Applying requestTimeout$/);
    expect(lines[2]).toMatch(/^ok\s+vpcc\s+staging-connector\s+True\s+UpToDate\s+0\s+0\s+e2-micro 2-5\s+util 64%$/);
  });

  it("cuts lines to the width", () => {
    const long = object("CloudRunServiceConfig", "x", {
      conditions: [cond("Ready", "False", "InvalidSpec", "m".repeat(300)), cond("Synced", "False", "InvalidSpec")],
    });
    expect(
      renderTable([long], 80)
        .split("\n")
        .every((l) => l.length <= 80),
    ).toBe(true);
  });
});
