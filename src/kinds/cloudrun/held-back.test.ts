import { describe, expect, it } from "vitest";
import { CloudRunServiceConfigSpec } from "../../api/cloudrun.ts";
import { partitionDiffs } from "./held-back.ts";
import { renderDesired } from "./render.ts";

const spec = CloudRunServiceConfigSpec.parse({
  service: { project: "netra-staging", region: "us-central1", name: "backend" },
  requestTimeout: "600s",
  scaling: { maxInstances: 4 },
  vpcAccess: { connector: "projects/netra-staging/locations/us-central1/connectors/new", egress: "ALL_TRAFFIC" },
  database: { cloudSqlInstance: "netra-staging:us-central1:db", pool: { size: 10, maxOverflow: 5 } },
});
const desired = renderDesired(spec);
const diff = (field: string, desiredValue: string, live: string) => ({ field, desired: desiredValue, live });
const timeout = diff("requestTimeout (template.timeout)", "600s", "300s");
const maxUp = diff("scaling.maxInstances (template.scaling.maxInstanceCount)", "4", "2");
const poolUp = diff("database.pool.size (template.containers[0].env.DB_POOL_SIZE)", "10", "5");
const overflowDown = diff("database.pool.maxOverflow (template.containers[0].env.DB_MAX_OVERFLOW)", "5", "20");
const volume = diff(
  "database.cloudSqlInstance (template.volumes[cloudsql].cloudSqlInstance.instances)",
  "netra-staging:us-central1:db",
  "",
);
const connector = diff(
  "vpcAccess.connector (template.vpcAccess.connector)",
  "projects/netra-staging/locations/us-central1/connectors/new",
  "projects/netra-staging/locations/us-central1/connectors/old",
);
const egress = diff("vpcAccess.egress (template.vpcAccess.egress)", "ALL_TRAFFIC", "PRIVATE_RANGES_ONLY");

describe("partitionDiffs", () => {
  it("the diffs use the field names render gives them", () => {
    const names = desired.fields.map((f) => (f.source === f.path ? f.path : `${f.source} (${f.path})`));
    for (const d of [timeout, maxUp, poolUp, overflowDown, volume, connector, egress]) expect(names).toContain(d.field);
  });

  it("applies everything when nothing holds it back", () => {
    expect(partitionDiffs(desired, [timeout, poolUp], {})).toEqual({ apply: [timeout, poolUp], hold: [] });
  });

  it("holds back only what raises the connection demand; lowering it is always applied", () => {
    const budget = { database: spec.database!, admitted: true };
    expect(partitionDiffs(desired, [timeout, maxUp, poolUp, overflowDown, volume, egress], { budget })).toEqual({
      apply: [timeout, overflowDown, volume, egress],
      hold: [maxUp, poolUp],
    });
  });

  it("does not attach the instance for a config that holds no share of it", () => {
    const budget = { database: spec.database!, admitted: false };
    expect(partitionDiffs(desired, [timeout, volume], { budget })).toEqual({ apply: [timeout], hold: [volume] });
  });

  it("holds back a connector change, with its egress, while the connector config is not Ready", () => {
    expect(partitionDiffs(desired, [timeout, connector, egress], { connector: true })).toEqual({
      apply: [timeout],
      hold: [connector, egress],
    });
    // Already on the right connector: the egress alone changes nothing about which connector is used.
    expect(partitionDiffs(desired, [timeout, egress], { connector: true })).toEqual({
      apply: [timeout, egress],
      hold: [],
    });
  });
});
