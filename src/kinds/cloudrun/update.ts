// Builds the UpdateService request for a set of diffs: a copy of the live service (so its etag, image,
// traffic, other containers and unowned env vars, labels, annotations and volumes travel back unchanged) with
// exactly the differing owned fields set, and an update mask naming only what changed.

import type { FieldDiff } from "../kind.ts";
import { containerIndex, writeTarget, type IService } from "./access.ts";
import { describeField, type DesiredService, type FieldTarget } from "./fields.ts";

export interface ServiceUpdate {
  /** The live service with the differing fields changed; carries the live etag. */
  service: IService;
  /** Changed field paths as UpdateServiceRequest.update_mask expects them (proto snake_case), sorted. */
  updateMask: string[];
}

/** The update that applies `diffs` (as returned by diffService for `desired`) to `live`; never mutates `live`. */
export function buildUpdate(live: IService, desired: DesiredService, diffs: readonly FieldDiff[]): ServiceUpdate {
  const wanted = new Set(diffs.map((diff) => diff.field));
  const service = structuredClone(live);
  const index = containerIndex(service, desired.container);
  const mask = new Set<string>();
  for (const field of desired.fields) {
    if (!wanted.delete(describeField(field))) continue;
    writeTarget(service, index, field.target, field.value);
    mask.add(maskPath(field.target));
  }
  if (wanted.size > 0) {
    throw new RangeError(`diffs name fields the spec does not own: ${[...wanted].join(", ")}`);
  }
  // A template change creates a new revision; a revision name pinned by the last deploy already exists and
  // would make the update fail, so the new revision is left to be named by Cloud Run.
  if (service.template?.revision && [...mask].some((path) => path.startsWith("template."))) {
    service.template.revision = "";
    mask.add("template.revision");
  }
  return { service, updateMask: [...mask].sort() };
}

/** The update-mask path that covers a target. Repeated fields and maps can only be replaced as a whole. */
export function maskPath(target: FieldTarget): string {
  switch (target.scope) {
    case "labels":
    case "annotations":
      return target.scope;
    case "container":
    case "env":
    case "volumeMount":
      return "template.containers";
    case "cloudSqlVolume":
      return "template.volumes";
    case "template":
      switch (target.field) {
        case "timeout":
          return "template.timeout";
        case "scaling.minInstanceCount":
          return "template.scaling.min_instance_count";
        case "scaling.maxInstanceCount":
          return "template.scaling.max_instance_count";
        case "vpcAccess.connector":
          return "template.vpc_access.connector";
        case "vpcAccess.egress":
          return "template.vpc_access.egress";
      }
  }
}
