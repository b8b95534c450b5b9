// One connection pool per API server instead of one per request. @kubernetes/client-node builds a new
// undici Agent (a new TLS connection and SecureContext, with the CA loaded again) for every API call; it
// caches agents for WebSockets only. At thousands of objects the start-up's status writes and Events leave
// thousands of TLS connections and contexts behind, which is native memory outside the JS heap: resident
// memory several times the heap. The dispatcher is kept per TLS material, so a rotated client certificate
// or CA (re-read from file on every request) gets a fresh pool and the old one is closed.

import { createHash } from "node:crypto";
import type { KubeConfig } from "@kubernetes/client-node";

interface Dispatcher {
  close(): Promise<void>;
}
type CreateDispatcher = (cluster: unknown, agentOptions: Record<string, unknown>) => Dispatcher | undefined;

const SHARED = Symbol("driftguard.sharedConnections");

/** Makes every API client made from `kc` share one connection pool; returns `kc`. Idempotent. */
export function shareConnections(kc: KubeConfig): KubeConfig {
  const target = kc as unknown as { createDispatcher: CreateDispatcher; [SHARED]?: true };
  if (target[SHARED] || typeof target.createDispatcher !== "function") return kc;
  const create = target.createDispatcher.bind(kc);
  let current: { key: string; dispatcher: Dispatcher | undefined } | undefined;
  target.createDispatcher = (cluster, agentOptions) => {
    const key = tlsKey(cluster, agentOptions);
    if (current?.key === key) return current.dispatcher;
    const previous = current?.dispatcher;
    current = { key, dispatcher: create(cluster, agentOptions) };
    // Requests in flight on the old pool finish; close() only stops it taking new ones.
    void previous?.close().catch(() => undefined);
    return current.dispatcher;
  };
  target[SHARED] = true;
  return kc;
}

/** A digest of what the pool's connections are made with: server, CA, client certificate and key. */
function tlsKey(cluster: unknown, options: Record<string, unknown>): string {
  const hash = createHash("sha256");
  const { server = "", proxyUrl = "" } = (cluster ?? {}) as { server?: string; proxyUrl?: string };
  hash.update(`${server}\0${proxyUrl}\0`);
  for (const field of ["ca", "cert", "key", "pfx", "passphrase", "rejectUnauthorized", "servername"]) {
    const value = options[field];
    hash.update(`${field}=`);
    if (value !== undefined) hash.update(Buffer.isBuffer(value) ? value : JSON.stringify(value));
    hash.update("\0");
  }
  return hash.digest("hex");
}
