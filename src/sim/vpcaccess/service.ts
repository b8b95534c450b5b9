// google.cloud.vpcaccess.v1.VpcAccessService over proto3 JSON, plus the REST-only PatchConnector.
// Mutations return a long-running operation; the connector shows CREATING / UPDATING / DELETING until it is done.

import { SimError, type FieldViolation } from "../core/errors.ts";
import type { JsonObject, SimContext } from "../core/module.ts";
import type { AnyJson, OperationJson } from "../core/operations.ts";
import {
  DEFAULT_SIZING,
  instancesFromThroughput,
  isMachineType,
  parseUpdateMask,
  planUpdate,
  validateConnectorId,
  validateIpCidrRange,
  validateSizing,
  type MachineType,
  type Sizing,
} from "./rules.ts";
import {
  connectorJson,
  parseConnectorName,
  parseLocationName,
  connectorNotFound,
  type ConnectorRecord,
  type ConnectorStore,
} from "./store.ts";

// Google answers v1beta1 calls with v1 types too (recordings vpcaccess-v1beta1-*: "@type":
// "type.googleapis.com/google.cloud.vpcaccess.v1.OperationMetadata" for a v1beta1 CreateConnector).
const CONNECTOR_TYPE = "type.googleapis.com/google.cloud.vpcaccess.v1.Connector";
const METADATA_TYPE = "type.googleapis.com/google.cloud.vpcaccess.v1.OperationMetadata";
const EMPTY_TYPE = "type.googleapis.com/google.protobuf.Empty";
const MAX_PAGE_SIZE = 1000;

/** proto3 treats 0 and "" as unset; the transports may pass either those or nothing at all. */
function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== 0 && value !== "";
}

function asObject(value: unknown): JsonObject {
  return typeof value === "object" && value !== null ? (value as JsonObject) : {};
}

/** Sizing for a new connector: instances win over throughput, then the API's defaults. */
export function resolveCreateSizing(connector: JsonObject): { sizing: Sizing; violations: FieldViolation[] } {
  const violations: FieldViolation[] = [];
  const machineType = isSet(connector.machineType) ? connector.machineType : DEFAULT_SIZING.machineType;
  const perType: MachineType = isMachineType(machineType) ? machineType : DEFAULT_SIZING.machineType;
  const instances = (key: "minInstances" | "maxInstances", throughputKey: string, fallback: number): number => {
    if (isSet(connector[key])) return Number(connector[key]);
    if (!isSet(connector[throughputKey])) return fallback;
    const field = `connector.${throughputKey === "minThroughput" ? "min_throughput" : "max_throughput"}`;
    const result = instancesFromThroughput(perType, Number(connector[throughputKey]), field);
    if ("violation" in result) {
      violations.push(result.violation);
      return fallback;
    }
    return result.instances;
  };
  const candidate = {
    machineType,
    minInstances: instances("minInstances", "minThroughput", DEFAULT_SIZING.minInstances),
    maxInstances: instances("maxInstances", "maxThroughput", DEFAULT_SIZING.maxInstances),
  };
  violations.push(...validateSizing(candidate));
  return { sizing: { ...candidate, machineType: perType }, violations };
}

function placementViolations(connector: JsonObject): FieldViolation[] {
  const subnetName = asObject(connector.subnet).name;
  if (isSet(subnetName)) {
    return isSet(connector.network) || isSet(connector.ipCidrRange)
      ? [{ field: "connector.subnet", description: "cannot be combined with network or ip_cidr_range" }]
      : [];
  }
  const violations = isSet(connector.network)
    ? []
    : [{ field: "connector.network", description: "is required unless connector.subnet is set" }];
  return [...violations, ...validateIpCidrRange(connector.ipCidrRange)];
}

/** The API version a call came in on: it names the method in the operation's metadata. */
export type ApiVersion = "v1" | "v1beta1";

export class VpcAccessService {
  readonly #ctx: SimContext;
  readonly #store: ConnectorStore;

  constructor(ctx: SimContext, store: ConnectorStore) {
    this.#ctx = ctx;
    this.#store = store;
  }

