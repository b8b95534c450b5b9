// Cloud Run services and their revisions. Every write is checked, defaulted, given a new generation and
// etag at once (so concurrent writers with one etag race to exactly one winner), and then rolled out by
// a long-running operation that makes the service ready or failed. "Interaction N" below is an exchange
// of Google's recorded traffic, test/fixtures/google-recordings/cloudrun-v2-runservicebasic.vcr.yaml.

import { randomUUID } from "node:crypto";
import { SimError } from "../core/errors.ts";
import type { JsonObject, SimContext } from "../core/module.ts";
import type { AnyJson, OperationJson } from "../core/operations.ts";
import { withServiceDefaults } from "./defaults.ts";
import { DELETED_SERVICE_RETENTION_MS } from "./google-facts.ts";
import type { RevisionFailures } from "./failures.ts";
import {
  checkEtag,
  newEtag,
  newRevision,
  rolledOut,
  unknownTrafficRevisions,
  violationError,
  type RevisionHistory,
} from "./revisions.ts";
import { parseServiceName, projectNumberOf, templateKey } from "./shape.ts";
import { deleted, pending, settle } from "./status.ts";
import { validateService } from "./validate.ts";

export const SERVICE_TYPE = "type.googleapis.com/google.cloud.run.v2.Service";

interface ServiceRecord extends RevisionHistory {
  /**
   * The service as UTF-8 proto3 JSON. Every read hands out a fresh copy anyway, and parsing JSON is the
   * cheapest deep copy; the bytes take half the memory of the object they encode, and being outside the
   * JavaScript heap they do not make V8 grow its young generation while thousands are seeded.
   */
  json: Buffer;
}

export interface WriteOptions {
  /** "CreateServiceRequest", "UpdateServiceRequest", ...: names the request in violation messages. */
  request: string;
  actor: string;
  validateOnly?: boolean;
  /** The etag the caller read; a different current etag fails with ABORTED. */
  etag?: string;
}

export class ServiceStore {
  #records = new Map<string, ServiceRecord>();
  readonly #ctx: SimContext;
  readonly #failures: RevisionFailures;

  constructor(ctx: SimContext, failures: RevisionFailures) {
    this.#ctx = ctx;
    this.#failures = failures;
  }

  has(name: string): boolean {
    return this.#records.has(name);
  }

