// Validates the `connectors:` list of a seed document. Seeded connectors start READY.

import { SimError, type FieldViolation } from "../core/errors.ts";
import type { JsonObject } from "../core/module.ts";
import { validateIpCidrRange, validateSizing, type Sizing } from "./rules.ts";
import { parseConnectorName } from "./store.ts";

export interface SeedConnector {
  name: string;
  network: string;
  ipCidrRange: string;
  sizing: Sizing;
  loadMbps: number;
}

const KNOWN_KEYS = new Set([
  "name",
  "machineType",
  "minInstances",
  "maxInstances",
  "network",
  "ipCidrRange",
  "loadMbps",
]);

/** A distinct /28 per seeded connector, so seeds need not invent ranges: 10.8.0.0/28, 10.8.0.16/28, ... */
function defaultRange(index: number): string {
  return `10.8.${Math.floor(index / 16)}.${(index % 16) * 16}/28`;
}

export function parseSeedConnectors(document: JsonObject): SeedConnector[] {
  const list = document.connectors;
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    throw SimError.invalidArgument("Seed field connectors must be a list", [
      { field: "connectors", description: "must be a list" },
    ]);
  }
  const violations: FieldViolation[] = [];
  const seen = new Set<string>();
  const parsed = list.map((raw: unknown, index): SeedConnector | undefined => {
    const at = `connectors[${index}]`;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      violations.push({
        field: at,
        description: "must be an object with name, machineType, minInstances, maxInstances",
      });
      return undefined;
    }
    const entry = raw as JsonObject;
    for (const key of Object.keys(entry).filter((k) => !KNOWN_KEYS.has(k))) {
      violations.push({
        field: `${at}.${key}`,
        description: `is not a connector seed field (known: ${[...KNOWN_KEYS].join(", ")})`,
      });
    }
    try {
      parseConnectorName(entry.name, `${at}.name`);
    } catch (err) {
      violations.push(...((err as SimError).details[0]?.fieldViolations as FieldViolation[]));
    }
    if (seen.has(String(entry.name)))
      violations.push({ field: `${at}.name`, description: `duplicates an earlier connector ${String(entry.name)}` });
    seen.add(String(entry.name));
    const sizing = {
      machineType: entry.machineType,
      minInstances: Number(entry.minInstances),
      maxInstances: Number(entry.maxInstances),
    };
    violations.push(
      ...validateSizing(sizing, at).map((v) => ({
        ...v,
        field: v.field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
      })),
    );
    const ipCidrRange = entry.ipCidrRange ?? defaultRange(index);
    violations.push(...validateIpCidrRange(ipCidrRange).map((v) => ({ ...v, field: `${at}.ipCidrRange` })));
    const loadMbps = entry.loadMbps ?? 0;
    if (typeof loadMbps !== "number" || !Number.isFinite(loadMbps) || loadMbps < 0) {
      violations.push({
        field: `${at}.loadMbps`,
        description: `must be a non-negative number, got ${JSON.stringify(loadMbps)}`,
      });
    }
    if (entry.network !== undefined && typeof entry.network !== "string") {
      violations.push({ field: `${at}.network`, description: "must be a string" });
    }
    return {
      name: String(entry.name),
      network: typeof entry.network === "string" ? entry.network : "default",
      ipCidrRange: ipCidrRange as string,
      sizing: sizing as Sizing,
      loadMbps: Number(loadMbps),
    };
  });
  if (violations.length > 0) {
    throw SimError.invalidArgument(
      `Invalid connectors seed: ${violations.map((v) => `${v.field} ${v.description}`).join("; ")}`,
      violations,
    );
  }
  return parsed.filter((entry) => entry !== undefined);
}
