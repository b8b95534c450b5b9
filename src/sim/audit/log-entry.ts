// The Admin Activity audit entry Google would write for a write the simulator served, in the JSON a Logging
// sink publishes to Pub/Sub. Pure: a served call in, a LogEntry (or nothing, for reads) out.
//
// Sources:
// - LogEntry fields (logName, resource, timestamp, receiveTimestamp, severity, insertId, operation,
//   protoPayload): https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry; a sink to Pub/Sub
//   publishes each entry as JSON in the message data: https://cloud.google.com/logging/docs/export/pubsub.
// - AuditLog payload: google/cloud/audit/audit_log.proto; the activity log is
//   "projects/P/logs/cloudaudit.googleapis.com%2Factivity", severity NOTICE for a success and ERROR for a
//   failure: https://cloud.google.com/logging/docs/audit/understanding-audit-logs.
// - Cloud Run entries: a recorded v1 ReplaceService (nakamasato/cloud-run-slack-bot, docs/auditing.md, MIT
//   licence): resourceName "namespaces/P/services/S", resource {type: "cloud_run_revision", labels
//   {configuration_name: "", location, project_id, service_name, revision_name: ""}}, authorizationInfo
//   [{permission: "run.services.update", permissionType: "ADMIN_WRITE", granted: true}], a failed call carrying
//   protoPayload.status {code, message}. Method names: https://cloud.google.com/run/docs/audit-logging.
// - A long-running method's first entry has operation {id, producer, first: true}:
//   https://cloud.google.com/logging/docs/audit/understanding-audit-logs#lro. Unknown: what Google uses as
//   operation.id for Cloud Run and VPC Access; the operation's name is used. The completion entry
//   (operation.last) is not simulated: when Google writes it is not documented closely enough.
// - VPC Access method names: https://cloud.google.com/vpc/docs/serverless-vpc-access-audit-logging (the REST
//   PATCH is audited as UpdateConnector). Unknown: the monitored-resource type of its entries; the generic
//   "audited_resource" (labels project_id, service, method) is used:
//   https://cloud.google.com/logging/docs/api/v2/resource-list.

import { randomBytes } from "node:crypto";
import type { JsonObject } from "../core/module.ts";

export interface AuditedWrite {
  /** The audit methodName, e.g. "google.cloud.run.v2.Services.UpdateService". */
  methodName: string;
  serviceName: "run.googleapis.com" | "vpcaccess.googleapis.com";
  /** The resource as that API version names it. */
  resourceName: string;
  project: string;
  location: string;
  /** Service or connector ID. */
  resourceId: string;
  permission: string;
  principal: string;
  userAgent: string;
  /** RFC 3339. */
  time: string;
  request: JsonObject;
  requestType: string;
  /** Name of the long-running operation the call started, if any. */
  operation?: string;
  /** A failed call: google.rpc.Status code number and message. */
  status?: { code: number; message: string };
}

export function auditLogEntry(write: AuditedWrite): JsonObject {
  const failed = write.status !== undefined;
  const resource =
    write.serviceName === "run.googleapis.com"
      ? {
          type: "cloud_run_revision",
          labels: {
            configuration_name: "",
            location: write.location,
            project_id: write.project,
            revision_name: "",
            service_name: write.resourceId,
          },
        }
      : {
          type: "audited_resource",
          labels: { method: write.methodName, project_id: write.project, service: write.serviceName },
        };
  return {
    insertId: randomBytes(6).toString("hex"),
    logName: `projects/${write.project}/logs/cloudaudit.googleapis.com%2Factivity`,
    protoPayload: {
      "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
      ...(failed ? { status: write.status } : {}),
      authenticationInfo: { principalEmail: write.principal },
      authorizationInfo: [
        {
          granted: true,
          permission: write.permission,
          permissionType: "ADMIN_WRITE",
          resource: write.resourceName,
          resourceAttributes: {},
        },
      ],
      methodName: write.methodName,
      request: { "@type": write.requestType, ...write.request },
      requestMetadata: {
        callerIp: "127.0.0.1",
        callerSuppliedUserAgent: write.userAgent,
        destinationAttributes: {},
        requestAttributes: { auth: {}, time: write.time },
      },
      resourceLocation: { currentLocations: [write.location] },
      resourceName: write.resourceName,
      serviceName: write.serviceName,
    },
    receiveTimestamp: write.time,
    resource,
    severity: failed ? "ERROR" : "NOTICE",
    timestamp: write.time,
    ...(write.operation && !failed
      ? { operation: { id: write.operation, producer: write.serviceName, first: true } }
      : {}),
  };
}
