// HTTP -> request message, the way Google's transcoding does it: path variables and query parameters are
// set at their (dotted) field paths, the JSON body fills `bodyField`. Query strings carry no types, so
// when the rpc is known the field types decide how a value is read (booleans, repeated fields).

import protobuf from "protobufjs";
import { SimError } from "./errors.ts";
import type { JsonObject } from "./module.ts";
import { camelPath, type RouteEntry } from "./routes.ts";

/** System parameters every Google REST endpoint accepts and no request message carries. */
const SYSTEM_PARAMS = new Set([
  "alt",
  "prettyPrint",
  "access_token",
  "key",
  "fields",
  "quotaUser",
  "callback",
  "upload_protocol",
  "uploadType",
]);

export function assembleRequest(
  route: RouteEntry,
  pathVariables: Record<string, string>,
  query: URLSearchParams,
  body: unknown,
): JsonObject {
  const request: JsonObject = {};
  if (route.bodyField === "*") {
    if (body !== undefined) {
      if (body === null || typeof body !== "object" || Array.isArray(body)) throw badBody("a JSON object");
      Object.assign(request, body);
    }
  } else if (route.bodyField && body !== undefined) {
    request[route.bodyField] = body;
  }
  for (const [path, value] of Object.entries(pathVariables)) setAt(request, camelPath(path).split("."), value);
  for (const [key, value] of query) {
    if (key.startsWith("$") || SYSTEM_PARAMS.has(key)) continue;
    const path = camelPath(key).split(".");
    const field = route.rpc ? fieldAt(route.rpc.requestType, path) : undefined;
    const parsed = field?.type === "bool" ? parseBool(value) : value;
    if (field?.repeated) appendAt(request, path, parsed);
    else setAt(request, path, parsed);
  }
  return request;
}

function badBody(expected: string): SimError {
  const message = `Invalid JSON payload received. Expected ${expected} as the request body.`;
  return SimError.invalidArgument(message, [{ field: "(body)", description: message }]);
}

function parseBool(value: string): boolean | string {
  if (value === "true") return true;
  if (value === "false") return false;
  return value; // left for the converter to reject with a field-named error
}

function fieldAt(type: protobuf.Type, path: string[]): protobuf.Field | undefined {
  let current: protobuf.Type = type;
  for (const [i, part] of path.entries()) {
    const field = current.fields[part];
    if (!field) return undefined;
    if (i === path.length - 1) return field;
    if (!(field.resolvedType instanceof protobuf.Type)) return undefined;
    current = field.resolvedType;
  }
  return undefined;
}

function parentOf(target: JsonObject, path: string[]): JsonObject {
  let current = target;
  for (const part of path.slice(0, -1)) {
    const next = current[part];
    if (next === null || typeof next !== "object" || Array.isArray(next)) current[part] = {};
    current = current[part] as JsonObject;
  }
  return current;
}

function setAt(target: JsonObject, path: string[], value: unknown): void {
  parentOf(target, path)[path[path.length - 1] ?? ""] = value;
}

function appendAt(target: JsonObject, path: string[], value: unknown): void {
  const parent = parentOf(target, path);
  const key = path[path.length - 1] ?? "";
  const existing = parent[key];
  parent[key] = Array.isArray(existing) ? [...(existing as unknown[]), value] : [value];
}
