// The validation rules of the real Serverless VPC Access API, as pure functions. Every rejection is an
// INVALID_ARGUMENT carrying one field violation per broken rule, so a client sees all problems at once.

import { SimError, type FieldViolation } from "../core/errors.ts";
import {
  CREATE_DEFAULTS,
  EXPECTED_MBPS_PER_INSTANCE,
  MAX_INSTANCES_RANGE,
  MIN_INSTANCES_RANGE,
  PAIRED_INSTANCE_FIELDS,
  REPORTED_MBPS_PER_INSTANCE,
  UNPAIRED_INSTANCES_MESSAGE,
  UPDATABLE_FIELDS,
  type MachineType,
} from "./google-facts.ts";

export { UPDATABLE_FIELDS, type MachineType } from "./google-facts.ts";
/** Capacity of one instance per machine type, in Mbps (what it carries, not what the API reports). */
export const MBPS_PER_INSTANCE = EXPECTED_MBPS_PER_INSTANCE;
export const MACHINE_TYPES = Object.keys(MBPS_PER_INSTANCE) as MachineType[];

export const MIN_INSTANCES = MIN_INSTANCES_RANGE;
export const MAX_INSTANCES = MAX_INSTANCES_RANGE;
/** API defaults when neither instances nor throughput are given. */
export const DEFAULT_SIZING = CREATE_DEFAULTS;

/** Fields the REST PATCH may change; anything else in updateMask is rejected. */
export type UpdatableField = (typeof UPDATABLE_FIELDS)[number];

export interface Sizing {
  machineType: MachineType;
  minInstances: number;
  maxInstances: number;
}

const CONNECTOR_ID = /^[a-z][-a-z0-9]{0,23}[a-z0-9]$/;
const IPV4_CIDR_28 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/28$/;

export function isMachineType(value: unknown): value is MachineType {
  return typeof value === "string" && Object.hasOwn(MBPS_PER_INSTANCE, value);
}

export function validateConnectorId(id: unknown): FieldViolation[] {
  if (typeof id === "string" && CONNECTOR_ID.test(id)) return [];
  return [
    {
      field: "connector_id",
      description:
        "must be 2-25 characters of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen",
    },
  ];
}

/** A connector's own range must be an unused /28 of private IPv4 space; we check its form. */
export function validateIpCidrRange(range: unknown): FieldViolation[] {
  const match = typeof range === "string" ? IPV4_CIDR_28.exec(range) : null;
  const octets = match?.slice(1).map(Number) ?? [];
  if (match && octets.every((o) => o <= 255) && (octets[3] ?? 0) % 16 === 0) return [];
  return [
    {
      field: "connector.ip_cidr_range",
      description: `must be an IPv4 /28 range such as 10.8.0.0/28, got ${JSON.stringify(range)}`,
    },
  ];
}

/** Checks a complete sizing against the API's ranges; `prefix` names the message holding the fields. */
export function validateSizing(
  sizing: { machineType: unknown; minInstances: number; maxInstances: number },
  prefix = "connector",
): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (!isMachineType(sizing.machineType)) {
    violations.push({
      field: `${prefix}.machine_type`,
      description: `must be one of ${MACHINE_TYPES.join(", ")}, got ${JSON.stringify(sizing.machineType)}`,
    });
  }
  const { minInstances: min, maxInstances: max } = sizing;
  if (!Number.isInteger(min) || min < MIN_INSTANCES.low || min > MIN_INSTANCES.high) {
    violations.push({
      field: `${prefix}.min_instances`,
      description: `must be between ${MIN_INSTANCES.low} and ${MIN_INSTANCES.high}, got ${min}`,
    });
  }
  if (!Number.isInteger(max) || max < MAX_INSTANCES.low || max > MAX_INSTANCES.high) {
    violations.push({
      field: `${prefix}.max_instances`,
      description: `must be between ${MAX_INSTANCES.low} and ${MAX_INSTANCES.high}, got ${max}`,
    });
  }
  if (min >= max) {
    violations.push({
      field: `${prefix}.max_instances`,
      description: `must be greater than min_instances (${min}), got ${max}`,
    });
  }
  return violations;
}

/**
 * min/max_throughput as the API reports them for a number of instances: 100 Mbps per instance on every
 * machine type (the field describes an e2-micro), so it is not what an e2-standard-4 carries.
 */
export function throughputOf(_machineType: MachineType, instances: number): number {
  return instances * REPORTED_MBPS_PER_INSTANCE;
}

