// Which served calls are audited writes, and what Google would record about each: the method as audit logs
// name it, the resource, the permission checked, and the caller. Reads are not Admin Activity (Cloud Run and
// VPC Access log Get/List as ADMIN_READ, i.e. Data Access, off by default), so they yield nothing.
//
// Sources: method names and permission types, https://cloud.google.com/run/docs/audit-logging and
// https://cloud.google.com/vpc/docs/serverless-vpc-access-audit-logging; permissions,
// https://cloud.google.com/run/docs/reference/iam/permissions and
// https://cloud.google.com/vpc/docs/serverless-vpc-access#iam (run.services.create|update|delete,
// vpcaccess.connectors.create|update|delete). gcloud's `run` commands call the Cloud Run Admin API v1
// (the repository's engineering guide, checked against gcloud), so an out-of-band change made "with gcloud"
// is recorded as google.cloud.run.v1.Services.ReplaceService on "namespaces/P/services/S", with the request's
// name and region as in the recorded v1 entry (nakamasato/cloud-run-slack-bot, docs/auditing.md).

import { OUT_OF_BAND_ACTOR } from "../cloudrun/control.ts";
import type { ServedCall } from "../core/dispatch.ts";
import { RpcCode } from "../core/errors.ts";
import type { JsonObject } from "../core/module.ts";
import type { AuditedWrite } from "./log-entry.ts";

/** How the simulator names callers: a token "principal:EMAIL" is that principal; others map or default. */
export interface CallerPrincipals {
  byToken?: Record<string, string>;
  /** The principal of callers with any other token. */
  fallback: string;
}

const RUN_V1 = "google.cloud.run.v1.Services";
const RUN_V2 = "google.cloud.run.v2.Services";
const VPC_ACCESS = "google.cloud.vpcaccess.v1.VpcAccessService";
const PATCH_SERVICE = "driftguard.sim.Control/PatchService";

type Target = Pick<AuditedWrite, "serviceName" | "resourceName" | "project" | "location" | "resourceId">;

export function auditedWrite(call: ServedCall, principals: CallerPrincipals): AuditedWrite | undefined {
  const described = describe(call);
  if (!described) return undefined;
  const principal =
    call.surface === "control"
      ? typeof call.request.actor === "string" && call.request.actor
        ? call.request.actor
        : OUT_OF_BAND_ACTOR
      : principalOf(call.caller.token, principals);
  const userAgent =
    call.surface === "control" && typeof call.request.userAgent === "string"
      ? call.request.userAgent
      : call.caller.userAgent;
  const base = described(userAgent);
  // Cloud Run v1 methods are not long-running: the recorded v1 entry has no `operation`.
  const operation = base.methodName.startsWith(`${RUN_V1}.`) ? undefined : operationName(call.response);
  return {
    ...base,
    principal,
    userAgent,
    time: call.time,
    ...(operation ? { operation } : {}),
    ...(call.error ? { status: { code: RpcCode[call.error.code], message: call.error.message } } : {}),
  };
}

type Described = (userAgent: string) => Omit<AuditedWrite, "principal" | "userAgent" | "time" | "operation" | "status">;

function describe(call: ServedCall): Described | undefined {
  const req = call.request;
  switch (call.method) {
    case `${RUN_V2}/CreateService`:
      return v2(service(`${str(req.parent)}/services/${str(req.serviceId)}`), "CreateService", "create", req);
    case `${RUN_V2}/UpdateService`:
      return v2(service(str(obj(req.service).name)), "UpdateService", "update", req);
    case `${RUN_V2}/DeleteService`:
      return v2(service(str(req.name)), "DeleteService", "delete", req);
    case `${VPC_ACCESS}/CreateConnector`:
      return vpc(connector(`${str(req.parent)}/connectors/${str(req.connectorId)}`), "CreateConnector", "create", req);
    case `${VPC_ACCESS}/PatchConnector`:
      return vpc(connector(str(obj(req.connector).name)), "UpdateConnector", "update", req);
    case `${VPC_ACCESS}/DeleteConnector`:
      return vpc(connector(str(req.name)), "DeleteConnector", "delete", req);
    case `${RUN_V1}/ReplaceService`:
    case `${RUN_V1}/CreateService`:
    case `${RUN_V1}/DeleteService`:
      return v1(call);
    case PATCH_SERVICE:
      return outOfBand(service(str(req.name)), req);
    default:
      return undefined;
  }
}

function v2(target: Target | undefined, rpc: string, verb: string, request: JsonObject): Described | undefined {
  if (!target) return undefined;
  return () => ({
    ...target,
    methodName: `${RUN_V2}.${rpc}`,
    permission: `run.services.${verb}`,
    request,
    requestType: `type.googleapis.com/google.cloud.run.v2.${rpc}Request`,
  });
}

