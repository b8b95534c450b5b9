// One keep-alive connection pool, with one TLS SecureContext, for driftguard's own JSON requests to an API
// server. The agent the kubeconfig hands out keeps no connection alive, so every request opened a new TLS
// connection with a SecureContext of its own (the CA and client certificate parsed again, native memory
// outside the JS heap); at thousands of status writes and Events that is resident memory several times what
// the requests need. Pools are kept per server and TLS material, so a rotated certificate or CA (the
// kubeconfig re-reads files on every request) gets a fresh pool; the oldest of more than a few is dropped
// and lets its idle connections go.

import { createHash } from "node:crypto";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent, type RequestOptions } from "node:https";
import { createSecureContext, type SecureContext } from "node:tls";

interface Pool {
  key: string;
  agent: HttpAgent | HttpsAgent;
  secureContext?: SecureContext;
}

/** Idle connections close after this long; the API server closes its own after a few minutes anyway. */
const IDLE_MS = 30_000;
const TLS_FIELDS = ["ca", "cert", "key", "pfx", "passphrase"] as const;

/** Servers (and credentials) one process talks to at once: the cluster, and in tests a few of their own. */
const MAX_POOLS = 8;
const pools = new Map<string, Pool>();

/** What to add to a request's options (after the kubeconfig applied its TLS and auth) to use the pool. */
export function pooled(
  url: URL,
  options: RequestOptions,
): Pick<RequestOptions, "agent"> & { secureContext?: SecureContext } {
  const key = poolKey(url, options);
  let pool = pools.get(key);
  if (!pool) {
    pool = newPool(url, options, key);
    pools.set(key, pool);
    // Dropped, not destroyed: its requests in flight finish, then its idle connections time out.
    if (pools.size > MAX_POOLS) pools.delete(pools.keys().next().value as string);
  }
  return { agent: pool.agent, ...(pool.secureContext ? { secureContext: pool.secureContext } : {}) };
}

function newPool(url: URL, options: RequestOptions, key: string): Pool {
  const common = { keepAlive: true, timeout: IDLE_MS, scheduling: "lifo" as const };
  if (url.protocol === "http:") return { key, agent: new HttpAgent(common) };
  const tls = Object.fromEntries(TLS_FIELDS.filter((f) => options[f] !== undefined).map((f) => [f, options[f]]));
  return { key, agent: new HttpsAgent(common), secureContext: createSecureContext(tls) };
}

function poolKey(url: URL, options: RequestOptions): string {
  const hash = createHash("sha256").update(`${url.origin}\0${String(options.rejectUnauthorized)}\0`);
  for (const field of TLS_FIELDS) {
    const value = options[field];
    hash.update(`${field}=`);
    if (value !== undefined) hash.update(Buffer.isBuffer(value) ? value : JSON.stringify(value));
    hash.update("\0");
  }
  return hash.digest("hex");
}
