// Cloud Run services and their revisions. Every write is checked, defaulted, given a new generation and
// etag at once (so concurrent writers with one etag race to exactly one winner), and then rolled out by
// a long-running operation that makes the service ready or failed.

import { randomBytes, randomUUID } from "node:crypto";
import { SimError, type FieldViolation } from "../core/errors.ts";
import type { JsonObject, SimContext } from "../core/module.ts";
import type { OperationJson } from "../core/operations.ts";
import { withServiceDefaults } from "./defaults.ts";
import type { RevisionFailure, RevisionFailures } from "./failures.ts";
import { parseServiceName, projectNumberOf, serviceUris, templateKey } from "./shape.ts";
import { failed, ready, reconciling } from "./status.ts";
import { validateService } from "./validate.ts";

export const SERVICE_TYPE = "type.googleapis.com/google.cloud.run.v2.Service";

interface ServiceRecord {
  service: JsonObject;
  /** Revision name -> templateKey of the template it was made from. */
  revisions: Record<string, string>;
  revisionCount: number;
  failedRevisions: Record<string, RevisionFailure>;
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
    return structuredClone(this.#record(name).service);
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
    const prepared = this.#prepare(name, desired, options);
    const parent = name.slice(0, name.indexOf("/services/"));
    const pending = prepared.record.service;
    if (options.validateOnly) {
      return this.#ctx.operations.start({
        parent,
        latencyMs: 0,
        complete: () => ({ "@type": SERVICE_TYPE, ...pending }),
      });
    }
    this.#records.set(name, prepared.record);
    const generation = pending.generation;
    return this.#ctx.operations.start({
      parent,
      metadata: { "@type": SERVICE_TYPE, ...structuredClone(pending) },
      complete: () => {
        this.#rollOut(name, generation, prepared.revision !== undefined);
        return { "@type": SERVICE_TYPE, ...this.get(name) };
      },
    });
  }

  /** A write that is rolled out at once, for seeds: no operation. */
  writeReady(name: string, desired: JsonObject, options: WriteOptions): void {
    const prepared = this.#prepare(name, desired, options);
    this.#records.set(name, prepared.record);
    try {
      this.#rollOut(name, prepared.record.service.generation, true);
    } catch (err) {
      if (!(err instanceof SimError)) throw err; // a seeded revision set up to fail stays failed
    }
  }

  delete(name: string, options: Omit<WriteOptions, "actor">): OperationJson {
    const record = this.#record(name);
    checkEtag(record.service, options.etag);
    const parent = name.slice(0, name.indexOf("/services/"));
    const deleted = { ...structuredClone(record.service), deleteTime: this.#timestamp() };
    if (options.validateOnly) {
      return this.#ctx.operations.start({
        parent,
        latencyMs: 0,
        complete: () => ({ "@type": SERVICE_TYPE, ...deleted }),
      });
    }
    record.service.reconciling = true;
    record.service.deleteTime = deleted.deleteTime;
    return this.#ctx.operations.start({
      parent,
      metadata: { "@type": SERVICE_TYPE, ...deleted },
      complete: () => {
        this.#records.delete(name);
        return { "@type": SERVICE_TYPE, ...deleted };
      },
    });
  }

  snapshot(): JsonObject {
    return { records: structuredClone(Object.fromEntries(this.#records)) };
  }

  restore(snapshot: JsonObject): void {
    this.#records = new Map(Object.entries(structuredClone(snapshot.records ?? {}) as Record<string, ServiceRecord>));
  }

  reset(): void {
    this.#records.clear();
  }

  #record(name: string): ServiceRecord {
    const record = this.#records.get(name);
    if (!record) throw SimError.notFound(name);
    return record;
  }

  #timestamp(): string {
    return new Date(this.#ctx.now()).toISOString();
  }

  #prepare(name: string, desired: JsonObject, options: WriteOptions) {
    const parsed = parseServiceName(name, "service.name");
    const existing = this.#records.get(name);
    if (existing) checkEtag(existing.service, options.etag);
    const defaulted = withServiceDefaults(desired, projectNumberOf(parsed.project));
    const violations = validateService(defaulted, parsed.id);
    const record: ServiceRecord = existing
      ? { ...existing, revisions: { ...existing.revisions }, failedRevisions: { ...existing.failedRevisions } }
      : { service: {}, revisions: {}, revisionCount: 0, failedRevisions: {} };
    violations.push(...unknownTrafficRevisions(defaulted, record));
    if (violations.length) throw violationError(options.request, violations);
    const key = templateKey(defaulted.template);
    const revision = this.#newRevision(parsed.id, defaulted.template as JsonObject, key, record);
    const failure =
      revision && !options.validateOnly ? this.#failures.take(name, defaulted.template as JsonObject) : undefined;
    const now = this.#timestamp();
    const previous = existing?.service ?? {};
    const urls = serviceUris(parsed);
    const pending: JsonObject = {
      ...defaulted,
      name,
      uid: previous.uid ?? randomUUID(),
      generation: String(Number(previous.generation ?? 0) + 1),
      createTime: previous.createTime ?? now,
      updateTime: now,
      creator: previous.creator ?? options.actor,
      lastModifier: options.actor,
      ...pick(previous, ["observedGeneration", "latestReadyRevision", "trafficStatuses"]),
      latestCreatedRevision: revision ?? previous.latestCreatedRevision,
      uri: urls[0],
      urls,
      etag: `"${randomBytes(12).toString("base64url")}"`,
    };
    reconciling(pending, now);
    record.service = pending;
    if (revision) {
      record.revisions[revision] = key;
      record.revisionCount += 1;
      if (failure) record.failedRevisions[revision] = failure;
    }
    return { record, revision };
  }

  /** Name of the revision this template needs, or undefined when the latest revision already has it. */
  #newRevision(serviceId: string, template: JsonObject, key: string, record: ServiceRecord): string | undefined {
    const explicit = typeof template.revision === "string" && template.revision !== "" ? template.revision : undefined;
    if (explicit) {
      const known = record.revisions[explicit];
      if (known !== undefined && known !== key) {
        throw new SimError(
          "ALREADY_EXISTS",
          `Revision named '${explicit}' with different configuration already exists.`,
          [
            {
              "@type": "type.googleapis.com/google.rpc.ResourceInfo",
              resourceName: explicit,
              description: "revision exists",
            },
          ],
        );
      }
      return known === undefined ? explicit : undefined;
    }
    const latest = record.service.latestCreatedRevision;
    if (typeof latest === "string" && record.revisions[latest] === key) return undefined;
    const number = String(record.revisionCount + 1).padStart(5, "0");
    const suffix = Array.from(randomBytes(3), (byte) => String.fromCharCode(97 + (byte % 26))).join("");
    return `${serviceId}-${number}-${suffix}`;
  }

  /** Finishes the rollout of `generation`; a newer write supersedes it and owns the service's status. */
  #rollOut(name: string, generation: unknown, newRevision: boolean): void {
    const record = this.#records.get(name);
    if (!record) throw SimError.notFound(name);
    const service = record.service;
    if (service.generation !== generation) return;
    const now = this.#timestamp();
    const revision = typeof service.latestCreatedRevision === "string" ? service.latestCreatedRevision : "";
    const failure = record.failedRevisions[revision];
    if (!failure) {
      ready(service, now);
      return;
    }
    const message = failed(service, revision, failure, now);
    // No status details: the REST clients decode an operation's error with their own API's types only.
    if (newRevision) throw new SimError("FAILED_PRECONDITION", message);
  }
}