function vpc(target: Target | undefined, rpc: string, verb: string, request: JsonObject): Described | undefined {
  if (!target) return undefined;
  return () => ({
    ...target,
    methodName: `${VPC_ACCESS}.${rpc}`,
    permission: `vpcaccess.connectors.${verb}`,
    request,
    requestType: `type.googleapis.com/google.cloud.vpcaccess.v1.${rpc}Request`,
  });
}

/**
 * Cloud Run Admin API v1 (Knative paths): the name is "namespaces/P/services/S" and carries no region; Google's
 * entry has it in resource.labels.location. It is read from the answer's cloud.googleapis.com/location label
 * (as in the recorded v1 response), else from a regional endpoint's host ("REGION-run.googleapis.com").
 * Unknown: where Google takes the region from on the global endpoint; without one nothing is published.
 */
function v1(call: ServedCall): Described | undefined {
  const rpc = call.method.slice(call.method.indexOf("/") + 1);
  const req = call.request;
  const metadata = obj(obj(req.service).metadata);
  const [, project = "", , id = ""] = str(req.name).split("/");
  const namespace = str(req.namespace) || project;
  const service = rpc === "CreateService" ? str(metadata.name) : id;
  const labels = obj(obj(obj(call.response).metadata).labels);
  const location =
    str(labels["cloud.googleapis.com/location"]) ||
    str(obj(metadata.labels)["cloud.googleapis.com/location"]) ||
    (/^([a-z]+-[a-z]+\d+)-/.exec(str(req.host))?.[1] ?? "");
  if (!namespace || !service || !location) return undefined;
  const verb = { ReplaceService: "update", CreateService: "create", DeleteService: "delete" }[rpc] ?? "update";
  return () => ({
    serviceName: "run.googleapis.com",
    resourceName: `namespaces/${namespace}/services/${service}`,
    project: namespace,
    location,
    resourceId: service,
    methodName: `${RUN_V1}.${rpc}`,
    permission: `run.services.${verb}`,
    request: { name: `projects/${namespace}/locations/${location}/services/${service}`, region: location },
    requestType: `type.googleapis.com/google.cloud.run.v1.${rpc}Request`,
  });
}

/** A control-API change, recorded as the API call its user agent's tool would have made. */
function outOfBand(target: Target | undefined, request: JsonObject): Described | undefined {
  if (!target) return undefined;
  const patch = obj(request.patch);
  return (userAgent) =>
    /(^|\s)google-cloud-sdk gcloud\//.test(userAgent)
      ? {
          ...target,
          resourceName: `namespaces/${target.project}/services/${target.resourceId}`,
          methodName: "google.cloud.run.v1.Services.ReplaceService",
          permission: "run.services.update",
          request: { name: target.resourceName, region: target.location },
          requestType: "type.googleapis.com/google.cloud.run.v1.ReplaceServiceRequest",
        }
      : {
          ...target,
          methodName: `${RUN_V2}.UpdateService`,
          permission: "run.services.update",
          request: { service: { ...patch, name: target.resourceName } },
          requestType: "type.googleapis.com/google.cloud.run.v2.UpdateServiceRequest",
        };
}

function service(name: string): Target | undefined {
  const m = /^projects\/([^/]+)\/locations\/([^/]+)\/services\/([^/]+)$/.exec(name);
  if (!m) return undefined;
  return { serviceName: "run.googleapis.com", resourceName: name, project: m[1]!, location: m[2]!, resourceId: m[3]! };
}

function connector(name: string): Target | undefined {
  const m = /^projects\/([^/]+)\/locations\/([^/]+)\/connectors\/([^/]+)$/.exec(name);
  if (!m) return undefined;
  return {
    serviceName: "vpcaccess.googleapis.com",
    resourceName: name,
    project: m[1]!,
    location: m[2]!,
    resourceId: m[3]!,
  };
}

function principalOf(token: string, principals: CallerPrincipals): string {
  if (token.startsWith("principal:") && token.length > "principal:".length) return token.slice("principal:".length);
  return principals.byToken?.[token] ?? principals.fallback;
}

/** The operation a write started: an Operation's name, or the control API's {operation} answer. */
function operationName(response: JsonObject | undefined): string | undefined {
  if (!response) return undefined;
  if (typeof response.operation === "string") return response.operation;
  return typeof response.name === "string" && response.name.includes("/operations/") ? response.name : undefined;
}

function obj(value: unknown): JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : {};
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}
