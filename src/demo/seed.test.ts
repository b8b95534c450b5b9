import { describe, expect, it } from "vitest";
import type { ManagedObject } from "../kinds/kind.ts";
import { INITIAL_LOAD_MBPS, regressedStagingSeed } from "./seed.ts";

describe("regressedStagingSeed", () => {
  it("seeds every declared service with regressed timeouts and every connector at its declared size", () => {
    const objects: ManagedObject[] = [
      {
        kind: "CloudRunServiceConfig",
        metadata: { name: "a" },
        spec: { service: { project: "p-1234", region: "us-central1", name: "api" } },
      },
      {
        kind: "VpcConnectorConfig",
        metadata: { name: "c" },
        spec: {
          connector: { project: "p-1234", region: "us-central1", name: "conn" },
          minInstances: 2,
          maxInstances: 3,
        },
      },
      { kind: "Other", metadata: { name: "ignored" }, spec: {} },
    ];
    const seed = regressedStagingSeed(objects);
    expect(seed.services.map((s) => s.name)).toEqual(["projects/p-1234/locations/us-central1/services/api"]);
    const env = (
      seed.services[0] as unknown as {
        template: { containers: Array<{ env: Array<{ name: string; value: string }> }> };
      }
    ).template.containers[0]?.env;
    expect(env).toContainEqual({ name: "DB_INITIALIZATION_TIMEOUT", value: "25" });
    expect(seed.connectors).toEqual([
      {
        name: "projects/p-1234/locations/us-central1/connectors/conn",
        machineType: "e2-micro",
        minInstances: 2,
        maxInstances: 3,
        loadMbps: INITIAL_LOAD_MBPS,
      },
    ]);
  });
});
