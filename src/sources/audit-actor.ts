// Who made a change, from an audit entry: the kind of principal, a short tool name from the caller's user
// agent, and whether the change is driftguard's own write (which is not drift).

import { DRIFTGUARD_USER_AGENT_PRODUCT } from "../gcp/connection.ts";
import type { AuditChange } from "./audit-entry.ts";

export type ActorKind = "user" | "serviceAccount" | "unknown";

/**
 * Service accounts' emails end in gserviceaccount.com (user-managed: NAME@PROJECT.iam.gserviceaccount.com,
 * Google-managed: e.g. PROJECT_NUMBER-compute@developer.gserviceaccount.com):
 * https://cloud.google.com/iam/docs/service-account-types. Anything else with an address is a person.
 */
export function actorKind(principal: string): ActorKind {
  if (!principal) return "unknown";
  return /\.gserviceaccount\.com$/i.test(principal) ? "serviceAccount" : "user";
}

// User agents as the tools send them, with where each was seen:
// - gcloud: "google-cloud-sdk gcloud/527.0.0 command/gcloud.run.services.update ..." (Cloud SDK's transport
//   builds it from the version and command; seen in recorded audit entries).
// - Config Connector: "kcc/VERSION (+https://github.com/GoogleCloudPlatform/k8s-config-connector)
//   kcc/controller-manager/VERSION" (k8s-config-connector's recorded _http.log files).
// - Terraform's Google provider: "Terraform/1.x (+https://www.terraform.io) Terraform-Plugin-SDK/2.x
//   terraform-provider-google/5.x".
// - Google Cloud console: the browser's own user agent, "Mozilla/5.0 (...) ..." (nakamasato/cloud-run-slack-bot,
//   docs/auditing.md, a recorded console deploy).
// - Node.js client libraries over gRPC: grpc-js appends "grpc-node-js/VERSION".
const TOOLS: Array<[RegExp, string]> = [
  [new RegExp(`(^|\\s)${DRIFTGUARD_USER_AGENT_PRODUCT}/`), "driftguard"],
  [/(^|\s)kcc\//, "config-connector"],
  [/terraform-provider-google|(^|\s)Terraform\//i, "terraform"],
  [/(^|\s)google-cloud-sdk gcloud\//, "gcloud"],
  [/(^|\s)google-cloud-sdk\b/, "cloud-sdk"],
  [/^Mozilla\//, "console"],
  [/(^|\s)grpc-node-js\/|gl-node\//, "node-client"],
  [/(^|\s)google-api-go-client\/|gl-go\/|grpc-go\//, "go-client"],
  [/gl-python\/|grpc-python\//, "python-client"],
  [/gl-java\/|grpc-java/, "java-client"],
];

/** A short name of the tool that sent this user agent, when recognisable. */
export function toolFromUserAgent(userAgent: string): string | undefined {
  return TOOLS.find(([pattern]) => pattern.test(userAgent))?.[1];
}

export interface SelfIdentity {
  /** driftguard's own principal (its Google service account), when known. */
  principal?: string;
}

/**
 * Whether driftguard itself made the change. Its Google clients send the "driftguard/VERSION" user agent; when
 * its principal is known, a driftguard user agent under another principal is another installation fighting
 * over the same resource, which is drift like any other.
 */
export function isOwnWrite(change: Pick<AuditChange, "principal" | "userAgent">, self: SelfIdentity): boolean {
  if (toolFromUserAgent(change.userAgent) !== "driftguard") return false;
  return self.principal === undefined || change.principal.toLowerCase() === self.principal.toLowerCase();
}
