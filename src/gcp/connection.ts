// How driftguard reaches Google: the real endpoints with Application Default Credentials (Workload
// Identity in a cluster), or overridden endpoints such as the bundled simulator, over gRPC or REST.
// Every Google client and every hand-made REST call is built from one GcpConnection, so a REST call
// carries exactly the credentials and endpoint the client libraries use.

import { credentials } from "@grpc/grpc-js";
import type { ClientOptions } from "google-gax";
import { GoogleAuth } from "google-auth-library";
import packageJson from "../../package.json" with { type: "json" };

export type Transport = "grpc" | "rest";

export interface GcpConnection {
  transport: Transport;
  /** "host:port" of a gRPC endpoint override (plaintext); unset means Google's own endpoint. */
  grpcEndpoint?: string;
  /** "http(s)://host:port" of a REST endpoint override; unset means Google's own endpoint. */
  restEndpoint?: string;
  /** A fixed bearer token (for the simulator); unset means Application Default Credentials. */
  accessToken?: string;
}

const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/**
 * The product token every driftguard request to Google starts its user agent with. Cloud Audit Logs record it
 * as requestMetadata.callerSuppliedUserAgent, which is how the audit feed tells driftguard's own writes apart.
 */
export const DRIFTGUARD_USER_AGENT_PRODUCT = "driftguard";
export const DRIFTGUARD_USER_AGENT = `${DRIFTGUARD_USER_AGENT_PRODUCT}/${packageJson.version}`;

/**
 * Credentials that are one fixed token. Its fetch leaves HTTP errors to google-gax (an OAuth2Client's
 * fetch throws on any 4xx/5xx first, hiding the google.rpc.Status the client would decode), and using
 * it keeps google-auth-library from probing for a GCE metadata server next to a simulator.
 */
export class FixedTokenAuth {
  readonly universeDomain = "googleapis.com";
  readonly #token: string;

  constructor(token: string) {
    this.#token = token;
  }

  getRequestHeaders(): Promise<Headers> {
    return Promise.resolve(new Headers({ authorization: `Bearer ${this.#token}` }));
  }

  fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${this.#token}`);
    headers.set("user-agent", DRIFTGUARD_USER_AGENT);
    return fetch(input, { ...init, headers });
  }
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
  const auth = connection.accessToken
    ? { authClient: new FixedTokenAuth(connection.accessToken) as unknown as ClientOptions["authClient"] }
    : {};
  if (connection.transport === "rest") {
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

/** Authorization (and user-agent) headers for a hand-made REST call, from the same credentials the clients use. */
export async function authorizationHeaders(connection: GcpConnection): Promise<Record<string, string>> {
  const headers = connection.accessToken
    ? await new FixedTokenAuth(connection.accessToken).getRequestHeaders()
    : await applicationDefault().getRequestHeaders();
  return { ...Object.fromEntries(headers.entries()), "user-agent": DRIFTGUARD_USER_AGENT };
}

let adc: GoogleAuth | undefined;

function applicationDefault(): GoogleAuth {
  adc ??= new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] });
  return adc;
}

function splitHostPort(endpoint: string): [string, string] {
  const at = endpoint.lastIndexOf(":");
  if (at <= 0 || at === endpoint.length - 1) throw new Error(`GCP endpoint "${endpoint}" must be host:port`);
  return [endpoint.slice(0, at), endpoint.slice(at + 1)];
}
