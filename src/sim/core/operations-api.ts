// google.longrunning.Operations over the shared OperationStore, on gRPC and on the REST paths the real
// clients' fallback mode calls: /v2/... for Cloud Run, /v1/... and /v1beta1/... for VPC Access.

import { SimError } from "./errors.ts";
import type { JsonObject, RestRoute, ServiceImpl, SimContext } from "./module.ts";
import { paginate } from "./paging.ts";
import { parseDuration } from "./well-known.ts";

const SERVICE = "google.longrunning.Operations";
const MAX_WAIT_MS = 60_000;

export interface OperationsApi {
  services: ServiceImpl[];
  restRoutes: RestRoute[];
}

export function createOperationsApi(ctx: SimContext): OperationsApi {
  const store = ctx.operations;
  const methods = {
    GetOperation: (req: JsonObject) => ({ ...store.get(requireName(req)) }),
    ListOperations: (req: JsonObject) => {
      const all = store.list(requireName(req)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const page = paginate(all, (op) => op.name, req);
      return { operations: page.items, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
    },
    DeleteOperation: (req: JsonObject) => {
      store.delete(requireName(req));
      return {};
    },
    WaitOperation: async (req: JsonObject) => {
      const timeoutMs = typeof req.timeout === "string" ? toMillis(req.timeout) : MAX_WAIT_MS;
      return { ...(await store.wait(requireName(req), Math.min(timeoutMs, MAX_WAIT_MS))) };
    },
  };
  const restRoutes: RestRoute[] = ["v1", "v1beta1", "v2"].flatMap((version) => [
    route("GET", `/${version}/{name=projects/*/locations/*/operations/*}`, "GetOperation", methods.GetOperation),
    route("GET", `/${version}/{name=projects/*/locations/*}/operations`, "ListOperations", methods.ListOperations),
    route(
      "DELETE",
      `/${version}/{name=projects/*/locations/*/operations/*}`,
      "DeleteOperation",
      methods.DeleteOperation,
    ),
    {
      ...route(
        "POST",
        `/${version}/{name=projects/*/locations/*/operations/*}:wait`,
        "WaitOperation",
        methods.WaitOperation,
      ),
      bodyField: "*",
    },
  ]);
  return { services: [{ name: SERVICE, methods }], restRoutes };
}

function route(
  httpMethod: RestRoute["httpMethod"],
  pattern: string,
  rpc: string,
  handler: RestRoute["handler"],
): RestRoute {
  return { httpMethod, pattern, method: `${SERVICE}/${rpc}`, handler };
}

function requireName(req: JsonObject): string {
  if (typeof req.name !== "string" || req.name === "") {
    throw SimError.invalidArgument("name is required", [{ field: "name", description: "expected an operation name" }]);
  }
  return req.name;
}

function toMillis(duration: string): number {
  const { seconds, nanos } = parseDuration(duration);
  return Number(seconds) * 1000 + Math.floor(nanos / 1e6);
}
