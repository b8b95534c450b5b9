// A small managed kind and desired-state source held in memory, for unit tests of the generic reconciler
// and manager: the kind's "Google resource" is a map of settings, its updates are operations the test
// finishes (or loses) at will, and its failures are scripted. No Google or Kubernetes behaviour is modelled
// here beyond what the reconciler's contract needs.

import type {
  CommonSpec,
  FieldDiff,
  KindContext,
  ManagedKind,
  ManagedObject,
  Observation,
  OperationState,
  ResourceType,
  SpecParseResult,
} from "../../src/kinds/kind.ts";
import type { ClassifiedError } from "../../src/controller/reconciler.ts";
import { sameJson } from "../../src/kube/status.ts";
import type { ChangeHandler, DesiredStateSource, EventType } from "../../src/sources/source.ts";

export const widgetResource: ResourceType = { group: "test.dev", version: "v1", plural: "widgets", kind: "Widget" };

export interface WidgetSpec extends CommonSpec {
  project: string;
  settings: Record<string, string>;
}

/** A failure as a fake Google call raises it; `classifyWidgetError` reads it back. */
export class WidgetError extends Error {
  readonly reason: string;
  readonly retryable: boolean;
  readonly fieldViolations: Array<{ field: string; description: string }> | undefined;

  constructor(reason: string, retryable: boolean, fieldViolations?: Array<{ field: string; description: string }>) {
    super(`${reason} from the widget API`);
    this.reason = reason;
    this.retryable = retryable;
    this.fieldViolations = fieldViolations;
  }
}

export function classifyWidgetError(err: unknown): ClassifiedError {
  if (err instanceof WidgetError) {
    return {
      reason: err.reason,
      message: err.message,
      retryable: err.retryable,
      ...(err.fieldViolations ? { fieldViolations: err.fieldViolations } : {}),
    };
  }
  return { reason: "ControllerError", message: String(err), retryable: true };
}

export class WidgetKind implements ManagedKind<WidgetSpec> {
  readonly resource = widgetResource;
  /** The live settings, per object key. */
  readonly live = new Map<string, Record<string, string>>();
  /** Operations started by update: name -> state; `done` ones apply their settings when finished. */
  readonly operations = new Map<string, { key: string; settings: Record<string, string>; state: OperationState }>();
  readonly calls: string[] = [];
  /** Errors the next calls of a method throw, in order. */
  readonly failNext: Record<"observe" | "update" | "checkOperation", Error[]> = {
    observe: [],
    update: [],
    checkOperation: [],
  };
  #nextOperation = 1;

  parseSpec(raw: unknown): SpecParseResult<WidgetSpec> {
    const spec = raw as Partial<WidgetSpec> | undefined;
    if (!spec?.settings || typeof spec.project !== "string") return { ok: false, issues: ["spec.settings: required"] };
    return {
      ok: true,
      spec: { managementPolicy: "Enforce", resyncInterval: "60s", ...spec } as WidgetSpec,
    };
  }

  targetProject(spec: WidgetSpec): string {
    return spec.project;
  }

  targetName(spec: WidgetSpec): string {
    return `projects/${spec.project}/widgets`;
  }

  admit(): undefined {
    return undefined;
  }

  observe(ctx: KindContext<WidgetSpec>): Promise<Observation> {
    this.calls.push(`observe ${ctx.key}`);
    const failure = this.failNext.observe.shift();
    if (failure) return Promise.reject(failure);
    const live = this.live.get(ctx.key) ?? {};
    const diffs: FieldDiff[] = Object.entries(ctx.spec.settings)
      .filter(([field, desired]) => live[field] !== desired)
      .map(([field, desired]) => ({ field, desired, live: live[field] ?? "" }));
    return Promise.resolve({ diffs, status: {} });
  }