function checkEtag(service: JsonObject, etag: string | undefined): void {
  if (etag && etag !== service.etag) {
    throw new SimError(
      "ABORTED",
      `The etag '${etag}' does not match the current etag of '${String(service.name)}'. Read the service again and retry.`,
      [
        {
          "@type": "type.googleapis.com/google.rpc.ErrorInfo",
          reason: "ETAG_MISMATCH",
          domain: "run.googleapis.com",
          metadata: {},
        },
      ],
    );
  }
}

function unknownTrafficRevisions(service: JsonObject, record: ServiceRecord): FieldViolation[] {
  const traffic = Array.isArray(service.traffic) ? (service.traffic as JsonObject[]) : [];
  return traffic.flatMap((target, i) =>
    typeof target.revision === "string" && target.revision !== "" && !(target.revision in record.revisions)
      ? [{ field: `service.traffic[${i}].revision`, description: `Revision '${target.revision}' does not exist.` }]
      : [],
  );
}

function violationError(request: string, violations: FieldViolation[]): SimError {
  const first = violations[0] as FieldViolation;
  return SimError.invalidArgument(`Violation in ${request}.${first.field}: ${first.description}`, violations);
}

function pick(object: JsonObject, keys: string[]): JsonObject {
  return Object.fromEntries(keys.filter((key) => object[key] !== undefined).map((key) => [key, object[key]]));
}
