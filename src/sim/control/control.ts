// The simulator's control surface, in process: seeding, out-of-band changes, revision failures, fault
// injection, the request log, snapshot/restore and reset. The REST control API (/control/...) and the
// typed HTTP client mirror these methods.

import { parse as parseYaml } from "yaml";
import type { RevisionFailureRule } from "../cloudrun/failures.ts";
import { OUT_OF_BAND_ACTOR, parseFailureRule, patchService } from "../cloudrun/control.ts";
import { faultRuleProblems, type FaultInjector, type FaultRule } from "../core/faults.ts";
import type { JsonObject, SimContext } from "../core/module.ts";
import type { RequestLog, RequestLogEntry, RequestLogFilter } from "../core/request-log.ts";
import { moduleEntries, type SimModules } from "../modules.ts";

export type SimSnapshot = Record<keyof SimModules, JsonObject>;

export class SimControl {
  readonly #modules: SimModules;
  readonly #ctx: SimContext;
  readonly #faults: FaultInjector;
  readonly #log: RequestLog;

  constructor(modules: SimModules, ctx: SimContext, faults: FaultInjector, log: RequestLog) {
    this.#modules = modules;
    this.#ctx = ctx;
    this.#faults = faults;
    this.#log = log;
  }

  /** Loads a seed document (YAML text or parsed): `services:` for Cloud Run, `connectors:` for VPC Access. */
  seed(document: string | JsonObject): void {
    const parsed: unknown = typeof document === "string" ? parseYaml(document) : document;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new Error("seed: expected a YAML mapping with services: and/or connectors: lists");
    }
    const unknown = Object.keys(parsed).filter((key) => key !== "services" && key !== "connectors");
    if (unknown.length)
      throw new Error(`seed: unknown top-level keys ${unknown.join(", ")}; expected services and/or connectors`);
    for (const [, module] of moduleEntries(this.#modules)) module.seed(parsed as JsonObject);
  }

  /** Changes a service the way a person or a CI deploy would (new generation, etag, maybe revision). */
  patchService(name: string, patch: JsonObject, actor = OUT_OF_BAND_ACTOR): { operation: string; service: JsonObject } {
    return patchService(this.#modules.cloudRun.store, name, patch, actor);
  }

  getService(name: string): JsonObject {
    return this.#modules.cloudRun.store.get(name);
  }

  addRevisionFailure(rule: RevisionFailureRule): void {
    this.#modules.cloudRun.failures.add(parseFailureRule(rule as unknown as JsonObject));
  }

  clearRevisionFailures(): void {
    this.#modules.cloudRun.failures.replace([]);
  }

  addFault(rule: FaultRule): void {
    const problems = faultRuleProblems(rule);
    if (problems.length) throw new Error(`invalid fault rule: ${problems.join("; ")}`);
    this.#faults.add(rule);
  }

  faults(): FaultRule[] {
    return this.#faults.list();
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  requests(filter: RequestLogFilter = {}): RequestLogEntry[] {
    return this.#log.list(filter);
  }

  clearRequests(): void {
    this.#log.clear();
  }

  /** Operation latency for mutations started from now on. */
  setOperationLatency(ms: number): void {
    if (!(ms >= 0)) throw new Error(`operation latency must be a non-negative number of milliseconds, got ${ms}`);
    this.#ctx.operations.defaultLatencyMs = ms;
  }

  /** Seconds after sampling before Monitoring shows a connector point (Google: up to 180). */
  setMonitoringDelay(seconds: number): void {
    this.#modules.monitoring.setIngestDelay(seconds);
  }

  monitoringDelay(): number {
    return this.#modules.monitoring.ingestDelaySeconds;
  }

  snapshot(): SimSnapshot {
    const entries = moduleEntries(this.#modules).map(([key, module]) => [key, module.snapshot()]);
    return Object.fromEntries(entries) as SimSnapshot;
  }

  restore(snapshot: SimSnapshot): void {
    for (const [key, module] of moduleEntries(this.#modules)) {
      const part = (snapshot as Record<string, JsonObject | undefined>)[key];
      if (part === undefined) throw new Error(`snapshot: missing part ${key}`);
      module.restore(part);
    }
  }

  /** Back to an empty simulator: no resources, operations, faults, failures or logged requests. */
  reset(): void {
    for (const [, module] of moduleEntries(this.#modules)) module.reset();
    this.#ctx.operations.clear();
    this.#faults.clear();
    this.#log.clear();
  }
}