  update(ctx: KindContext<WidgetSpec>, observation: Observation): Promise<string> {
    this.calls.push(`update ${ctx.key}`);
    const failure = this.failNext.update.shift();
    if (failure) return Promise.reject(failure);
    const name = `operations/op-${this.#nextOperation++}`;
    const settings = Object.fromEntries(observation.diffs.map((d) => [d.field, d.desired]));
    this.operations.set(name, { key: ctx.key, settings, state: { done: false } });
    return Promise.resolve(name);
  }

  checkOperation(name: string): Promise<OperationState> {
    this.calls.push(`checkOperation ${name}`);
    const failure = this.failNext.checkOperation.shift();
    if (failure) return Promise.reject(failure);
    const operation = this.operations.get(name);
    if (!operation) return Promise.reject(new WidgetError("NotFound", false));
    return Promise.resolve(operation.state);
  }

  /** Finishes every running operation successfully, applying its settings to the live resource. */
  finishOperations(): void {
    for (const operation of this.operations.values()) {
      if (operation.state.done) continue;
      operation.state = { done: true };
      this.live.set(operation.key, { ...this.live.get(operation.key), ...operation.settings });
    }
  }

  updates(): number {
    return this.calls.filter((c) => c.startsWith("update ")).length;
  }
}

export interface RecordedEvent {
  key: string;
  type: EventType;
  reason: string;
  note: string;
}

export class MemorySource implements DesiredStateSource {
  readonly objects = new Map<string, ManagedObject>();
  readonly events: RecordedEvent[] = [];
  readonly namespaces = new Map<string, Record<string, string>>();
  statusWrites = 0;
  #onChange: ChangeHandler = () => undefined;
  #resourceVersion = 1;

  start(onChange: ChangeHandler): Promise<void> {
    this.#onChange = onChange;
    for (const key of this.objects.keys()) onChange(widgetResource, key, { deleted: false });
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  /** Creates or replaces an object's metadata and spec the way the API server would (generation bumps). */
  apply(key: string, spec: Partial<WidgetSpec>, annotations: Record<string, string> = {}): ManagedObject {
    const [namespace = "", name = ""] = key.split("/");
    const existing = this.objects.get(key);
    const changedSpec = JSON.stringify(existing?.spec) !== JSON.stringify(spec);
    const generation = (existing?.metadata?.generation ?? 0) + (existing && !changedSpec ? 0 : 1);
    const object: ManagedObject = {
      apiVersion: "test.dev/v1",
      kind: "Widget",
      metadata: { namespace, name, generation, annotations, resourceVersion: String(this.#resourceVersion++) },
      spec,
      ...(existing?.status ? { status: existing.status } : {}),
    };
    this.objects.set(key, object);
    this.#onChange(widgetResource, key, { deleted: false });
    return object;
  }

  delete(key: string): void {
    this.objects.delete(key);
    this.#onChange(widgetResource, key, { deleted: true });
  }

  status(key: string): Record<string, unknown> {
    return this.objects.get(key)?.status ?? {};
  }

  list(): ManagedObject[] {
    return [...this.objects.values()];
  }

  get(_resource: ResourceType, namespace: string, name: string): ManagedObject | undefined {
    return this.objects.get(`${namespace}/${name}`);
  }

  namespaceAnnotations(namespace: string): Record<string, string> | undefined {
    return this.namespaces.get(namespace) ?? {};
  }

  writeStatus(_resource: ResourceType, object: ManagedObject, status: Record<string, unknown>): Promise<boolean> {
    const key = `${object.metadata?.namespace}/${object.metadata?.name}`;
    const current = this.objects.get(key);
    if (!current || sameJson(current.status, status)) return Promise.resolve(false);
    this.statusWrites++;
    this.objects.set(key, { ...current, status: structuredClone(status) });
    return Promise.resolve(true);
  }

  recordEvent(object: ManagedObject, type: EventType, reason: string, note: string): Promise<void> {
    this.events.push({ key: `${object.metadata?.namespace}/${object.metadata?.name}`, type, reason, note });
    return Promise.resolve();
  }

  hasSynced(): boolean {
    return true;
  }

  isStale(): boolean {
    return false;
  }
}
