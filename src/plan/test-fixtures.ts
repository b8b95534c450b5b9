// In-memory objects for the plan's unit tests: an ObjectLookup over a fixed list, and manifests shaped
// the way the sources load them.

import { API_VERSION } from "../api/common.ts";
import type { ManagedObject, ObjectLookup, ResourceType } from "../kinds/kind.ts";

export class ObjectList implements ObjectLookup {
  readonly #objects: ManagedObject[];

  constructor(objects: ManagedObject[]) {
    this.#objects = objects;
  }

  list(resource: ResourceType): ManagedObject[] {
    return this.#objects.filter((o) => o.kind === resource.kind);
  }

  get(resource: ResourceType, namespace: string, name: string): ManagedObject | undefined {
    return this.list(resource).find((o) => o.metadata?.namespace === namespace && o.metadata.name === name);
  }
}

export function manifest(
  kind: "CloudRunServiceConfig" | "VpcConnectorConfig",
  name: string,
  spec: object,
  annotations: Record<string, string> = {},
): ManagedObject {
  return { apiVersion: API_VERSION, kind, metadata: { name, namespace: "staging", annotations }, spec, status: {} };
}