  get(name: string): JsonObject {
    return parseService(this.#record(name));
  }

  /** Every service's full name, sorted. */
  names(): string[] {
    return [...this.#records.keys()].sort();
  }

  /** Services under `projects/p/locations/l`, by name. */
  list(parent: string): JsonObject[] {
    const prefix = `${parent}/services/`;
    return [...this.#records.keys()]
      .filter((name) => name.startsWith(prefix))
      .sort()
      .map((name) => this.get(name));
  }

  /** Creates or replaces the settable fields of `name` with `desired`; returns the rollout operation. */
  write(name: string, desired: JsonObject, options: WriteOptions): OperationJson {
    const { history, pending, revision } = this.#prepare(name, desired, options);
    const parent = name.slice(0, name.indexOf("/services/"));
    if (options.validateOnly) {
      return this.#ctx.operations.start({
        parent,
        latencyMs: 0,
        complete: () => ({ "@type": SERVICE_TYPE, ...pending }),
      });
    }
    // The stored copy is bytes, so `pending` itself can become the operation's metadata.
    this.#records.set(name, { json: serviceBytes(pending), ...history });
    const generation = pending.generation;
    return this.#ctx.operations.start({
      parent,
      metadata: { "@type": SERVICE_TYPE, ...pending },
      complete: () => {
        this.#rollOut(name, generation, revision !== undefined);
        return { "@type": SERVICE_TYPE, ...this.get(name) };
      },
      // A finished operation's metadata is the final service, like its response (interactions 2, 7, 12).
      metadataWhenDone: (response) => response ?? this.#current(name),
    });
  }

  /** A write that is rolled out at once, for seeds: no operation. A seeded revision set up to fail stays failed. */
  writeReady(name: string, desired: JsonObject, options: WriteOptions): void {
    const { history, pending } = this.#prepare(name, desired, options);
    rolledOut(name, pending, history);
    settle(pending, history.failedRevisions, this.#timestamp());
    this.#records.set(name, { json: serviceBytes(pending), ...history });
  }

  /**
   * Deleting is a change of its own (interaction 11): a new generation and etag, deleteTime, and the
   * expireTime 30 days later after which the name may be reused; the service is gone once the operation is done.
   */
  delete(name: string, options: Omit<WriteOptions, "actor">): OperationJson {
    const record = this.#record(name);
    const service = parseService(record);
    checkEtag(service, options.etag);
    const parent = name.slice(0, name.indexOf("/services/"));
    const now = this.#timestamp();
    const deleting: JsonObject = {
      ...service,
      generation: String(Number(service.generation ?? 0) + 1),
      updateTime: now,
      deleteTime: now,
      expireTime: new Date(this.#ctx.now() + DELETED_SERVICE_RETENTION_MS).toISOString(),
      etag: newEtag(),
    };
    pending(deleting);
    if (options.validateOnly) {
      return this.#ctx.operations.start({
        parent,
        latencyMs: 0,
        complete: () => ({ "@type": SERVICE_TYPE, ...deleting }),
      });
    }
    record.json = serviceBytes(deleting);
    return this.#ctx.operations.start({
      parent,
      metadata: { "@type": SERVICE_TYPE, ...deleting },
      complete: () => {
        const gone: JsonObject = { ...deleting, updateTime: this.#timestamp(), etag: newEtag() };
        deleted(gone, this.#timestamp());
        this.#records.delete(name);
        return { "@type": SERVICE_TYPE, ...gone };
      },
      metadataWhenDone: (response) => response,
    });
  }

  snapshot(): JsonObject {
    const records = [...this.#records].map(([name, { json, ...history }]) => [
      name,
      { service: parseService({ json }), ...structuredClone(history) },
    ]);
    return { records: Object.fromEntries(records) };
  }

  restore(snapshot: JsonObject): void {
    const records = Object.entries(
      (snapshot.records ?? {}) as Record<string, RevisionHistory & { service: JsonObject }>,
    );
    this.#records = new Map(
      records.map(([name, { service, ...history }]) => [
        name,
        { json: serviceBytes(service), ...structuredClone(history) },
      ]),
    );
  }

  reset(): void {
    this.#records.clear();
  }

  #record(name: string): ServiceRecord {
    const record = this.#records.get(name);
    if (!record) throw SimError.notFound(name);
    return record;
  }

  #current(name: string): AnyJson | undefined {
    return this.#records.has(name) ? { "@type": SERVICE_TYPE, ...this.get(name) } : undefined;
  }

  #timestamp(): string {
    return new Date(this.#ctx.now()).toISOString();
  }

  /** The checked, defaulted service a write leads to (status reconciling), and the revision history with it. */
  #prepare(name: string, desired: JsonObject, options: WriteOptions) {
    const parsed = parseServiceName(name, "service.name");
    const existing = this.#records.get(name);
    const previous = existing ? parseService(existing) : {};
    if (existing) checkEtag(previous, options.etag);
    const defaulted = withServiceDefaults(desired, projectNumberOf(parsed.project));
    const violations = validateService(defaulted, parsed.id);
    const history: RevisionHistory = existing
      ? {
          revisions: { ...existing.revisions },
          revisionCount: existing.revisionCount,
          failedRevisions: { ...existing.failedRevisions },
          ...(existing.pendingRevision ? { pendingRevision: existing.pendingRevision } : {}),
        }
      : { revisions: {}, revisionCount: 0, failedRevisions: {} };
    violations.push(...unknownTrafficRevisions(defaulted, history));
    if (violations.length) throw violationError(options.request, violations);
    const key = templateKey(defaulted.template);
    const revision = newRevision(parsed.id, defaulted.template as JsonObject, key, previous, history);
    const failure =
      revision && !options.validateOnly ? this.#failures.take(name, defaulted.template as JsonObject) : undefined;
    const now = this.#timestamp();
    const next: JsonObject = {
      ...defaulted,
      name,
      uid: previous.uid ?? randomUUID(),
      generation: String(Number(previous.generation ?? 0) + 1),
      createTime: previous.createTime ?? now,
      updateTime: now,
      creator: previous.creator ?? options.actor,
      lastModifier: options.actor,
      // Status stays as it was until the rollout decides it (interaction 6); a new service has none yet.
      ...pick(previous, [
        "observedGeneration",
        "terminalCondition",
        "conditions",
        "latestReadyRevision",
        "latestCreatedRevision",
        "trafficStatuses",
        "uri",
        "urls",
      ]),
      etag: newEtag(),
    };
    pending(next);
    if (revision) {
      history.revisions[revision] = key;
      history.revisionCount += 1;
      history.pendingRevision = revision;
      if (failure) history.failedRevisions[revision] = failure;
    }
    return { history, pending: next, revision };
  }

  /** Finishes the rollout of `generation`; a newer write supersedes it and owns the service's status. */
  #rollOut(name: string, generation: unknown, newRevision: boolean): void {
    const record = this.#records.get(name);
    if (!record) throw SimError.notFound(name);
    const service = parseService(record);
    if (service.generation !== generation) return;
    rolledOut(name, service, record);
    const failure = settle(service, record.failedRevisions, this.#timestamp());
    record.json = serviceBytes(service);
    // No status details: the REST clients decode an operation's error with their own API's types only.
    if (failure && newRevision) throw new SimError("FAILED_PRECONDITION", failure);
  }
}

function serviceBytes(service: JsonObject): Buffer {
  return Buffer.from(JSON.stringify(service));
}

function parseService(record: Pick<ServiceRecord, "json">): JsonObject {
  return JSON.parse(record.json.toString()) as JsonObject;
}

function pick(object: JsonObject, keys: string[]): JsonObject {
  return Object.fromEntries(keys.filter((key) => object[key] !== undefined).map((key) => [key, object[key]]));
}
