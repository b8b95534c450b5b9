// Manifests from a Git checkout carry no status, so a connectorRef could never see its VpcConnectorConfig
// Ready. A plan of a set of manifests treats a connector config in the same set as resolvable when its
// spec is valid (the controller would reconcile it first), and as not Ready with the reason when it is not.

import { VpcConnectorConfigSpec } from "../api/connector.ts";
import { connectorResource } from "../kinds/connector/resource.ts";
import type { ManagedObject, ObjectLookup, ResourceType } from "../kinds/kind.ts";

export const ASSUMED_READY_REASON = "PlannedTogether";

export class ManifestSetLookup implements ObjectLookup {
  readonly #objects: ObjectLookup;

  constructor(objects: ObjectLookup) {
    this.#objects = objects;
  }

  list(resource: ResourceType): ManagedObject[] {
    return this.#objects.list(resource).map((object) => this.#present(resource, object));
  }

  get(resource: ResourceType, namespace: string, name: string): ManagedObject | undefined {
    const object = this.#objects.get(resource, namespace, name);
    return object && this.#present(resource, object);
  }

  #present(resource: ResourceType, object: ManagedObject): ManagedObject {
    if (resource.kind !== connectorResource.kind) return object;
    const valid = VpcConnectorConfigSpec.safeParse(object.spec).success;
    const ready = valid
      ? { type: "Ready", status: "True", reason: ASSUMED_READY_REASON, message: "Valid, in the same set of manifests" }
      : { type: "Ready", status: "False", reason: "InvalidSpec", message: "The VpcConnectorConfig is invalid" };
    return { ...object, status: { ...object.status, conditions: [ready] } };
  }
}
