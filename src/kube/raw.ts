// Plain JSON requests to the API server with the KubeConfig's credentials and TLS settings. The
// generated clients turn timestamps into Date objects for built-in kinds while watch events stay
// raw JSON; listing through this helper keeps list and watch objects in the same (raw) shape.

import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { pooled } from "./http-pool.ts";

/** A collection of objects the API server serves; `group` is "" for the core API. */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
}

export const NAMESPACES: ResourceRef = { group: "", version: "v1", plural: "namespaces" };

/** Cluster-wide collection path, e.g. /apis/driftguard.dev/v1alpha1/vpcconnectorconfigs or /api/v1/namespaces. */
export function collectionPath(ref: ResourceRef): string {
  return ref.group === "" ? `/api/${ref.version}/${ref.plural}` : `/apis/${ref.group}/${ref.version}/${ref.plural}`;
}

/** An error answer from the API server; `status` is its metav1.Status body when it sent one. */
export class KubeApiError extends Error {
  readonly statusCode: number;
  readonly status?: { reason?: string; message?: string; code?: number };

  /** `request` is the method and path, e.g. "GET /api/v1/namespaces". */
  constructor(statusCode: number, request: string, status?: KubeApiError["status"]) {
    super(
      `${request}: HTTP ${statusCode}${status?.reason ? ` ${status.reason}` : ""}: ${status?.message ?? "no message"}`,
    );
    this.name = "KubeApiError";
    this.statusCode = statusCode;
    if (status) this.status = status;
  }
}

export async function getJson<T>(
  kc: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean | undefined> = {},
  timeoutMs = 60_000,
): Promise<T> {
  return requestJson<T>(kc, "GET", path, { query, timeoutMs });
}

export interface JsonRequest {
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON; `contentType` says which kind (a merge patch, say). */
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
}

/**
 * One JSON request to the API server: the body written with JSON.stringify and the answer read with
 * JSON.parse, nothing more (the generated clients walk every object through their serializer both ways,
 * which at thousands of status writes and Events is most of the allocation). An answer of 400 or more
 * throws a KubeApiError with the server's Status.
 */
export async function requestJson<T>(kc: KubeConfig, method: string, path: string, r: JsonRequest = {}): Promise<T> {
  const { query = {}, body, contentType = "application/json", timeoutMs = 60_000 } = r;
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig has no current cluster");
  const url = new URL(cluster.server.replace(/\/$/, "") + path);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string | number> = { Accept: "application/json" };
  if (payload) Object.assign(headers, { "Content-Type": contentType, "Content-Length": payload.length });
  const options: RequestOptions = { method, path: url.pathname + url.search, headers };
  await kc.applyToHTTPSOptions(options);
  const request = url.protocol === "http:" ? httpRequest : httpsRequest;
  const what = `${method} ${url.pathname}`;
  // The kubeconfig's own agent (one new TLS connection per request) is kept only to reach a proxy.
  const connection = cluster.proxyUrl ? {} : pooled(url, options);

  const response = await new Promise<{ statusCode: number; body: string }>((resolve, reject) => {
    const req = request(url, { ...options, ...connection, timeout: timeoutMs }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`${what}: no answer within ${timeoutMs}ms`)));
    req.on("error", (error) => reject(new Error(`${what} failed: ${error.message}`, { cause: error })));
    req.end(payload);
  });
  const parsed = parseJson(response.body);
  if (response.statusCode >= 400) {
    throw new KubeApiError(
      response.statusCode,
      what,
      typeof parsed === "object" && parsed !== null ? parsed : undefined,
    );
  }
  if (parsed === undefined) throw new Error(`${what}: answer is not JSON`);
  return parsed as T;
}

interface ObjectList<T> {
  kind?: string;
  apiVersion?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}

/** Lists a whole collection page by page; the resourceVersion is the first page's (one consistent snapshot). */
export async function listAll<T>(
  kc: KubeConfig,
  path: string,
  pageSize = 500,
): Promise<{ items: T[]; resourceVersion: string }> {
  const items: T[] = [];
  let resourceVersion = "";
  let token: string | undefined;
  do {
    const page = await getJson<ObjectList<T>>(kc, path, { limit: pageSize, continue: token });
    // List items carry no kind/apiVersion for built-in types; watch events do. Keep both shapes equal.
    const kind = page.kind?.replace(/List$/, "");
    for (const item of page.items ?? []) items.push({ apiVersion: page.apiVersion, kind, ...item });
    resourceVersion ||= page.metadata?.resourceVersion ?? "";
    token = page.metadata?.continue || undefined;
  } while (token);
  return { items, resourceVersion };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
