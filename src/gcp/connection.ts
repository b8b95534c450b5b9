// How driftguard reaches Google: the real endpoints with Application Default Credentials (Workload
// Identity in a cluster), or overridden endpoints such as the bundled simulator, over gRPC or REST.
// Every Google client and every hand-made REST call is built from one GcpConnection, so a REST call
// carries exactly the credentials and endpoint the client libraries use. Over REST, every request (the
// clients' and the hand-made ones) goes through one RestAuth: driftguard's user agent, whichever
// credentials, and a bound on each exchange.

import { credentials } from "@grpc/grpc-js";
import type { ClientOptions } from "google-gax";
import { GoogleAuth } from "google-auth-library";
import packageJson from "../../package.json" with { type: "json" };
import { DEFAULT_REST_TIMEOUT_MS, sendRest } from "./rest.ts";

export type Transport = "grpc" | "rest";

export interface GcpConnection {
  transport: Transport;
  /** "host:port" of a gRPC endpoint override (plaintext); unset means Google's own endpoint. */
  grpcEndpoint?: string;
  /** "http(s)://host:port" of a REST endpoint override; unset means Google's own endpoint. */
  restEndpoint?: string;
  /** A fixed bearer token (for the simulator); unset means Application Default Credentials. */
  accessToken?: string;
  /** Bound on each REST exchange, answer included; default DEFAULT_REST_TIMEOUT_MS. */
  restTimeoutMs?: number;
}

const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/**
 * The product token every driftguard request to Google starts its user agent with. Cloud Audit Logs record it
 * as requestMetadata.callerSuppliedUserAgent, which is how the audit feed tells driftguard's own writes apart.
 */
export const DRIFTGUARD_USER_AGENT_PRODUCT = "driftguard";
export const DRIFTGUARD_USER_AGENT = `${DRIFTGUARD_USER_AGENT_PRODUCT}/${packageJson.version}`;

/**
 * What google-gax's REST fallback needs of credentials (getRequestHeaders, fetch), and what the hand-made REST
 * calls send through. fetch returns an HTTP error status rather than throwing it: google-auth-library's own
 * fetch throws a GaxiosError on any 4xx/5xx, hiding the google.rpc.Status google-gax would decode.
 */
export interface RestAuth {
  getRequestHeaders(): Promise<Headers>;
  fetch(input: string | URL, init?: RequestInit): Promise<Response>;
}

/** Sends `init` with the credentials' headers and driftguard's user agent, within the exchange bound. */
async function sendWithAuth(
  auth: RestAuth,
  timeoutMs: number,
  input: string | URL,
  init: RequestInit,
): Promise<Response> {
  const headers = new Headers(init.headers);
  for (const [name, value] of await auth.getRequestHeaders()) headers.set(name, value);
  headers.set("user-agent", DRIFTGUARD_USER_AGENT);
  return sendRest(input, init, headers, timeoutMs);
}

/**
 * Credentials that are one fixed token. Using it keeps google-auth-library from probing for a GCE metadata
 * server next to a simulator.
 */
export class FixedTokenAuth implements RestAuth {
  readonly universeDomain = "googleapis.com";
  readonly #token: string;
  readonly #timeoutMs: number;

  constructor(token: string, restTimeoutMs = DEFAULT_REST_TIMEOUT_MS) {
    this.#token = token;
    this.#timeoutMs = restTimeoutMs;
  }

  getRequestHeaders(): Promise<Headers> {
    return Promise.resolve(new Headers({ authorization: `Bearer ${this.#token}` }));
  }

  fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    return sendWithAuth(this, this.#timeoutMs, input, init);
  }
}

/**
 * Application Default Credentials (Workload Identity, a key file, gcloud's user credentials) for REST. Left
 * to itself, google-gax would send through google-auth-library's fetch with that library's user agent, so
 * the audit log would not show the write as driftguard's.
 */
export class ApplicationDefaultAuth implements RestAuth {
  readonly #adc: GoogleAuth;
  readonly #timeoutMs: number;

  constructor(restTimeoutMs = DEFAULT_REST_TIMEOUT_MS) {
    this.#adc = new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] });
    // As the generated @google-cloud/* clients set it on theirs: a service-account key signs its own
    // scoped token instead of exchanging it at the OAuth endpoint first.
    this.#adc.useJWTAccessWithScope = true;
    this.#timeoutMs = restTimeoutMs;
  }

  /** google-gax checks the credentials' universe domain on the client this returns. */
  getClient(): ReturnType<GoogleAuth["getClient"]> {
    return this.#adc.getClient();
  }

  getRequestHeaders(): Promise<Headers> {
    return this.#adc.getRequestHeaders();
  }

  fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    return sendWithAuth(this, this.#timeoutMs, input, init);
  }
}

/** The REST credentials of `connection`: its fixed token, else Application Default Credentials. */
export function restAuth(connection: GcpConnection): RestAuth {
  return connection.accessToken
    ? new FixedTokenAuth(connection.accessToken, connection.restTimeoutMs)
    : new ApplicationDefaultAuth(connection.restTimeoutMs);
}

/** A connection to a simulator (or any plaintext endpoint pair) on loopback, with a fixed token. */
export function loopbackConnection(
  ports: { grpcPort: number; restPort: number },
  transport: Transport = "grpc",
  accessToken = "sim-token",
): GcpConnection {
  return {
    transport,
    grpcEndpoint: `127.0.0.1:${ports.grpcPort}`,
    restEndpoint: `http://127.0.0.1:${ports.restPort}`,
    accessToken,
  };
}

/** Constructor options for any generated @google-cloud/* client. */
export function clientOptions(connection: GcpConnection): ClientOptions {
  // gax accepts any object with getRequestHeaders (and fetch for REST); its type names only its own classes.
  const authClient = (auth: RestAuth) => auth as unknown as ClientOptions["authClient"];
  if (connection.transport === "rest") {
    const auth = { authClient: authClient(restAuth(connection)) };
    if (!connection.restEndpoint) return { fallback: true, ...auth };
    const url = new URL(connection.restEndpoint);
    return {
      fallback: true,
      ...auth,
      apiEndpoint: url.hostname,
      port: Number(url.port || (url.protocol === "http:" ? 80 : 443)),
      protocol: url.protocol.replace(":", ""),
    };
  }
  const auth = connection.accessToken ? { authClient: authClient(new FixedTokenAuth(connection.accessToken)) } : {};
  // gax hands "grpc."-prefixed options to the channel; grpc-js puts this first in the user-agent header.
  const userAgent = { "grpc.primary_user_agent": DRIFTGUARD_USER_AGENT };
  if (!connection.grpcEndpoint) return { ...auth, ...userAgent };
  const [host, port] = splitHostPort(connection.grpcEndpoint);
  // An endpoint override is a loopback simulator or a private gateway: plaintext, no call credentials.
  return { ...auth, ...userAgent, apiEndpoint: host, port: Number(port), sslCreds: credentials.createInsecure() };
}

/** The REST base URL for an API whose Google host is `googleHost` (e.g. "vpcaccess.googleapis.com"). */
export function restBaseUrl(connection: GcpConnection, googleHost: string): string {
  return (connection.restEndpoint ?? `https://${googleHost}`).replace(/\/+$/, "");
}

function splitHostPort(endpoint: string): [string, string] {
  const at = endpoint.lastIndexOf(":");
  if (at <= 0 || at === endpoint.length - 1) throw new Error(`GCP endpoint "${endpoint}" must be host:port`);
  return [endpoint.slice(0, at), endpoint.slice(at + 1)];
}
