// The connectors the simulator knows, each with its load model, and their proto3 JSON form.

import { SimError } from "../core/errors.ts";
import { ConnectorLoad, type ConnectorLoadState } from "./load-model.ts";
import { throughputOf, type Sizing } from "./rules.ts";

export type ConnectorState = "READY" | "CREATING" | "DELETING" | "UPDATING" | "ERROR";

export interface ConnectorName {
  project: string;
  location: string;
  connectorId: string;
}

export interface ConnectorRecord {
  name: string;
  network?: string;
  ipCidrRange?: string;
  subnet?: { name: string; projectId?: string };
  state: ConnectorState;
  load: ConnectorLoad;
}

/** The serialisable form of a record, used by snapshots. */
export type ConnectorRecordState = Omit<ConnectorRecord, "load"> & { load: ConnectorLoadState };

const CONNECTOR_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/connectors\/([^/]+)$/;
const LOCATION_NAME = /^projects\/([^/]+)\/locations\/([^/]+)$/;

/**
 * Google's answer for a connector that does not exist: this text and no details
 * (recordings vpcaccess-v1beta1-*, the first GET of each: 404 "The connector is not found.").
 */
export function connectorNotFound(): SimError {
  return new SimError("NOT_FOUND", "The connector is not found.");
}

export function parseConnectorName(name: unknown, field = "name"): ConnectorName {
  const match = typeof name === "string" ? CONNECTOR_NAME.exec(name) : null;
  if (!match) {
    throw SimError.invalidArgument(`Invalid connector name ${JSON.stringify(name)}`, [
      { field, description: "must have the form projects/{project}/locations/{location}/connectors/{connector}" },
    ]);
  }
  return { project: match[1] ?? "", location: match[2] ?? "", connectorId: match[3] ?? "" };
}

export function parseLocationName(parent: unknown): { project: string; location: string } {
  const match = typeof parent === "string" ? LOCATION_NAME.exec(parent) : null;
  if (!match) {
    throw SimError.invalidArgument(`Invalid parent ${JSON.stringify(parent)}`, [
      { field: "parent", description: "must have the form projects/{project}/locations/{location}" },
    ]);
  }
  return { project: match[1] ?? "", location: match[2] ?? "" };
}

/** The Connector message as the API returns it: throughput follows from instances and machine type. */
export function connectorJson(record: ConnectorRecord): Record<string, unknown> {
  const sizing = record.load.sizing;
  return {
    name: record.name,
    ...(record.network ? { network: record.network } : {}),
    ...(record.ipCidrRange ? { ipCidrRange: record.ipCidrRange } : {}),
    state: record.state,
    minThroughput: throughputOf(sizing.machineType, sizing.minInstances),
    maxThroughput: throughputOf(sizing.machineType, sizing.maxInstances),
    ...(record.subnet ? { subnet: { ...record.subnet } } : {}),
    machineType: sizing.machineType,
    minInstances: sizing.minInstances,
    maxInstances: sizing.maxInstances,
  };
}

export class ConnectorStore {
  #records = new Map<string, ConnectorRecord>();
  readonly #periodMs: number;

  constructor(samplePeriodMs: number) {
    this.#periodMs = samplePeriodMs;
  }

  get samplePeriodMs(): number {
    return this.#periodMs;
  }

  add(record: Omit<ConnectorRecord, "load">, sizing: Sizing, nowMs: number, loadMbps = 0): ConnectorRecord {
    if (this.#records.has(record.name)) {
      throw new SimError("ALREADY_EXISTS", `Connector ${record.name} already exists`);
    }
    const stored = { ...record, load: ConnectorLoad.start(record.name, this.#periodMs, sizing, nowMs, loadMbps) };
    this.#records.set(record.name, stored);
    return stored;
  }

  get(name: string): ConnectorRecord {
    const record = this.#records.get(name);
    if (!record) throw connectorNotFound();
    return record;
  }

  /** Whether `record` is still the stored one (an operation may outlive a reset or a restore). */
  holds(record: ConnectorRecord): boolean {
    return this.#records.get(record.name) === record;
  }

  delete(name: string): void {
    this.#records.delete(name);
  }

  /** All records, sorted by name. */
  list(): ConnectorRecord[] {
    return [...this.#records.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  toJSON(): ConnectorRecordState[] {
    return this.list().map(({ load, ...rest }) => ({ ...structuredClone(rest), load: load.toJSON() }));
  }

  replaceAll(states: ConnectorRecordState[]): void {
    this.#records.clear();
    for (const { load, ...rest } of states) {
      this.#records.set(rest.name, {
        ...structuredClone(rest),
        load: new ConnectorLoad(rest.name, this.#periodMs, load),
      });
    }
  }

  clear(): void {
    this.#records.clear();
  }
}
