// The spec fields a policy rule may name, with their type, so a rule can be checked before it is used
// (an unknown field or a duration compared with a number is a problem on the policy, not a silent pass).

import { MACHINE_TYPES } from "../api/common.ts";

export type PolicyKind = "CloudRunServiceConfig" | "VpcConnectorConfig";

export type FieldType =
  | { name: "duration" }
  | { name: "integer" }
  | { name: "number" }
  | { name: "cpu" }
  | { name: "memory" }
  | { name: "boolean" }
  | { name: "string" }
  /** A word from a fixed list; `ordered` lists compare by position (machine types, smallest first). */
  | { name: "enum"; values: readonly string[]; ordered: boolean };

export interface PolicyField {
  type: FieldType;
  /** The declared value in a parsed spec (defaults applied), or undefined when the spec leaves it out. */
  read(spec: Record<string, unknown>): unknown;
}

const at =
  (path: string) =>
  (spec: Record<string, unknown>): unknown =>
    path.split(".").reduce<unknown>((node, part) => (isRecord(node) ? node[part] : undefined), spec);

const field = (type: FieldType, path: string): PolicyField => ({ type, read: at(path) });
const of = (name: "duration" | "integer" | "number" | "cpu" | "memory" | "boolean" | "string") =>
  ({ name }) as FieldType;
const words = (values: readonly string[], ordered = false): FieldType => ({ name: "enum", values, ordered });

/** The startup probe's window: how long an instance may take to start before Cloud Run restarts it. */
function startupWindowSeconds(spec: Record<string, unknown>): number | undefined {
  const probe = spec.startupProbe;
  if (!isRecord(probe)) return undefined;
  const { initialDelaySeconds = 0, periodSeconds = 10, failureThreshold = 3 } = probe as Record<string, number>;
  return initialDelaySeconds + failureThreshold * periodSeconds;
}

const common: Record<string, PolicyField> = {
  managementPolicy: field(words(["Enforce", "Observe"]), "managementPolicy"),
  resyncInterval: field(of("duration"), "resyncInterval"),
};

const cloudRunFields: Record<string, PolicyField> = {
  ...common,
  requestTimeout: field(of("duration"), "requestTimeout"),
  "scaling.minInstances": field(of("integer"), "scaling.minInstances"),
  "scaling.maxInstances": field(of("integer"), "scaling.maxInstances"),
  "resources.cpu": field(of("cpu"), "resources.cpu"),
  "resources.memory": field(of("memory"), "resources.memory"),
  "vpcAccess.egress": field(words(["ALL_TRAFFIC", "PRIVATE_RANGES_ONLY"]), "vpcAccess.egress"),
  "vpcAccess.connector": field(of("string"), "vpcAccess.connector"),
  "startupProbe.initialDelaySeconds": field(of("integer"), "startupProbe.initialDelaySeconds"),
  "startupProbe.periodSeconds": field(of("integer"), "startupProbe.periodSeconds"),
  "startupProbe.timeoutSeconds": field(of("integer"), "startupProbe.timeoutSeconds"),
  "startupProbe.failureThreshold": field(of("integer"), "startupProbe.failureThreshold"),
  "startupProbe.window": {
    type: of("duration"),
    read: (spec) => {
      const seconds = startupWindowSeconds(spec);
      return seconds === undefined ? undefined : `${seconds}s`;
    },
  },
  "database.cloudSqlInstance": field(of("string"), "database.cloudSqlInstance"),
  "database.maxConnections": field(of("integer"), "database.maxConnections"),
  "database.safetyMargin": field(of("number"), "database.safetyMargin"),
  "database.timeouts.initialization": field(of("duration"), "database.timeouts.initialization"),
  "database.timeouts.connection": field(of("duration"), "database.timeouts.connection"),
  "database.timeouts.pool": field(of("duration"), "database.timeouts.pool"),
  "database.timeouts.tableSetup": field(of("duration"), "database.timeouts.tableSetup"),
  "database.timeouts.healthCheck": field(of("duration"), "database.timeouts.healthCheck"),
  "database.pool.size": field(of("integer"), "database.pool.size"),
  "database.pool.maxOverflow": field(of("integer"), "database.pool.maxOverflow"),
  "database.pool.recycle": field(of("duration"), "database.pool.recycle"),
  "database.pool.prePing": field(of("boolean"), "database.pool.prePing"),
};

const connectorFields: Record<string, PolicyField> = {
  ...common,
  machineType: field(words(MACHINE_TYPES, true), "machineType"),
  minInstances: field(of("integer"), "minInstances"),
  maxInstances: field(of("integer"), "maxInstances"),
  "autoscaling.enabled": field(of("boolean"), "autoscaling.enabled"),
  "autoscaling.ceiling": field(of("integer"), "autoscaling.ceiling"),
  "autoscaling.maxStep": field(of("integer"), "autoscaling.maxStep"),
  "autoscaling.cooldown": field(of("duration"), "autoscaling.cooldown"),
};

export const POLICY_FIELDS: Record<PolicyKind, Record<string, PolicyField>> = {
  CloudRunServiceConfig: cloudRunFields,
  VpcConnectorConfig: connectorFields,
};

export { startupWindowSeconds };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
