// Cloud Run Admin API v1 namespaces.services, what `gcloud run services describe|list|update|deploy|delete`
// calls (https://cloud.google.com/run/docs/reference/rest/v1/namespaces.services): Knative paths under
// /apis/serving.knative.dev/v1, JSON only, over the same store as v2, so a v1 write is what a v2 read shows.
// The region comes from a regional endpoint's host (us-central1-run.googleapis.com); on the global host a
// name is looked up in every region of the project.

import { SimError } from "../../core/errors.ts";
import type { JsonObject, RestRoute } from "../../core/module.ts";
import { checkServiceId, projectNumberOf } from "../shape.ts";
import type { ServiceStore } from "../store.ts";
import { V1 } from "./annotations.ts";
import { fromV1Service } from "./from-v1.ts";
import { resourceVersionOf, toV1Service } from "./to-v1.ts";

const API = "google.cloud.run.v1.Services";
const BASE = "/apis/serving.knative.dev/v1/namespaces/{namespace}/services";
/** v1 names a service "namespaces/{project id or number}/services/{id}" (the REST reference's `name`). */
const ONE = "/apis/serving.knative.dev/v1/{name=namespaces/*/services/*}";

interface Where {
  project: string;
  region?: string;
}

/** "us-central1-run.googleapis.com" -> us-central1; hosts without a region prefix are the global endpoint. */
export function regionOfHost(host: string): string | undefined {
  return /^([a-z]+-[a-z]+\d+)-/.exec(host)?.[1];
}

/** `actor`: who the simulator says made the calls (creator / lastModifier). */
export function cloudRunV1Routes(store: ServiceStore, actor: string): RestRoute[] {
  const where = (req: JsonObject): Where => {
    const namespace = text(req.namespace) || (text(req.name).split("/")[1] ?? "");
    const region = regionOfHost(text(req.host));
    return { project: projectOf(store, namespace), ...(region ? { region } : {}) };
  };
  const find = (req: JsonObject): string => {
    const { project, region } = where(req);
    const id = text(req.name).split("/")[3] ?? "";
    const name = store
      .names()
      .find((n) => n.startsWith(locationPrefix(project, region)) && n.endsWith(`/services/${id}`));
    if (!name) throw notFound(id, project, region);
    return name;
  };
  return [
    {
      httpMethod: "GET",
      pattern: ONE,
      method: `${API}/GetService`,
      hostField: "host",
      handler: (req) => toV1Service(store.get(find(req))),
    },
    {
      httpMethod: "GET",
      pattern: BASE,
      method: `${API}/ListServices`,
      hostField: "host",
      handler: (req) => {
        const { project, region } = where(req);
        const items = store
          .names()
          .filter((name) => name.startsWith(locationPrefix(project, region)))
          .map((name) => toV1Service(store.get(name)));
        return { apiVersion: "serving.knative.dev/v1", kind: "ServiceList", metadata: {}, items };
      },
    },
    {
      // The same list addressed by project and location, "-" for every region: what `gcloud run services
      // list` without --region calls on the global endpoint.
      httpMethod: "GET",
      pattern: "/v1/projects/{project}/locations/{location}/services",
      method: `${API}/ListServices`,
      handler: (req) => {
        const project = projectOf(store, text(req.project));
        const region = req.location === "-" ? undefined : text(req.location);
        const items = store
          .names()
          .filter((name) => name.startsWith(locationPrefix(project, region)))
          .map((name) => toV1Service(store.get(name)));
        return { apiVersion: "serving.knative.dev/v1", kind: "ServiceList", metadata: {}, items };
      },
    },
    {
      // gcloud run deploy asks before creating a service whether it may set its IAM policy. Any access
      // token is accepted, so every permission asked about is granted.
      httpMethod: "POST",
      pattern: "/v1/projects/{project}/locations/{location}/services/{name}:testIamPermissions",
      bodyField: "*",
      method: `${API}/TestIamPermissions`,
      handler: (req) => ({ permissions: Array.isArray(req.permissions) ? req.permissions : [] }),
    },
    {
      httpMethod: "PUT",
      pattern: ONE,
      bodyField: "service",
      method: `${API}/ReplaceService`,
      hostField: "host",
      handler: (req) => {
        const name = find(req);
        const current = store.get(name);
        const body = asObject(req.service);
        const sent = asObject(body.metadata).resourceVersion;
        // metadata.resourceVersion is v1's concurrency token: a stale one is a conflict, nothing changes.
        if (typeof sent === "string" && sent !== "" && sent !== resourceVersionOf(current)) {
          throw new SimError(
            "ABORTED",
            `Conflict for resource '${text(req.name)}': version '${sent}' was specified but current version is '${resourceVersionOf(current)}'.`,
          );
        }
        store.write(name, fromV1Service(body, current), { request: "ReplaceServiceRequest", actor });
        return toV1Service(store.get(name));
      },
    },
    {
      httpMethod: "POST",
      pattern: BASE,
      bodyField: "service",
      method: `${API}/CreateService`,
      hostField: "host",
      handler: (req) => {
        const { project, region: hostRegion } = where(req);
        const body = asObject(req.service);
        const metadata = asObject(body.metadata);
        const id = text(metadata.name);
        checkServiceId(id, "metadata.name");
        const region = hostRegion ?? asObject(metadata.labels)[V1.location];
        if (typeof region !== "string" || region === "") {
          throw SimError.invalidArgument("A region is required: call the regional endpoint", [
            { field: `metadata.labels[${V1.location}]`, description: "must name the region on the global endpoint" },
          ]);
        }
        const name = `projects/${project}/locations/${region}/services/${id}`;
        if (store.has(name)) throw new SimError("ALREADY_EXISTS", `Resource '${id}' already exists.`);
        store.write(name, fromV1Service(body, undefined), { request: "CreateServiceRequest", actor });
        return toV1Service(store.get(name));
      },
    },
    {
      httpMethod: "DELETE",
      pattern: ONE,
      method: `${API}/DeleteService`,
      hostField: "host",
      handler: (req) => {
        const name = find(req);
        const uid = store.get(name).uid;
        store.delete(name, { request: "DeleteServiceRequest" });
        return {
          apiVersion: "v1",
          kind: "Status",
          status: "Success",
          details: { name: text(req.name).split("/")[3], kind: "services", uid },
        };
      },
    },
  ];
}

function locationPrefix(project: string, region: string | undefined): string {
  return `projects/${project}/locations/${region ? `${region}/` : ""}`;
}

/** A namespace is the project id or its number (what v1 reads answer with). */
function projectOf(store: ServiceStore, namespace: string): string {
  if (!/^\d+$/.test(namespace)) return namespace;
  const project = store
    .names()
    .map((name) => name.split("/")[1] ?? "")
    .find((id) => projectNumberOf(id) === namespace);
  return project ?? namespace;
}

/** Not recorded; the wording Google's v1 API is known to use for a missing service. */
function notFound(id: string, project: string, region: string | undefined): SimError {
  const inRegion = region ? ` in region '${region}'` : "";
  return new SimError(
    "NOT_FOUND",
    `Resource '${id}' of kind 'SERVICE'${inRegion} in project '${project}' does not exist.`,
  );
}

function asObject(value: unknown): JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : {};
}

function text(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
}
