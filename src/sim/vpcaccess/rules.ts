// The validation rules of the real Serverless VPC Access API, as pure functions. Every rejection is an
// INVALID_ARGUMENT carrying one field violation per broken rule, so a client sees all problems at once.

import { SimError, type FieldViolation } from "../core/errors.ts";

/** Expected throughput of one connector instance, in Mbps, per supported machine type. */
export const MBPS_PER_INSTANCE = { "f1-micro": 50, "e2-micro": 100, "e2-standard-4": 1600 } as const;
export type MachineType = keyof typeof MBPS_PER_INSTANCE;
export const MACHINE_TYPES = Object.keys(MBPS_PER_INSTANCE) as MachineType[];

export const MIN_INSTANCES = { low: 2, high: 9 } as const;
export const MAX_INSTANCES = { low: 3, high: 10 } as const;
/** API defaults when neither instances nor throughput are given (the proto's 200 / 300 Mbps on e2-micro). */
export const DEFAULT_SIZING = { machineType: "e2-micro", minInstances: 2, maxInstances: 3 } as const;

/** Fields the REST PATCH may change; anything else in updateMask is rejected. */
export const UPDATABLE_FIELDS = ["machineType", "minInstances", "maxInstances"] as const;
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

/** Throughput a number of instances of a machine type delivers, as the API reports it. */
export function throughputOf(machineType: MachineType, instances: number): number {
  return instances * MBPS_PER_INSTANCE[machineType];
}

/**
 * Instances for a legacy throughput value. Instances take precedence when both are given, as in the API;
 * a throughput must be a whole number of instances of the machine type.
 */
export function instancesFromThroughput(
  machineType: MachineType,
  throughputMbps: number,
  field: string,
): { instances: number } | { violation: FieldViolation } {
  const perInstance = MBPS_PER_INSTANCE[machineType];
  if (!Number.isInteger(throughputMbps) || throughputMbps % perInstance !== 0) {
    return {
      violation: {
        field,
        description: `must be a multiple of ${perInstance} Mbps for ${machineType}, got ${throughputMbps}`,
      },
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
