// Reads one Pub/Sub message from a Cloud Logging sink: a LogEntry in JSON whose protoPayload is a Cloud
// Audit Logs AuditLog. Pure: it says which Google resource an Admin Activity entry changed, who changed
// it and with what, or why the message is of no interest. It never throws.
//
// Sources for every shape read here:
// - A sink routing to Pub/Sub publishes each LogEntry as a JSON object in the message data:
//   https://cloud.google.com/logging/docs/export/pubsub (and LogEntry:
//   https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry).
// - Admin Activity entries are in log "projects/P/logs/cloudaudit.googleapis.com%2Factivity"; protoPayload is
//   {"@type": "type.googleapis.com/google.cloud.audit.AuditLog", serviceName, methodName, resourceName,
//   authenticationInfo.principalEmail, requestMetadata.callerSuppliedUserAgent, status}:
//   https://cloud.google.com/logging/docs/audit/understanding-audit-logs and google/cloud/audit/audit_log.proto.
// - A long-running method writes two entries sharing `operation.id`, the first with `operation.first` and the
//   last with `operation.last`: https://cloud.google.com/logging/docs/audit/understanding-audit-logs#lro.
// - Cloud Run's audited methods (run.googleapis.com): https://cloud.google.com/run/docs/audit-logging.
//   A real v1 ReplaceService entry (recorded from a console deploy, published in nakamasato/cloud-run-slack-bot,
//   docs/auditing.md, MIT licence) has resourceName "namespaces/PROJECT/services/NAME", resource.type
//   "cloud_run_revision" with labels {project_id, location, service_name}, and a failed call with
//   protoPayload.status {code: 10, ...} and severity ERROR: failed calls are logged too and change nothing.
// - Serverless VPC Access's audited methods (vpcaccess.googleapis.com), including
//   google.cloud.vpcaccess.v1.VpcAccessService.UpdateConnector for the REST PATCH:
//   https://cloud.google.com/vpc/docs/serverless-vpc-access-audit-logging.

export type AuditIgnoreReason =
  | "malformed" // not JSON, or not a LogEntry object
  | "not_admin_activity" // another log (data access, system event, application logs)
  | "not_audit" // the activity log but no AuditLog payload
  | "unknown_method" // a method that changes nothing driftguard manages
  | "failed_call" // the call failed (status.code != 0): nothing changed
  | "unknown_resource"; // no resource name driftguard can read

export interface AuditChange {
  /** The changed resource's canonical name: projects/P/locations/L/services/S or .../connectors/C. */
  resource: string;
  service: "run.googleapis.com" | "vpcaccess.googleapis.com";
  method: string;
  /** authenticationInfo.principalEmail; "" when the entry carries none. */
  principal: string;
  /** requestMetadata.callerSuppliedUserAgent; "" when absent. */
  userAgent: string;
  /** The entry's timestamp (RFC 3339), else its receiveTimestamp, else "". */
  at: string;
  deleted: boolean;
  operation?: { id: string; first: boolean; last: boolean };
}

export type AuditParse = { kind: "change"; change: AuditChange } | { kind: "ignored"; reason: AuditIgnoreReason };

const ACTIVITY_LOG =
  /^(projects|organizations|folders|billingAccounts)\/[^/]+\/logs\/cloudaudit\.googleapis\.com(%2F|\/)activity$/;
const AUDIT_LOG_TYPE = "type.googleapis.com/google.cloud.audit.AuditLog";

/** The write methods of the resources driftguard manages, and whether each deletes. */
const METHODS: Record<string, { service: AuditChange["service"]; deletes: boolean }> = {
  "google.cloud.run.v1.Services.CreateService": { service: "run.googleapis.com", deletes: false },
  "google.cloud.run.v1.Services.ReplaceService": { service: "run.googleapis.com", deletes: false },
  "google.cloud.run.v1.Services.DeleteService": { service: "run.googleapis.com", deletes: true },
  "google.cloud.run.v2.Services.CreateService": { service: "run.googleapis.com", deletes: false },
  "google.cloud.run.v2.Services.UpdateService": { service: "run.googleapis.com", deletes: false },
  "google.cloud.run.v2.Services.DeleteService": { service: "run.googleapis.com", deletes: true },
  "google.cloud.vpcaccess.v1.VpcAccessService.CreateConnector": { service: "vpcaccess.googleapis.com", deletes: false },
  "google.cloud.vpcaccess.v1.VpcAccessService.UpdateConnector": { service: "vpcaccess.googleapis.com", deletes: false },
  "google.cloud.vpcaccess.v1.VpcAccessService.DeleteConnector": { service: "vpcaccess.googleapis.com", deletes: true },
  "google.cloud.vpcaccess.v1beta1.VpcAccessService.CreateConnector": {
    service: "vpcaccess.googleapis.com",
    deletes: false,
  },
  "google.cloud.vpcaccess.v1beta1.VpcAccessService.UpdateConnector": {
    service: "vpcaccess.googleapis.com",
    deletes: false,
  },
  "google.cloud.vpcaccess.v1beta1.VpcAccessService.DeleteConnector": {
    service: "vpcaccess.googleapis.com",
    deletes: true,
  },
};

