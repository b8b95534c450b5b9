// Revisions and the checks around them, for the service store: which revision a write creates and when it
// becomes visible, etags, and the violations a write is rejected with. "Interaction N": an exchange of
// test/fixtures/google-recordings/cloudrun-v2-runservicebasic.vcr.yaml, Google's recorded traffic.

import { randomBytes } from "node:crypto";
import { SimError, type FieldViolation } from "../core/errors.ts";
import type { JsonObject } from "../core/module.ts";
import type { RevisionFailure } from "./failures.ts";
import { parseServiceName, serviceUris } from "./shape.ts";
import { revisionId } from "./status.ts";

/** What the store keeps about a service's revisions. */
export interface RevisionHistory {
  /** Revision name -> templateKey of the template it was made from. */
  revisions: Record<string, string>;
  revisionCount: number;
  failedRevisions: Record<string, RevisionFailure>;
  /** The revision the rollout in flight creates; Google names it in the service only once rolled out. */
  pendingRevision?: string;
}

export function newEtag(): string {
  return `"${randomBytes(12).toString("base64url")}"`;
}

/**
 * What a finished rollout makes visible: the revision it created, by full resource name (interaction 2:
 * latestCreatedRevision is projects/…/services/s/revisions/s-00001-8bw), and the service's URLs.
 */
export function rolledOut(name: string, service: JsonObject, history: RevisionHistory): void {
  if (history.pendingRevision) {
    service.latestCreatedRevision = `${name}/revisions/${history.pendingRevision}`;
    delete history.pendingRevision;
  }
  const urls = serviceUris(parseServiceName(name));
  service.uri = urls[0];
  service.urls = urls;
}

/** Name of the revision this template needs, or undefined when the latest revision already has it. */
export function newRevision(
  serviceId: string,
  template: JsonObject,
  key: string,
  previous: JsonObject,
  history: RevisionHistory,
): string | undefined {
  const explicit = typeof template.revision === "string" && template.revision !== "" ? template.revision : undefined;
  if (explicit) {
    const known = history.revisions[explicit];
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
  const latest = history.pendingRevision ?? revisionId(previous.latestCreatedRevision);
  if (latest !== "" && history.revisions[latest] === key) return undefined;
  const number = String(history.revisionCount + 1).padStart(5, "0");
  const suffix = Array.from(randomBytes(3), (byte) => String.fromCharCode(97 + (byte % 26))).join("");
  return `${serviceId}-${number}-${suffix}`;
}

export function checkEtag(service: JsonObject, etag: string | undefined): void {
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

export function unknownTrafficRevisions(service: JsonObject, history: RevisionHistory): FieldViolation[] {
  const traffic = Array.isArray(service.traffic) ? (service.traffic as JsonObject[]) : [];
  return traffic.flatMap((target, i) =>
    typeof target.revision === "string" && target.revision !== "" && !(target.revision in history.revisions)
      ? [{ field: `service.traffic[${i}].revision`, description: `Revision '${target.revision}' does not exist.` }]
      : [],
  );
}

export function violationError(request: string, violations: FieldViolation[]): SimError {
  const first = violations[0] as FieldViolation;
  return SimError.invalidArgument(`Violation in ${request}.${first.field}: ${first.description}`, violations);
}