/**
 * Instances for a legacy throughput value, at the API's 100 Mbps per instance whatever the machine type.
 * Instances take precedence when both are given, as in the API.
 */
export function instancesFromThroughput(
  _machineType: MachineType,
  throughputMbps: number,
  field: string,
): { instances: number } | { violation: FieldViolation } {
  const perInstance = REPORTED_MBPS_PER_INSTANCE;
  if (!Number.isInteger(throughputMbps) || throughputMbps % perInstance !== 0) {
    return {
      violation: { field, description: `must be a multiple of ${perInstance} Mbps, got ${throughputMbps}` },
    };
  }
  return { instances: throughputMbps / perInstance };
}

/** Turns "min_instances,maxInstances" into known camelCase field names, rejecting the rest. */
export function parseUpdateMask(mask: unknown): UpdatableField[] {
  if (mask === undefined || mask === "") return [];
  const entries = Array.isArray(mask) ? mask : typeof mask === "string" ? mask.split(",") : undefined;
  if (!entries)
    throw SimError.invalidArgument("update_mask must be a comma-separated list of field names", [
      { field: "update_mask", description: "must be a string" },
    ]);
  const fields: UpdatableField[] = [];
  const unknown: string[] = [];
  for (const raw of entries) {
    const name = String(raw)
      .trim()
      .replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    if ((UPDATABLE_FIELDS as readonly string[]).includes(name)) fields.push(name as UpdatableField);
    else unknown.push(String(raw));
  }
  if (unknown.length > 0) {
    const description = `unsupported field(s) ${unknown.join(", ")}; only ${UPDATABLE_FIELDS.join(", ")} can be updated`;
    throw SimError.invalidArgument(`Invalid update_mask: ${description}`, [{ field: "update_mask", description }]);
  }
  return fields;
}

/**
 * The sizing a PATCH leads to. Instances can only grow in place (shrinking needs a new instance group),
 * so a decrease is rejected with a message saying so; every other rule is the create rule.
 */
export function planUpdate(
  current: Sizing,
  patch: Partial<Record<UpdatableField, unknown>>,
  mask: UpdatableField[],
): Sizing {
  const fields = mask.length > 0 ? mask : UPDATABLE_FIELDS.filter((f) => patch[f] !== undefined);
  if (fields.length === 0) {
    throw SimError.invalidArgument("Nothing to update: set machineType, minInstances or maxInstances", [
      { field: "update_mask", description: `must name at least one of ${UPDATABLE_FIELDS.join(", ")}` },
    ]);
  }
  const unpaired = unpairedInstanceField(fields, patch);
  if (unpaired) {
    throw SimError.invalidArgument(UNPAIRED_INSTANCES_MESSAGE, [
      { field: unpaired.field, description: unpaired.description },
    ]);
  }
  const next = {
    machineType: fields.includes("machineType") ? patch.machineType : current.machineType,
    minInstances: fields.includes("minInstances") ? Number(patch.minInstances ?? 0) : current.minInstances,
    maxInstances: fields.includes("maxInstances") ? Number(patch.maxInstances ?? 0) : current.maxInstances,
  };
  const violations = validateSizing(next);
  for (const [field, key] of [
    ["min_instances", "minInstances"],
    ["max_instances", "maxInstances"],
  ] as const) {
    if (next[key] < current[key]) {
      violations.push({
        field: `connector.${field}`,
        description: `${field} can only be increased: ${current[key]} → ${next[key]} requires recreating the connector`,
      });
    }
  }
  if (violations.length > 0)
    throw SimError.invalidArgument(violations.map((v) => v.description).join("; "), violations);
  return next as Sizing;
}

/** The instance bound a PATCH names (in its mask, or by value without one) without the other one. */
function unpairedInstanceField(
  fields: readonly UpdatableField[],
  patch: Partial<Record<UpdatableField, unknown>>,
): FieldViolation | undefined {
  const [min, max] = PAIRED_INSTANCE_FIELDS;
  const named = PAIRED_INSTANCE_FIELDS.filter((f) => fields.includes(f));
  if (named.length === 1) {
    const missing = named[0] === min ? max : min;
    return {
      field: "update_mask",
      description: `names ${named[0]} without ${missing}; min_instances and max_instances are updated together`,
    };
  }
  const withoutValue = named.find((f) => patch[f] === undefined || patch[f] === null);
  if (withoutValue) {
    const field = withoutValue === min ? "connector.min_instances" : "connector.max_instances";
    return { field, description: "must be given: min_instances and max_instances are updated together" };
  }
  return undefined;
}