  create(request: JsonObject, version: ApiVersion): OperationJson {
    const { project, location } = parseLocationName(request.parent);
    const connector = asObject(request.connector);
    const { sizing, violations } = resolveCreateSizing(connector);
    violations.unshift(...validateConnectorId(request.connectorId), ...placementViolations(connector));
    if (violations.length > 0)
      throw SimError.invalidArgument(violations.map((v) => `${v.field} ${v.description}`).join("; "), violations);
    const subnet = asObject(connector.subnet);
    const record = this.#store.add(
      {
        name: `projects/${project}/locations/${location}/connectors/${String(request.connectorId)}`,
        ...(isSet(connector.network) ? { network: String(connector.network) } : {}),
        ...(isSet(connector.ipCidrRange) ? { ipCidrRange: String(connector.ipCidrRange) } : {}),
        ...(isSet(subnet.name)
          ? {
              subnet: {
                name: String(subnet.name),
                ...(isSet(subnet.projectId) ? { projectId: String(subnet.projectId) } : {}),
              },
            }
          : {}),
        state: "CREATING",
      },
      sizing,
      this.#ctx.now(),
    );
    return this.#startOperation(record, version, "CreateConnector", () => {
      record.state = "READY";
      return { "@type": CONNECTOR_TYPE, ...connectorJson(record) };
    });
  }

  get(request: JsonObject): JsonObject {
    parseConnectorName(request.name);
    return connectorJson(this.#store.get(String(request.name)));
  }

  list(request: JsonObject): JsonObject {
    const { project, location } = parseLocationName(request.parent);
    const prefix = `projects/${project}/locations/${location}/connectors/`;
    const all = this.#store.list().filter((record) => record.name.startsWith(prefix));
    const pageSize = isSet(request.pageSize) ? Number(request.pageSize) : MAX_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 0) {
      throw SimError.invalidArgument("Invalid page_size", [
        { field: "page_size", description: `must be a non-negative integer, got ${String(request.pageSize)}` },
      ]);
    }
    const offset = isSet(request.pageToken) ? decodePageToken(request.pageToken) : 0;
    const page = all.slice(offset, offset + Math.min(pageSize, MAX_PAGE_SIZE));
    const next = offset + page.length;
    return {
      connectors: page.map(connectorJson),
      ...(next < all.length ? { nextPageToken: Buffer.from(String(next)).toString("base64url") } : {}),
    };
  }

  delete(request: JsonObject, version: ApiVersion): OperationJson {
    parseConnectorName(request.name);
    const record = this.#settled(String(request.name));
    record.state = "DELETING";
    return this.#startOperation(record, version, "DeleteConnector", () => {
      this.#store.delete(record.name);
      return { "@type": EMPTY_TYPE };
    });
  }

  /** PATCH /v1/{connector.name}?updateMask=...: the REST API's in-place resize. */
  patch(request: JsonObject, version: ApiVersion): OperationJson {
    const connector = asObject(request.connector);
    parseConnectorName(connector.name, "connector.name");
    const mask = parseUpdateMask(request.updateMask);
    const record = this.#settled(String(connector.name));
    const next = planUpdate(record.load.sizing, connector, mask);
    record.state = "UPDATING";
    // Not recorded: the method name Google reports for a PATCH; this one follows the REST method's name.
    return this.#startOperation(record, version, "PatchConnector", () => {
      record.load.resize(this.#ctx.now(), next);
      record.state = "READY";
      return { "@type": CONNECTOR_TYPE, ...connectorJson(record) };
    });
  }

  /** A connector with an operation in flight rejects further changes, like the real API. */
  #settled(name: string): ConnectorRecord {
    const record = this.#store.get(name);
    if (record.state !== "READY" && record.state !== "ERROR") {
      throw new SimError(
        "FAILED_PRECONDITION",
        `Connector ${name} is ${record.state}; wait for its operation to finish`,
      );
    }
    return record;
  }

  /** Metadata as recorded: the full rpc name of the version called, createTime, target; endTime once done. */
  #startOperation(
    record: ConnectorRecord,
    version: ApiVersion,
    method: string,
    complete: () => AnyJson,
  ): OperationJson {
    const { project, location } = parseConnectorName(record.name);
    const metadata: AnyJson = {
      "@type": METADATA_TYPE,
      method: `google.cloud.vpcaccess.${version}.VpcAccessService.${method}`,
      createTime: new Date(this.#ctx.now()).toISOString(),
      target: record.name,
    };
    return this.#ctx.operations.start({
      parent: `projects/${project}/locations/${location}`,
      metadata,
      complete: () => {
        if (!this.#store.holds(record)) throw connectorNotFound();
        return complete();
      },
      metadataWhenDone: () => ({ ...metadata, endTime: new Date(this.#ctx.now()).toISOString() }),
    });
  }
}

function decodePageToken(token: unknown): number {
  const offset = Number(Buffer.from(String(token), "base64url").toString());
  if (!Number.isInteger(offset) || offset < 0) {
    throw SimError.invalidArgument("Invalid page_token", [
      { field: "page_token", description: "must be a next_page_token from an earlier response" },
    ]);
  }
  return offset;
}
