// Writes the status of a custom resource through its status subresource, only when it changed.
//
// Why PUT with resourceVersion rather than a merge patch: a merge patch cannot drop a stale key
// unless we compute explicit nulls, and without a precondition it silently overwrites a concurrent
// writer. A PUT of the whole object with its resourceVersion replaces status exactly and fails with
// 409 Conflict if the object moved on; we then re-read, compare again (the fresh status may already
// be what we want) and retry. The server ignores everything but .status on this subresource.
//
// `beforeWrite` is asked right before every PUT, the retries included: a replica can lose its Lease while
// a conflict's re-read is in flight, and the check made before the first attempt says nothing about the
// next one.

import type { KubeConfig } from "@kubernetes/client-node";
import { KubeApiError, requestJson, type ResourceRef } from "./raw.ts";

export interface StatusTarget extends ResourceRef {
  namespace: string;
  name: string;
}

export interface ObjectWithStatus {
  metadata?: { resourceVersion?: string };
  status?: unknown;
}

export interface StatusWriteResult<T extends ObjectWithStatus> {
  outcome: "written" | "unchanged" | "gone";
  /** The object as last seen on the server (after the write when written); absent when gone. */
  object?: T;
  attempts: number;
}

export interface StatusWriteOptions {
  /** Called right before each PUT; throws to refuse it (e.g. once this replica no longer leads). */
  beforeWrite?: () => void;
}

export class StatusWriter {
  readonly #kc: KubeConfig;
  readonly #maxAttempts: number;

  constructor(kc: KubeConfig, options: { maxAttempts?: number } = {}) {
    this.#kc = kc;
    this.#maxAttempts = options.maxAttempts ?? 5;
  }

  /**
   * Makes the object's status equal `status`. `current` is the copy the caller already holds (e.g. from
   * the informer cache); the server is read only when it is missing or turns out stale.
   */
  async write<T extends ObjectWithStatus>(
    target: StatusTarget,
    status: unknown,
    current?: T,
    options: StatusWriteOptions = {},
  ): Promise<StatusWriteResult<T>> {
    const where = `${target.plural}.${target.group} ${target.namespace}/${target.name}`;
    let object = current ?? (await this.#read<T>(target, where));
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      if (object === undefined) return { outcome: "gone", attempts: attempt };
      if (sameJson(object.status, status)) return { outcome: "unchanged", object, attempts: attempt };
      if (!object.metadata?.resourceVersion)
        throw new Error(`status of ${where}: the object has no metadata.resourceVersion`);
      options.beforeWrite?.();
      try {
        const written = await requestJson<T>(this.#kc, "PUT", statusPath(target), { body: { ...object, status } });
        return { outcome: "written", object: written, attempts: attempt };
      } catch (error) {
        const code = httpCode(error);
        if (code === 404) return { outcome: "gone", attempts: attempt };
        if (code !== 409) throw new Error(`writing status of ${where} failed: ${messageOf(error)}`, { cause: error });
        object = await this.#read<T>(target, where);
      }
    }
    throw new Error(`writing status of ${where}: still conflicting after ${this.#maxAttempts} attempts`);
  }

  async #read<T>(target: StatusTarget, where: string): Promise<T | undefined> {
    try {
      return await requestJson<T>(this.#kc, "GET", statusPath(target));
    } catch (error) {
      if (httpCode(error) === 404) return undefined;
      throw new Error(`reading ${where} failed: ${messageOf(error)}`, { cause: error });
    }
  }
}

/**
 * Deep equality of two values as JSON would see them: key order is insignificant, undefined members count
 * as absent, toJSON() (a Date) is honoured. Compared in place rather than through JSON.stringify, since
 * every quiet pass compares its status with the stored one.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  return equalJson(jsonValue(a), jsonValue(b));
}

/** The value JSON.stringify would write for `value` (one level): toJSON applied, non-finite numbers null. */
function jsonValue(value: unknown): unknown {
  if (typeof value === "object" && value !== null && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return (value as { toJSON(): unknown }).toJSON();
  }
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}

/** What JSON writes for a member: functions and symbols are dropped like undefined. */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

function equalJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    // JSON writes an omitted array item as null.
    const item = (v: unknown) => (omitted(v) ? null : jsonValue(v));
    return a.every((v, i) => equalJson(item(v), item(b[i])));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let present = 0;
  for (const key of Object.keys(left)) {
    const value = left[key];
    if (omitted(value)) continue;
    present++;
    const other = right[key];
    if (!Object.hasOwn(right, key) || omitted(other) || !equalJson(jsonValue(value), jsonValue(other))) return false;
  }
  let presentRight = 0;
  for (const key of Object.keys(right)) if (!omitted(right[key])) presentRight++;
  return present === presentRight;
}

/** The status subresource; cluster-scoped objects (ServiceConfigPolicy) have no namespace in their path. */
function statusPath(target: StatusTarget): string {
  const base = target.group === "" ? `/api/${target.version}` : `/apis/${target.group}/${target.version}`;
  const scope = target.namespace === "" ? "" : `/namespaces/${encodeURIComponent(target.namespace)}`;
  return `${base}${scope}/${target.plural}/${encodeURIComponent(target.name)}/status`;
}

function httpCode(error: unknown): number | undefined {
  return error instanceof KubeApiError ? error.statusCode : undefined;
}

/** The API server's own message when it sent a Status. */
function messageOf(error: unknown): string {
  if (error instanceof KubeApiError && error.status?.message) return error.status.message;
  return error instanceof Error ? error.message : String(error);
}
