// Which differences a config applies while something holds part of it back. A service refused room on its
// Cloud SQL instance still heals every field that does not raise its connection demand (timeouts, probes,
// egress, lower pools); a service whose connector config is not Ready still heals everything except the
// connector it is attached to. So one tenant's over-booking or a connector that cannot shrink never
// freezes anyone's other settings.

import type { DatabaseSpec } from "../../api/database.ts";
import type { FieldDiff } from "../kind.ts";
import { describeField, type DesiredService, type OwnedField } from "./fields.ts";

export interface Partition {
  apply: FieldDiff[];
  hold: FieldDiff[];
}

export interface HoldRules {
  /** The config may not raise its connection demand; `admitted` is false when it holds no share at all. */
  budget?: { database: Pick<DatabaseSpec, "envVarNames">; admitted: boolean };
  /** The connector is not known to be usable: its field (and the egress that goes with it) wait. */
  connector?: boolean;
}

export function partitionDiffs(desired: DesiredService, diffs: FieldDiff[], rules: HoldRules): Partition {
  if (!rules.budget && !rules.connector) return { apply: diffs, hold: [] };
  const fields = new Map(desired.fields.map((field) => [describeField(field), field]));
  const partition: Partition = { apply: [], hold: [] };
  const connectorHeld = rules.connector === true && diffs.some((d) => isConnector(fields.get(d.field)));
  for (const diff of diffs) {
    const field = fields.get(diff.field);
    const held =
      (rules.budget !== undefined && raisesDemand(field, diff, rules.budget)) ||
      (connectorHeld && (isConnector(field) || isEgress(field)));
    (held ? partition.hold : partition.apply).push(diff);
  }
  return partition;
}

/** More instances, a bigger pool or more overflow than live, or attaching the instance at all without a share. */
function raisesDemand(field: OwnedField | undefined, diff: FieldDiff, budget: NonNullable<HoldRules["budget"]>) {
  if (field === undefined) return false;
  const { target } = field;
  const names = budget.database.envVarNames;
  const counted =
    (target.scope === "template" && target.field === "scaling.maxInstanceCount") ||
    (target.scope === "env" && (target.name === names.poolSize || target.name === names.maxOverflow));
  if (counted) {
    const live = Number(diff.live);
    return diff.live === "" || !Number.isFinite(live) || Number(diff.desired) > live;
  }
  const attaches = target.scope === "cloudSqlVolume" || target.scope === "volumeMount";
  return attaches && !budget.admitted;
}

function isConnector(field: OwnedField | undefined): boolean {
  return field?.target.scope === "template" && field.target.field === "vpcAccess.connector";
}

function isEgress(field: OwnedField | undefined): boolean {
  return field?.target.scope === "template" && field.target.field === "vpcAccess.egress";
}
