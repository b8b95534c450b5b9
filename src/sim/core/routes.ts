// The REST route table: one entry per google.api.http binding of every implemented rpc, plus module
// REST routes and control routes. Entries that name a proto rpc carry its types so the REST server can
// check requests and render responses exactly as gRPC would.

import protobuf from "protobufjs";
import type { MethodName, RestRoute, ServiceImpl, UnaryHandler } from "./module.ts";
import { compilePathTemplate, type PathTemplate } from "./path-template.ts";

export type HttpMethod = RestRoute["httpMethod"];

export interface RouteEntry {
  httpMethod: HttpMethod;
  template: PathTemplate;
  /** camelCase request field the body fills, "*" for the whole request, absent for no body. */
  bodyField?: string;
  method: MethodName;
  handler: UnaryHandler;
  hostField?: string;
  rpc?: { requestType: protobuf.Type; responseType: protobuf.Type };
  surface: "google" | "control";
}

interface HttpRule {
  get?: string;
  post?: string;
  patch?: string;
  put?: string;
  delete?: string;
  body?: string;
  additional_bindings?: HttpRule | HttpRule[];
}

const VERBS = ["get", "post", "patch", "put", "delete"] as const;

export function camelPath(path: string): string {
  return path.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** The rpc a full method name ("google.cloud.run.v2.Services/GetService") names, if the protos have it. */
export function findRpc(root: protobuf.Root, method: MethodName): protobuf.Method | undefined {
  const [serviceName, rpcName] = method.split("/");
  if (!serviceName || !rpcName) return undefined;
  const service = root.lookup(serviceName);
  if (!(service instanceof protobuf.Service)) return undefined;
  return service.methods[rpcName];
}

function typesOf(rpc: protobuf.Method): RouteEntry["rpc"] {
  rpc.resolve();
  return {
    requestType: rpc.resolvedRequestType as protobuf.Type,
    responseType: rpc.resolvedResponseType as protobuf.Type,
  };
}

/** Routes from the http annotations of every rpc the given services implement. */
export function annotatedRoutes(root: protobuf.Root, services: ServiceImpl[]): RouteEntry[] {
  const routes: RouteEntry[] = [];
  for (const impl of services) {
    const service = root.lookupService(impl.name);
    for (const [rpcName, handler] of Object.entries(impl.methods)) {
      const rpc = service.methods[rpcName];
      if (!rpc) throw new Error(`${impl.name} has no rpc ${rpcName}`);
      const options = (rpc.parsedOptions ?? []) as Array<Record<string, unknown>>;
      const rule = options.find((option) => "(google.api.http)" in option)?.["(google.api.http)"] as
        HttpRule | undefined;
      for (const binding of rule ? flatten(rule) : []) {
        const verb = VERBS.find((v) => binding[v] !== undefined);
        if (!verb) continue;
        routes.push({
          httpMethod: verb.toUpperCase() as HttpMethod,
          template: compilePathTemplate(binding[verb] as string),
          ...(binding.body ? { bodyField: camelPath(binding.body) } : {}),
          method: `${impl.name}/${rpcName}`,
          handler,
          rpc: typesOf(rpc),
          surface: "google",
        });
      }
    }
  }
  return routes;
}

function flatten(rule: HttpRule): HttpRule[] {
  const extra = rule.additional_bindings;
  return [rule, ...(extra === undefined ? [] : Array.isArray(extra) ? extra : [extra])];
}

/** Routes a module declares itself; typed when `method` names an rpc in the protos. */
export function declaredRoutes(root: protobuf.Root, routes: RestRoute[], surface: RouteEntry["surface"]): RouteEntry[] {
  return routes.map((route) => {
    const rpc = findRpc(root, route.typedAs ?? route.method);
    const pattern =
      surface === "control" && !route.pattern.startsWith("/control/") ? `/control${route.pattern}` : route.pattern;
    return {
      httpMethod: route.httpMethod,
      template: compilePathTemplate(pattern),
      ...(route.bodyField ? { bodyField: camelPath(route.bodyField) } : {}),
      method: route.method,
      handler: route.handler,
      ...(route.hostField ? { hostField: route.hostField } : {}),
      ...(rpc ? { rpc: typesOf(rpc) } : {}),
      surface,
    };
  });
}

/** Most literal characters first, so "/v2/{name=...}:wait" wins over "/v2/{name=...}". */
export function sortRoutes(routes: RouteEntry[]): RouteEntry[] {
  return [...routes].sort((a, b) => b.template.specificity - a.template.specificity);
}
