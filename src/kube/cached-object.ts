// What an informer keeps of an object: at thousands of objects the server-side-apply bookkeeping is the
// larger part of each one, and most updates (status writes) leave the spec as it was.

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; uid?: string; generation?: number };
}

/** kubectl's client-side apply keeps a full copy of the last applied manifest here. */
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/**
 * Drops metadata.managedFields and kubectl's last-applied annotation from an object just parsed from the
 * API server (in place; the object is not shared yet). Nothing in driftguard reads either, and a status
 * write without managedFields keeps the server's (an absent list is left as it was, only [] resets it).
 */
export function pruneObject<T extends KubeObject>(object: T): T {
  const metadata = object.metadata as { managedFields?: unknown; annotations?: Record<string, string> } | undefined;
  if (metadata === undefined) return object;
  delete metadata.managedFields;
  const annotations = metadata.annotations;
  if (annotations !== undefined && LAST_APPLIED in annotations) {
    delete annotations[LAST_APPLIED];
    if (Object.keys(annotations).length === 0) delete metadata.annotations;
  }
  return object;
}

/**
 * Gives `after` the spec object of `before` when the API server says the spec did not change: same uid and
 * generation (custom resources with a status subresource bump generation on every spec change). A
 * status-only update then holds no second copy of the spec, and what was derived from the spec object
 * (a parsed spec, rendered fields) stays valid for the new version. Objects without a generation are left.
 */
export function shareUnchangedSpec<T extends KubeObject>(before: T | undefined, after: T): T {
  const old = before?.metadata;
  const now = after.metadata;
  if (old?.generation === undefined || old.generation !== now?.generation || old.uid !== now.uid) return after;
  const previous = before as T & { spec?: unknown };
  const next = after as T & { spec?: unknown };
  if (previous.spec !== undefined && next.spec !== undefined) next.spec = previous.spec;
  return after;
}

export function objectKey(object: KubeObject): string {
  const { namespace, name = "" } = object.metadata ?? {};
  return namespace ? `${namespace}/${name}` : name;
}
