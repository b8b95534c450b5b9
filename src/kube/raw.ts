// Plain JSON GETs against the API server with the KubeConfig's credentials and TLS settings. The
// generated clients turn timestamps into Date objects for built-in kinds while watch events stay
// raw JSON; listing through this helper keeps list and watch objects in the same (raw) shape.

import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

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

  constructor(statusCode: number, path: string, status?: KubeApiError["status"]) {
    super(
      `GET ${path}: HTTP ${statusCode}${status?.reason ? ` ${status.reason}` : ""}: ${status?.message ?? "no message"}`,
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
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig has no current cluster");
  const url = new URL(cluster.server.replace(/\/$/, "") + path);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  const options: RequestOptions = { method: "GET", headers: { Accept: "application/json" } };
  await kc.applyToHTTPSOptions(options);
  const request = url.protocol === "http:" ? httpRequest : httpsRequest;

  const response = await new Promise<{ statusCode: number; body: string }>((resolve, reject) => {
    const req = request(url, { ...options, timeout: timeoutMs }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url.pathname}: no answer within ${timeoutMs}ms`)));
    req.on("error", (error) => reject(new Error(`GET ${url.pathname} failed: ${error.message}`, { cause: error })));
    req.end();
  });
  const parsed = parseJson(response.body);
  if (response.statusCode >= 400) {
    throw new KubeApiError(
      response.statusCode,
      url.pathname,
      typeof parsed === "object" && parsed !== null ? parsed : undefined,
    );
  }
  if (parsed === undefined) throw new Error(`GET ${url.pathname}: answer is not JSON`);
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
