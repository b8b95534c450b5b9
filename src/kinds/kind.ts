// The small interface every managed kind implements (in the spirit of Crossplane's ExternalClient).
// A kind knows its spec, its Google resource and how to read, compare and change it. Everything
// generic — conditions, events, status writes, backoff, requeue, policies, pausing, tenancy — lives in
// the reconciler, so a kind never re-implements it.

import type { KubernetesObject } from "@kubernetes/client-node";

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

/** One owned field whose live value differs from the declared one (after normalisation). */
export interface FieldDiff {
  field: string;
  desired: string;
  live: string;
}

/** A custom resource as the controller sees it: metadata plus unvalidated spec and the last status. */
export interface ManagedObject extends KubernetesObject {
  spec?: unknown;
  status?: Record<string, unknown>;
}

/** A reason that stops a reconcile before any write, with a message naming what is wrong. */
export interface Blocked {
  reason: "InvalidSpec" | "ConnectionBudgetExceeded" | "DependencyNotReady" | "ReplacementRequired";
  message: string;
  /** When to look again without an event (dependencies appear by themselves; invalid specs do not). */
  retryAfterMs?: number;
}

/** A long-running Google operation started by `update`, remembered so no worker waits on it. */
export interface PendingOperation {
  name: string;
  /** The object generation the update was made for. */
  generation: number;
  startedAt: string;
  /** The fields the update changed, reported in events when it completes. */
  fields: FieldDiff[];
  /** Whether the update restored drifted fields (rather than applying a spec change). */
  correctedDrift: boolean;
  /** Set when the update carries the kind's own decision (an autoscaler raise), not the spec. */
  cause?: "Autoscaling";
}

export type OperationState = { done: false } | { done: true; error?: unknown };

/** Live state read from Google, compared with the spec. */
export interface Observation {
  /** Owned fields that differ; empty when the resource is at its declared state. */
  diffs: FieldDiff[];
  /** Kind-specific status fields (revisions, live sizes, state ...), merged into `status`. */
  status: Record<string, unknown>;
  /**
   * The resource is not usable although its settings match: a failed revision, a connector in ERROR.
   * Reported as Ready=False with this reason; `terminal` ones are not retried for the same generation.
   */
  notReady?: { reason: string; message: string; terminal?: boolean };
  /**
   * What the kind refuses to apply (shrinking a connector, raising a service's connection demand past its
   * Cloud SQL budget), reported, never retried. `diffs` may still hold the fields it does apply: they are
   * applied first, and the object reports `blocked` once nothing else is left.
   */
  blocked?: Blocked;
  /** Extra conditions the kind reports (e.g. Overprovisioned, MetricsUnavailable). */
  conditions?: Array<{ type: string; status: "True" | "False" | "Unknown"; reason: string; message: string }>;
  /** Events the kind wants recorded (e.g. ScaledUp), de-duplicated by the recorder. */
  events?: Array<{ type: "Normal" | "Warning"; reason: string; note: string }>;
  /** Why the diffs exist when the spec did not ask for them: an autoscaler raise is neither drift nor a spec change. */
  diffCause?: "Autoscaling";
  /** Sooner re-check than the resync interval (e.g. the autoscaler's poll interval). */
  requeueAfterMs?: number;
}

export interface KindContext<Spec> {
  key: string;
  object: ManagedObject;
  spec: Spec;
  /** Everything cached for this kind and the kinds it depends on, for cluster-wide checks. */
  lookup: ObjectLookup;
  now: Date;
}

export interface ObjectLookup {
  list(resource: ResourceType): ManagedObject[];
  get(resource: ResourceType, namespace: string, name: string): ManagedObject | undefined;
}

export type SpecParseResult<Spec> = { ok: true; spec: Spec } | { ok: false; issues: string[] };

/** Fields every managed kind's spec has; the reconciler reads them generically. */
export interface CommonSpec {
  managementPolicy: "Enforce" | "Observe";
  resyncInterval: string;
}

export interface ManagedKind<Spec extends CommonSpec> {
  readonly resource: ResourceType;
  /** Kinds whose changes must re-trigger this kind's objects (e.g. a connector for its services). */
  readonly dependsOn?: ResourceType[];
  /** Validates the spec with the same schemas as `driftguard validate` (field rules and cross-field rules). */
  parseSpec(raw: unknown): SpecParseResult<Spec>;
  /**
   * Every GCP project the spec reaches (its resource, a connector, a Cloud SQL instance, a referenced
   * object's target), for the namespace's allowed-projects guard: each one must be allowed.
   */
  referencedProjects(spec: Spec, lookup: ObjectLookup, namespace: string): ProjectReference[];
  /** Human-readable Google resource name, used in events and logs. */
  targetName(spec: Spec): string;
  /** Cluster-wide checks and dependency resolution; no Google calls. */
  admit(ctx: KindContext<Spec>): Blocked | undefined;
  /** Keys of this kind's objects to re-queue when a dependency object changes. */
  dependents?(dependency: ManagedObject, lookup: ObjectLookup): string[];
  observe(ctx: KindContext<Spec>): Promise<Observation>;
  /** Applies exactly the observed difference and returns the name of the operation to follow. */
  update(ctx: KindContext<Spec>, observation: Observation): Promise<string>;
  checkOperation(operationName: string): Promise<OperationState>;
  /** Cluster-wide state the kind keeps current from watch events (e.g. the connection budget). */
  readonly index?: KindIndex;
}

/** A spec field that names a GCP project, e.g. { field: "spec.database.cloudSqlInstance", project: "p" }. */
export interface ProjectReference {
  field: string;
  project: string;
}

/**
 * Indexes a kind keeps on watch events, so a reconcile reads what it needs in O(1) instead of walking
 * every peer. The manager feeds every change of every managed resource and re-queues the keys returned.
 */
export interface KindIndex {
  /** An object was added, changed (`object`) or deleted (undefined); returns this kind's keys to look again. */
  changed(resource: ResourceType, key: string, object: ManagedObject | undefined): string[];
  /** Re-checks the index decides on during a pass (a peer found missing frees its share). */
  onRequeue(listener: (keys: string[]) => void): void;
}
