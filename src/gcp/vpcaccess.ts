// Serverless VPC Access v1, as driftguard needs it: read a connector through the official client, resize
// it with the REST API's PATCH (the Node client has no update method) and follow the operation over the
// same REST API. Every call goes through the VPC Access CallGuard; a failed REST call is thrown in the
// gaxios shape (`response.status`, `response.data.error`) so classifyGoogleError reads it like any other.

import { VpcAccessServiceClient, type protos } from "@google-cloud/vpc-access";
import { clientOptions, restAuth, restBaseUrl, type GcpConnection, type RestAuth } from "./connection.ts";
import { useStaticVpcAccessDecoders } from "./long-running.ts";
import type { CallGuard } from "./guard.ts";

type IConnector = protos.google.cloud.vpcaccess.v1.IConnector;

export const CONNECTOR_STATES = ["STATE_UNSPECIFIED", "READY", "CREATING", "DELETING", "ERROR", "UPDATING"] as const;
export type ConnectorState = (typeof CONNECTOR_STATES)[number];

/** The fields PATCH may change. */
export type ConnectorSizeField = "machineType" | "minInstances" | "maxInstances";

export interface ConnectorResource {
  name: string;
  state: ConnectorState;
  machineType: string;
  minInstances: number;
  maxInstances: number;
}

export interface OperationStatus {
  done: boolean;
  /** google.rpc.Status of a failed operation ({code, message, details}). */
  error?: unknown;
}

/** A REST call that got an error answer, shaped like a GaxiosError for classifyGoogleError. */
export class RestCallError extends Error {
  readonly response: { status: number; headers: Headers; data: unknown };

  constructor(method: string, url: string, status: number, headers: Headers, data: unknown) {
    const error = (data as { error?: { message?: unknown } } | undefined)?.error;
    const detail = typeof error?.message === "string" ? error.message : `HTTP ${status}`;
    super(`${method} ${url}: ${detail}`);
    this.name = "RestCallError";
    this.response = { status, headers, data };
  }
}

/** The client's Connector (enum numbers over gRPC, names over REST; int32 zero for unset) in one shape. */
export function normaliseConnector(raw: IConnector): ConnectorResource {
  const state = typeof raw.state === "number" ? CONNECTOR_STATES[raw.state] : raw.state;
  return {
    name: raw.name ?? "",
    state: state && (CONNECTOR_STATES as readonly string[]).includes(state) ? state : "STATE_UNSPECIFIED",
    machineType: raw.machineType ?? "",
    minInstances: Number(raw.minInstances ?? 0),
    maxInstances: Number(raw.maxInstances ?? 0),
  };
}

/** The instance bounds, which Google wants in a PATCH together or not at all. */
const INSTANCE_BOUNDS: readonly ConnectorSizeField[] = ["minInstances", "maxInstances"];

/**
 * The update mask and body of a PATCH changing `changed`. When one instance bound changes, the other is
 * sent too with its current value: gcloud's `vpc-access connectors update` requires --min-instances and
 * --max-instances together, and Google's Terraform provider adds the unchanged one to body and mask.
 * Throws, sending nothing, when a field to send has no value.
 */
export function connectorPatch(
  name: string,
  fields: Partial<Pick<ConnectorResource, ConnectorSizeField>>,
  changed: readonly ConnectorSizeField[],
): { updateMask: ConnectorSizeField[]; body: Record<string, unknown> } {
  if (changed.length === 0) throw new Error(`patchConnector ${name}: name at least one field to change`);
  const pairs = changed.some((field) => INSTANCE_BOUNDS.includes(field));
  const order: readonly ConnectorSizeField[] = ["machineType", ...INSTANCE_BOUNDS];
  const updateMask = order.filter((field) => changed.includes(field) || (pairs && INSTANCE_BOUNDS.includes(field)));
  const missing = updateMask.filter((field) => fields[field] === undefined);
  if (missing.length > 0) throw new Error(`patchConnector ${name}: no value given for ${missing.join(", ")}`);
  return { updateMask, body: { name, ...Object.fromEntries(updateMask.map((field) => [field, fields[field]])) } };
}

export class VpcAccessApi {
  readonly #client: VpcAccessServiceClient;
  /** The PATCH and the operation GET are sent with the clients' REST credentials, user agent and bound. */
  readonly #auth: RestAuth;
  readonly #guard: CallGuard;
  readonly #baseUrl: string;

  constructor(connection: GcpConnection, guard: CallGuard) {
    this.#client = useStaticVpcAccessDecoders(new VpcAccessServiceClient(clientOptions(connection)));
    this.#auth = restAuth(connection);
    this.#guard = guard;
    this.#baseUrl = restBaseUrl(connection, "vpcaccess.googleapis.com");
  }

  async getConnector(name: string): Promise<ConnectorResource> {
    const [connector] = await this.#guard.call("getConnector", () => this.#client.getConnector({ name }), name);
    return normaliseConnector(connector);
  }

  /**
   * Changes the `changed` fields to the values in `fields` (see connectorPatch for what is sent); returns
   * the long-running operation's name.
   */
  async patchConnector(
    name: string,
    fields: Partial<Pick<ConnectorResource, ConnectorSizeField>>,
    changed: ConnectorSizeField[],
  ): Promise<string> {
    const { updateMask, body } = connectorPatch(name, fields, changed);
    const url = `${this.#baseUrl}/v1/${name}?updateMask=${updateMask.join(",")}`;
    const operation = await this.#guard.call("patchConnector", () => this.#rest("PATCH", url, body), name);
    const operationName = (operation as { name?: unknown }).name;
    if (typeof operationName !== "string" || operationName === "") {
      throw new Error(`PATCH ${name} returned an operation without a name`);
    }
    return operationName;
  }

  /** REST GET of the operation: the same path whichever transport the client uses. */
  async getOperation(name: string): Promise<OperationStatus> {
    const url = `${this.#baseUrl}/v1/${name}`;
    const operation = (await this.#guard.call("getOperation", () => this.#rest("GET", url), name)) as {
      done?: unknown;
      error?: unknown;
    };
    if (operation.done !== true) return { done: false };
    return operation.error === undefined ? { done: true } : { done: true, error: operation.error };
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  async #rest(method: "GET" | "PATCH", url: string, body?: unknown): Promise<unknown> {
    const response = await this.#auth.fetch(url, {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const data = parseJson(text);
    if (!response.ok) throw new RestCallError(method, url, response.status, response.headers, data ?? text);
    if (data === undefined)
      throw new Error(`${method} ${url}: expected a JSON answer, got ${JSON.stringify(text.slice(0, 200))}`);
    return data;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
