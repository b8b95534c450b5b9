// The simulated Cloud Run Admin API as a SimModule: v2 Services (google.cloud.run.v2.Services) on gRPC and
// REST, and v1 namespaces.services (what gcloud run uses) on REST, both over one store.

import { SimError } from "../core/errors.ts";
import type { JsonObject, SimContext, SimModule } from "../core/module.ts";
import { paginate } from "../core/paging.ts";
import { fromProto3Json } from "../core/proto-json-parse.ts";
import { loadSimProtos } from "../core/protos.ts";
import { cloudRunControlRoutes } from "./control.ts";
import { RevisionFailures, type RevisionFailureRule } from "./failures.ts";
import { applyUpdateMask, checkServiceId, parseServiceName, settableFields } from "./shape.ts";
import { ServiceStore } from "./store.ts";
import { cloudRunV1Routes } from "./v1/routes.ts";

/** Who the simulator says made API calls (creator / lastModifier); any bearer token is accepted. */
export const API_CALLER = "sim-caller@driftguard.local";

export interface CloudRunModule extends SimModule {
  store: ServiceStore;
  failures: RevisionFailures;
}

export function createCloudRunModule(ctx: SimContext): CloudRunModule {
  const failures = new RevisionFailures();
  const store = new ServiceStore(ctx, failures);
  const methods = {
    GetService: (req: JsonObject) => store.get(requireString(req, "name", parseServiceName)),
    ListServices: (req: JsonObject) => {
      const parent = requireString(req, "parent", parseParent);
      const page = paginate(store.list(parent), (s) => String(s.name), req);
      return { services: page.items, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
    },
    CreateService: (req: JsonObject) => {
      const parent = requireString(req, "parent", parseParent);
      const serviceId = requireString(req, "serviceId");
      checkServiceId(serviceId, "service_id");
      const name = `${parent}/services/${serviceId}`;
      if (store.has(name)) throw new SimError("ALREADY_EXISTS", `Resource '${serviceId}' already exists.`);
      const desired = settableFields(asObject(req.service));
      return {
        ...store.write(name, desired, {
          request: "CreateServiceRequest",
          actor: API_CALLER,
          validateOnly: req.validateOnly === true,
        }),
      };
    },
    UpdateService: (req: JsonObject) => {
      const incoming = asObject(req.service);
      const name = requireString(incoming, "name", parseServiceName, "service.name");
      const options = { request: "UpdateServiceRequest", actor: API_CALLER, validateOnly: req.validateOnly === true };
      if (!store.has(name)) {
        if (req.allowMissing !== true) throw SimError.notFound(name);
        return { ...store.write(name, settableFields(incoming), options) };
      }
      const mask = typeof req.updateMask === "string" && req.updateMask !== "" ? req.updateMask : undefined;
      const desired = mask
        ? applyUpdateMask(settableFields(store.get(name)), incoming, mask)
        : settableFields(incoming);
      const etag = typeof incoming.etag === "string" ? incoming.etag : undefined;
      return { ...store.write(name, desired, { ...options, ...(etag ? { etag } : {}) }) };
    },
    DeleteService: (req: JsonObject) => {
      const name = requireString(req, "name", parseServiceName);
      const etag = typeof req.etag === "string" && req.etag ? req.etag : undefined;
      return {
        ...store.delete(name, {
          request: "DeleteServiceRequest",
          validateOnly: req.validateOnly === true,
          ...(etag ? { etag } : {}),
        }),
      };
    },
  };
  return {
    store,
    failures,
    services: [{ name: "google.cloud.run.v2.Services", methods }],
    restRoutes: cloudRunV1Routes(store, API_CALLER),
    controlRoutes: cloudRunControlRoutes(store, failures),
    seed: (document) => seedServices(store, document),
    snapshot: () => ({ ...store.snapshot(), failureRules: failures.list() }),
    restore: (snapshot) => {
      store.restore(snapshot);
      failures.replace((snapshot.failureRules ?? []) as RevisionFailureRule[]);
    },
    reset: () => {
      store.reset();
      failures.replace([]);
    },
  };
}

/** A seed's `services:` list: Service objects in proto3 JSON form with their full `name`, made ready at once. */
function seedServices(store: ServiceStore, document: JsonObject): void {
  const services = document.services;
  if (services === undefined) return;
  if (!Array.isArray(services)) throw new Error("seed: services must be a list of Cloud Run services");
  const serviceType = loadSimProtos().lookupType("google.cloud.run.v2.Service");
  services.forEach((entry: unknown, i) => {
    const where = `seed: services[${i}]`;
    try {
      fromProto3Json(serviceType, entry);
      const service = asObject(entry);
      const name = requireString(service, "name", parseServiceName);
      store.writeReady(name, settableFields(service), {
        request: "seed",
        actor: typeof service.creator === "string" ? service.creator : API_CALLER,
      });
    } catch (err) {
      throw new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  });
}

function parseParent(parent: string, field: string): void {
  if (!/^projects\/[^/]+\/locations\/[^/]+$/.test(parent)) {
    throw SimError.invalidArgument(`Invalid parent '${parent}'`, [
      { field, description: "expected projects/{project}/locations/{location}" },
    ]);
  }
}

function requireString(
  req: JsonObject,
  key: string,
  check?: (value: string, field: string) => unknown,
  field = key,
): string {
  const value = req[key];
  if (typeof value !== "string" || value === "") {
    throw SimError.invalidArgument(`${field} is required`, [{ field, description: "must be set" }]);
  }
  check?.(value, field);
  return value;
}

function asObject(value: unknown): JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : {};
}
