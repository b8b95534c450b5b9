// Pure helpers over Service objects in proto3 JSON form: which fields a caller may set, update masks,
// out-of-band patches, names, and the generated identifiers Cloud Run shows (URIs, project numbers).

import { createHash } from "node:crypto";
import { SimError } from "../core/errors.ts";
import type { JsonObject } from "../core/module.ts";

/** Fields of google.cloud.run.v2.Service a caller may set; everything else is output-only or the name. */
export const SETTABLE_FIELDS = [
  "description",
  "labels",
  "annotations",
  "client",
  "clientVersion",
  "ingress",
  "launchStage",
  "binaryAuthorization",
  "template",
  "traffic",
  "scaling",
  "invokerIamDisabled",
  "defaultUriDisabled",
  "iapEnabled",
  "multiRegionSettings",
  "customAudiences",
  "buildConfig",
] as const;

export interface ServiceName {
  project: string;
  location: string;
  id: string;
}

export function parseServiceName(name: string, field = "name"): ServiceName {
  const match = /^projects\/([^/]+)\/locations\/([^/]+)\/services\/([^/]+)$/.exec(name);
  if (!match) {
    throw SimError.invalidArgument(`Invalid resource name '${name}'`, [
      { field, description: "expected projects/{project}/locations/{location}/services/{service}" },
    ]);
  }
  return { project: match[1] ?? "", location: match[2] ?? "", id: match[3] ?? "" };
}

/** Cloud Run service ids: lowercase letters, digits and hyphens, starting with a letter, at most 49 chars. */
export function checkServiceId(id: string, field: string): void {
  if (!/^[a-z]([-a-z0-9]{0,47}[a-z0-9])?$/.test(id)) {
    throw SimError.invalidArgument(`Invalid service id '${id}'`, [
      {
        field,
        description: "must be 1-49 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen",
      },
    ]);
  }
}

export function settableFields(service: JsonObject): JsonObject {
  return Object.fromEntries(
    SETTABLE_FIELDS.filter((key) => service[key] !== undefined).map((key) => [key, structuredClone(service[key])]),
  );
}

/** `base` with each masked path taken from `incoming` (removed where `incoming` lacks it). */
export function applyUpdateMask(base: JsonObject, incoming: JsonObject, mask: string): JsonObject {
  const result = structuredClone(base);
  for (const path of mask.split(",").filter(Boolean)) {
    const parts = path.split(".");
    if (parts[0] === "*") return settableFields(incoming);
    if (!SETTABLE_FIELDS.includes(parts[0] as (typeof SETTABLE_FIELDS)[number])) {
      throw SimError.invalidArgument(`Invalid update mask path '${path}'`, [
        { field: "update_mask", description: `'${path}' is not a field of Service that can be updated` },
      ]);
    }
    const value = getPath(incoming, parts);
    setPath(result, parts, value === undefined ? undefined : structuredClone(value));
  }
  return result;
}

function getPath(object: JsonObject, parts: string[]): unknown {
  let current: unknown = object;
  for (const part of parts) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as JsonObject)[part];
  }
  return current;
}

function setPath(object: JsonObject, parts: string[], value: unknown): void {
  let current = object;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    if (next === null || typeof next !== "object" || Array.isArray(next)) current[part] = {};
    current = current[part] as JsonObject;
  }
  const last = parts[parts.length - 1] ?? "";
  if (value === undefined) delete current[last];
  else current[last] = value;
}

/** Merges a hand-written patch: objects key by key, lists element by element, null removes a key. */
export function mergePatch(base: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) {
    const list = Array.isArray(base) ? [...(base as unknown[])] : [];
    patch.forEach((item, i) => (list[i] = mergePatch(list[i], item)));
    return list;
  }
  if (patch !== null && typeof patch === "object") {
    const result: JsonObject =
      base !== null && typeof base === "object" && !Array.isArray(base) ? { ...(base as JsonObject) } : {};
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete result[key];
      else result[key] = mergePatch(result[key], value);
    }
    return result;
  }
  return patch;
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A stable 12-digit project number for a project id (Cloud Run puts it in service accounts and URLs). */
export function projectNumberOf(project: string): string {
  return String(100_000_000_000 + (parseInt(digest(project).slice(0, 10), 16) % 900_000_000_000));
}

/** https://{service}-{hash}-{region code}.a.run.app, the form Cloud Run gives new services. */
export function serviceUris({ project, location, id }: ServiceName): string[] {
  const hash = BigInt(`0x${digest(`${project}/${location}`).slice(0, 12)}`)
    .toString(36)
    .slice(0, 10);
  const regionCode = location
    .split("-")
    .map((part) => part[0] ?? "")
    .join("");
  return [
    `https://${id}-${hash}-${regionCode}.a.run.app`,
    `https://${id}-${projectNumberOf(project)}.${location}.run.app`,
  ];
}

/** Digest of a template's canonical text (minus its revision name), to tell whether it changed. */
export function templateKey(template: unknown): string {
  const { revision: _revision, ...rest } = (template ?? {}) as JsonObject;
  return createHash("sha1").update(canonical(rest)).digest("base64url");
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
