// proto3 JSON <-> protobufjs messages, driven by the reflection types. protobufjs' own toObject/fromObject
// do not produce proto3 JSON for well-known types (Duration, Timestamp, Any, FieldMask, wrappers, Struct),
// and silently accept unknown fields; Google rejects those with INVALID_ARGUMENT, so we do too.

import protobuf from "protobufjs";
import { SimError } from "./errors.ts";
import type { JsonObject } from "./module.ts";
import { formatDuration, formatFieldMask, formatTimestamp, integerText } from "./well-known.ts";

export interface ToJsonOptions {
  /** Enums as numbers (REST clients asking `$alt=json;enum-encoding=int`); names otherwise. */
  enumsAsNumbers?: boolean;
}

const INT64 = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);
const WRAPPERS = new Set(
  ["Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes"].map(
    (t) => `google.protobuf.${t}Value`,
  ),
);

type Fields = Record<string, unknown>;

const names = new WeakMap<protobuf.ReflectionObject, string>();

/** Full name without the leading dot, cached: protobufjs rebuilds `fullName` from the parent chain on every read. */
export function fullName(type: protobuf.ReflectionObject): string {
  let name = names.get(type);
  if (name === undefined) {
    name = type.fullName.replace(/^\./, "");
    names.set(type, name);
  }
  return name;
}

function byId(type: protobuf.Type, id: number): protobuf.Field {
  const field = type.fieldsById[id];
  if (!field) throw new Error(`${fullName(type)} has no field #${id}`);
  return field;
}

// ---------------------------------------------------------------------------------------------- to JSON

/** A decoded message (or plain object with the same field names) as proto3 JSON. */
export function toProto3Json(type: protobuf.Type, message: object, options: ToJsonOptions = {}): JsonObject {
  const json = messageToJson(type, message as Fields, options);
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new Error(`${fullName(type)} has no JSON object form`);
  }
  return json as JsonObject;
}

function messageToJson(type: protobuf.Type, message: Fields, options: ToJsonOptions): unknown {
  const name = fullName(type);
  if (name === "google.protobuf.Duration") return formatDuration(secondsNanos(type, message));
  if (name === "google.protobuf.Timestamp") return formatTimestamp(secondsNanos(type, message));
  if (name === "google.protobuf.FieldMask") return formatFieldMask((message[byId(type, 1).name] as string[]) ?? []);
  if (WRAPPERS.has(name)) return scalarToJson(byId(type, 1), message[byId(type, 1).name], options);
  if (name === "google.protobuf.Any") return anyToJson(type, message, options);
  if (name === "google.protobuf.Struct") return structToJson(type, message, options);
  if (name === "google.protobuf.ListValue") {
    const values = (message[byId(type, 1).name] as Fields[] | undefined) ?? [];
    return values.map((v) => messageToJson(byId(type, 1).resolvedType as protobuf.Type, v, options));
  }
  if (name === "google.protobuf.Value") return valueToJson(type, message, options);
  const json: JsonObject = {};
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    // protobufjs puts oneof defaults on the prototype; only an own property means "set".
    if (field.partOf && !Object.hasOwn(message, field.name)) continue;
    if (field.map) {
      const entries = Object.entries(value as Fields);
      if (entries.length)
        json[field.name] = Object.fromEntries(entries.map(([k, v]) => [k, fieldToJson(field, v, options)]));
    } else if (field.repeated) {
      const items = value as unknown[];
      if (items.length) json[field.name] = items.map((v) => fieldToJson(field, v, options));
    } else if (hasPresence(field) || !isDefault(field, value)) {
      json[field.name] = fieldToJson(field, value, options);
    }
  }
  return json;
}

function hasPresence(field: protobuf.Field): boolean {
  return field.partOf !== null || field.resolvedType instanceof protobuf.Type;
}

function isDefault(field: protobuf.Field, value: unknown): boolean {
  if (value instanceof Uint8Array) return value.length === 0;
  if (INT64.has(field.type)) return String(value) === "0";
  return value === 0 || value === false || value === "";
}

function fieldToJson(field: protobuf.Field, value: unknown, options: ToJsonOptions): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return messageToJson(resolved, value as Fields, options);
  return scalarToJson(field, value, options);
}

function scalarToJson(field: protobuf.Field, value: unknown, options: ToJsonOptions): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    if (typeof value === "string" || options.enumsAsNumbers) return value;
    return resolved.valuesById[value as number] ?? value;
  }
  if (INT64.has(field.type)) return integerText(value);
  if (field.type === "bytes") return Buffer.from((value as Uint8Array | undefined) ?? []).toString("base64");
  if ((field.type === "double" || field.type === "float") && typeof value === "number" && !Number.isFinite(value)) {
    return String(value);
  }
  return value ?? defaultScalar(field);
}

function defaultScalar(field: protobuf.Field): unknown {
  if (field.type === "bool") return false;
  if (field.type === "string") return "";
  return 0;
}

function secondsNanos(type: protobuf.Type, message: Fields): { seconds: unknown; nanos: number } {
  return { seconds: message[byId(type, 1).name] ?? 0, nanos: Number(message[byId(type, 2).name] ?? 0) };
}

function anyToJson(type: protobuf.Type, message: Fields, options: ToJsonOptions): unknown {
  const url = typeof message[byId(type, 1).name] === "string" ? (message[byId(type, 1).name] as string) : "";
  const packed = lookupPacked(type.root, url);
  const inner = messageToJson(
    packed,
    packed.decode((message[byId(type, 2).name] as Uint8Array | undefined) ?? new Uint8Array()) as unknown as Fields,
    options,
  );
  if (inner !== null && typeof inner === "object" && !Array.isArray(inner)) return { "@type": url, ...inner };
  return { "@type": url, value: inner };
}

function structToJson(type: protobuf.Type, message: Fields, options: ToJsonOptions): JsonObject {
  const fields = byId(type, 1);
  const entries = Object.entries((message[fields.name] as Fields | undefined) ?? {});
  return Object.fromEntries(
    entries.map(([k, v]) => [k, messageToJson(fields.resolvedType as protobuf.Type, v as Fields, options)]),
  );
}

function valueToJson(type: protobuf.Type, message: Fields, options: ToJsonOptions): unknown {
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    if (value === undefined || value === null || !Object.hasOwn(message, field.name)) continue;
    if (field.id === 1) return null; // null_value
    return fieldToJson(field, value, options);
  }
  return null;
}

export function lookupPacked(root: protobuf.Root, url: string): protobuf.Type {
  const typeName = url.slice(url.lastIndexOf("/") + 1);
  const found = typeName ? root.lookup(typeName) : null;
  if (!(found instanceof protobuf.Type)) {
    throw SimError.invalidArgument(`Unknown type URL ${JSON.stringify(url)} in google.protobuf.Any`, [
      { field: "@type", description: `type ${JSON.stringify(typeName)} is not known to this server` },
    ]);
  }
  return found;
}