/** Every method the feed acts on, for the Logging sink's filter. */
export const AUDITED_METHODS: readonly string[] = Object.keys(METHODS);

export function parseAuditMessage(data: Buffer | string): AuditParse {
  let entry: unknown;
  try {
    entry = JSON.parse(typeof data === "string" ? data : data.toString("utf8"));
  } catch {
    return ignored("malformed");
  }
  if (!isObject(entry)) return ignored("malformed");
  if (typeof entry.logName !== "string" || !ACTIVITY_LOG.test(entry.logName)) return ignored("not_admin_activity");
  const payload = entry.protoPayload;
  if (!isObject(payload) || payload["@type"] !== AUDIT_LOG_TYPE) return ignored("not_audit");
  const method = str(payload.methodName);
  const known = METHODS[method];
  if (!known || str(payload.serviceName) !== known.service) return ignored("unknown_method");
  const status = payload.status;
  if (isObject(status) && status.code !== undefined && status.code !== 0) return ignored("failed_call");

  const labels = isObject(entry.resource) && isObject(entry.resource.labels) ? entry.resource.labels : {};
  const resource =
    known.service === "run.googleapis.com"
      ? serviceName(str(payload.resourceName), labels)
      : connectorName(str(payload.resourceName), payload.request);
  if (!resource) return ignored("unknown_resource");

  const auth = isObject(payload.authenticationInfo) ? payload.authenticationInfo : {};
  const metadata = isObject(payload.requestMetadata) ? payload.requestMetadata : {};
  const operation = isObject(entry.operation) ? entry.operation : undefined;
  return {
    kind: "change",
    change: {
      resource,
      service: known.service,
      method,
      principal: str(auth.principalEmail),
      userAgent: str(metadata.callerSuppliedUserAgent),
      at: str(entry.timestamp) || str(entry.receiveTimestamp),
      deleted: known.deletes,
      ...(operation && typeof operation.id === "string"
        ? { operation: { id: operation.id, first: operation.first === true, last: operation.last === true } }
        : {}),
    },
  };
}

/**
 * The canonical v2 name of a Cloud Run service. v1 entries name it "namespaces/P/services/S" (no region: the
 * entry's resource.labels.location has it); the v1 API also accepts "projects/P/locations|regions/L/services/S"
 * (https://cloud.google.com/run/docs/reference/rest/v1/namespaces.services/replaceService). A project number in
 * the name is replaced by resource.labels.project_id when the entry has it, since specs name projects by ID.
 */
function serviceName(resourceName: string, labels: Record<string, unknown>): string | undefined {
  let project: string | undefined;
  let location: string | undefined;
  let service: string | undefined;
  const v1 = /^namespaces\/([^/]+)\/services\/([^/]+)$/.exec(resourceName);
  const v2 = /^projects\/([^/]+)\/(?:locations|regions)\/([^/]+)\/services\/([^/]+)(?:\/.*)?$/.exec(resourceName);
  if (v1) [, project, service] = v1;
  else if (v2) [, project, location, service] = v2;
  // A create may name only the parent; resource.labels then still name the service.
  project ??= str(labels.project_id) || undefined;
  location ??= str(labels.location) || undefined;
  service ??= str(labels.service_name) || undefined;
  if (project && /^\d+$/.test(project) && str(labels.project_id)) project = str(labels.project_id);
  if (!project || !location || !service) return undefined;
  return `projects/${project}/locations/${location}/services/${service}`;
}

/**
 * A connector's full name. A create may name the parent "projects/P/locations/L" with the new connector's ID
 * in the request (CreateConnectorRequest.connector_id, google/cloud/vpcaccess/v1/vpc_access.proto); which of
 * the two Google writes is not documented, so both are read.
 */
function connectorName(resourceName: string, request: unknown): string | undefined {
  const full = /^(projects\/[^/]+\/locations\/[^/]+\/connectors\/[^/]+)(?:\/.*)?$/.exec(resourceName);
  if (full) return full[1];
  const parent = /^projects\/[^/]+\/locations\/[^/]+$/.exec(resourceName);
  const id = isObject(request) ? str(request.connectorId) : "";
  return parent && id ? `${resourceName}/connectors/${id}` : undefined;
}

function ignored(reason: AuditIgnoreReason): AuditParse {
  return { kind: "ignored", reason };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}
