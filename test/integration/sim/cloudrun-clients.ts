// The real @google-cloud/run client pointed at a simulator, in gRPC mode and in REST (fallback) mode.

import * as grpc from "@grpc/grpc-js";
import { v2 } from "@google-cloud/run";
import type { Simulator } from "../../../src/sim/simulator.ts";

export type Transport = "grpc" | "rest";

/**
 * An auth client with a fixed token whose fetch leaves HTTP errors to google-gax (an OAuth2Client's
 * fetch throws on any 4xx/5xx first, hiding the google.rpc.Status that gax would decode).
 */
export class FixedTokenAuth {
  readonly universeDomain = "googleapis.com";

  getRequestHeaders(): Promise<Headers> {
    return Promise.resolve(new Headers({ authorization: "Bearer sim-token" }));
  }

  fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("authorization", "Bearer sim-token");
    return fetch(input, { ...init, headers });
  }
}

export function servicesClient(sim: Simulator, transport: Transport): v2.ServicesClient {
  if (transport === "grpc") {
    return new v2.ServicesClient({
      apiEndpoint: "127.0.0.1",
      port: sim.grpcPort,
      sslCreds: grpc.credentials.createInsecure(),
      // Without an auth client google-auth-library would probe for a GCE metadata server.
      authClient: new FixedTokenAuth(),
    } as ConstructorParameters<typeof v2.ServicesClient>[0]);
  }
  return new v2.ServicesClient({
    apiEndpoint: "127.0.0.1",
    port: sim.restPort,
    fallback: true,
    protocol: "http",
    authClient: new FixedTokenAuth(),
  } as ConstructorParameters<typeof v2.ServicesClient>[0]);
}

export const PARENT = "projects/demo/locations/us-central1";

export function serviceName(id: string): string {
  return `${PARENT}/services/${id}`;
}
