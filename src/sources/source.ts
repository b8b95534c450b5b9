// Where desired state comes from and where its status goes: the cluster (custom resources, status
// subresource, Kubernetes Events) or a directory of manifests (status kept in memory, events logged).
// The reconciler only sees this interface, so both ways of running share every line of reconcile logic.

import type { ManagedObject, ObjectLookup, ResourceType } from "../kinds/kind.ts";

export type EventType = "Normal" | "Warning";

export interface Change {
  deleted: boolean;
  /**
   * Only the object's readiness changed (a status write): not a reason to reconcile the object itself,
   * but objects that depend on it must look again.
   */
  readinessOnly?: boolean;
}

export type ChangeHandler = (resource: ResourceType, key: string, change: Change) => void;

export interface DesiredStateSource extends ObjectLookup {
  /** Loads everything, then reports changes until stopped. Resolves once the first full load is done. */
  start(onChange: ChangeHandler): Promise<void>;
  stop(): Promise<void>;
  /** Annotations of a namespace (for the tenancy guard); undefined when the namespace is unknown. */
  namespaceAnnotations(namespace: string): Record<string, string> | undefined;
  /** Labels of a namespace (for ServiceConfigPolicy selectors); undefined when the namespace is unknown. */
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  /** The ServiceConfigPolicy objects as stored, valid or not. A change re-notifies the objects they may select. */
  policies(): ManagedObject[];
  /**
   * Writes `status` if it differs from the object's current status; returns whether it wrote. A source
   * that sends more than one request (a retry after a conflict) calls `beforeWrite` right before each.
   */
  writeStatus(
    resource: ResourceType,
    object: ManagedObject,
    status: Record<string, unknown>,
    beforeWrite?: () => void,
  ): Promise<boolean>;
  /** Like writeStatus, calls `beforeWrite` right before each request it sends for this Event. */
  recordEvent(
    object: ManagedObject,
    type: EventType,
    reason: string,
    note: string,
    beforeWrite?: () => void,
  ): Promise<void>;
  /** True once every watched kind has been listed at least once. */
  hasSynced(): boolean;
  /** True when a watch has gone quiet for longer than its watchdog allows. */
  isStale(): boolean;
}

export function objectKey(object: ManagedObject): string {
  return `${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
