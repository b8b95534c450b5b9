// proto3 JSON -> protobufjs message. Builds the plain object protobufjs' encoder takes (enums as numbers,
// bytes as Buffers, int64 as numbers or decimal text), checking every field on the way so bad input fails
// with Google's "Invalid JSON payload received" error. The object goes straight to `encode`: protobufjs'
// fromObject would only copy it again, and every gRPC response passes through here.

import protobuf from "protobufjs";
import { SimError } from "./errors.ts";
import { fullName, lookupPacked } from "./proto-json.ts";
import { parseDuration, parseFieldMask, parseTimestamp } from "./well-known.ts";

type Plain = Record<string, unknown>;

const INT64 = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);
const INT32 = new Set(["int32", "uint32", "sint32", "fixed32", "sfixed32"]);

/**
 * Parses proto3 JSON into a message of `type`, as a plain object with protobufjs field names that
 * `type.encode` and `toProto3Json` accept; throws SimError INVALID_ARGUMENT naming the bad field.
 */
export function fromProto3Json(type: protobuf.Type, json: unknown): Plain {
  return parseMessage(type, json, "") as Plain;
}

function invalid(path: string, problem: string): SimError {
  const where = path || "(root)";
  const message = `Invalid JSON payload received. ${problem} at '${where}'`;
  return SimError.invalidArgument(message, [{ field: where, description: message }]);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

const fieldsByKey = new WeakMap<protobuf.Type, Map<string, protobuf.Field>>();

/** The field a JSON key names (lowerCamel or the proto's snake_case), cached per type; undefined if none. */
function fieldFor(type: protobuf.Type, key: string): protobuf.Field | undefined {
  let known = fieldsByKey.get(type);
  if (!known) {
    known = new Map();
    fieldsByKey.set(type, known);
  }
  let field = known.get(key);
  if (field === undefined) {
    const name = camel(key);
    field = Object.hasOwn(type.fields, name) ? type.fields[name] : undefined;
    if (field) known.set(key, field); // only keys that name a field, so bad input cannot grow the cache
  }
  return field;
}

function isObject(value: unknown): value is Plain {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function parseMessage(type: protobuf.Type, json: unknown, path: string): unknown {
  const name = fullName(type);
  if (name.startsWith("google.protobuf.")) {
    const wellKnown = parseWellKnown(type, name, json, path);
    if (wellKnown !== undefined) return wellKnown;
  }
  if (!isObject(json)) throw invalid(path, `Expected an object for ${name}, got ${JSON.stringify(json)}`);
  const plain: Plain = {};
  for (const key of Object.keys(json)) {
    const value = json[key];
    const field = fieldFor(type, key);
    if (!field) throw invalid(path, `Unknown name ${JSON.stringify(key)}: Cannot find field`);
    if (value === null && !(field.resolvedType && fullName(field.resolvedType) === "google.protobuf.Value")) continue;
    plain[field.name] = parseField(field, value, join(path, field.name));
  }
  return plain;
}

function parseField(field: protobuf.Field, value: unknown, path: string): unknown {
  if (field.map) {
    if (!isObject(value)) throw invalid(path, "Expected an object for a map field");
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, parseSingle(field, v, `${path}[${k}]`)]));
  }
  if (field.repeated) {
    if (!Array.isArray(value)) throw invalid(path, "Expected a list for a repeated field");
    return value.map((v, i) => parseSingle(field, v, `${path}[${i}]`));
  }
  return parseSingle(field, value, path);
}

function parseSingle(field: protobuf.Field, value: unknown, path: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return parseMessage(resolved, value, path);
  if (resolved instanceof protobuf.Enum) {
    if (typeof value === "string" && value in resolved.values) return resolved.values[value];
    if (typeof value === "number" && Number.isInteger(value)) return value;
    const names = Object.keys(resolved.values).join(", ");
    throw invalid(path, `Invalid value ${JSON.stringify(value)} for enum ${resolved.name}; expected one of ${names}`);
  }
  return parseScalar(field.type, value, path);
}

function parseScalar(kind: string, value: unknown, path: string): unknown {
  const bad = (expected: string) => invalid(path, `Invalid value ${JSON.stringify(value)}: expected ${expected}`);
  if (kind === "string") {
    if (typeof value !== "string") throw bad("a string");
    return value;
  }
  if (kind === "bool") {
    if (typeof value !== "boolean") throw bad("true or false");
    return value;
  }
  if (kind === "bytes") {
    if (typeof value !== "string" || !/^[A-Za-z0-9+/_-]*=*$/.test(value)) throw bad("base64 bytes");
    return Buffer.from(value, value.includes("-") || value.includes("_") ? "base64url" : "base64");
  }
  if (INT32.has(kind) || INT64.has(kind)) {
    const text = typeof value === "number" ? String(value) : value;
    if (typeof text !== "string" || !/^-?\d+$/.test(text)) throw bad("an integer");
    if (kind.startsWith("u") || kind.startsWith("fixed")) {
      if (text.startsWith("-")) throw bad("a non-negative integer");
    }
    if (INT32.has(kind)) {
      const n = Number(text);
      if (n > 0xffffffff || n < -0x80000000) throw bad("a 32-bit integer");
      return n;
    }
    return int64(text);
  }
  // float and double
  if (typeof value === "number") return value;
  if (value === "NaN" || value === "Infinity" || value === "-Infinity") return Number(value);
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
  throw bad("a number");
}

/** A number when exact (protobufjs encodes those fastest), else the canonical decimal text. */
function int64(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text).toString();
}

function parseWellKnown(type: protobuf.Type, name: string, json: unknown, path: string): unknown {
  const first = type.fieldsById[1];
  if (!first) return undefined;
  switch (name) {
    case "google.protobuf.Duration":
      if (typeof json !== "string") throw invalid(path, `Expected a duration string, got ${JSON.stringify(json)}`);
      return secondsNanos(type, json, parseDuration, path);
    case "google.protobuf.Timestamp":
      if (typeof json !== "string") throw invalid(path, `Expected a timestamp string, got ${JSON.stringify(json)}`);
      return secondsNanos(type, json, parseTimestamp, path);
    case "google.protobuf.FieldMask":
      if (typeof json !== "string") throw invalid(path, `Expected a field mask string, got ${JSON.stringify(json)}`);
      return { [first.name]: parseFieldMask(json) };
    case "google.protobuf.Any":
      return parseAny(type, json, path);
    case "google.protobuf.Struct":
      if (!isObject(json)) throw invalid(path, "Expected an object for google.protobuf.Struct");
      return { [first.name]: Object.fromEntries(Object.entries(json).map(([k, v]) => [k, parseValue(first, v)])) };
    case "google.protobuf.ListValue":
      if (!Array.isArray(json)) throw invalid(path, "Expected a list for google.protobuf.ListValue");
      return { [first.name]: json.map((v) => parseValue(first, v)) };
    case "google.protobuf.Value":
      return jsonToValue(type, json);
    default:
      if (/^google\.protobuf\.\w+Value$/.test(name)) return { [first.name]: parseSingle(first, json, path) };
      return undefined;
  }
}

/** Duration or Timestamp text -> {seconds, nanos} under the type's own field names. */
function secondsNanos(
  type: protobuf.Type,
  text: string,
  parse: (text: string) => { seconds: string; nanos: number },
  path: string,
): Plain {
  let parsed: { seconds: string; nanos: number };
  try {
    parsed = parse(text);
  } catch (err) {
    throw invalid(path, err instanceof Error ? err.message : String(err));
  }
  const seconds = (type.fieldsById[1] as protobuf.Field).name;
  return { [seconds]: int64(parsed.seconds), [type.fieldsById[2]?.name ?? "nanos"]: parsed.nanos };
}

function parseValue(holder: protobuf.Field, json: unknown): unknown {
  return jsonToValue(holder.resolvedType as protobuf.Type, json);
}

/** JSON value -> google.protobuf.Value plain object (field ids: 1 null, 2 number, 3 string, 4 bool, 5 struct, 6 list). */
function jsonToValue(valueType: protobuf.Type, json: unknown): Plain {
  const field = (id: number) => (valueType.fieldsById[id] as protobuf.Field).name;
  if (json === null) return { [field(1)]: 0 };
  if (typeof json === "number") return { [field(2)]: json };
  if (typeof json === "string") return { [field(3)]: json };
  if (typeof json === "boolean") return { [field(4)]: json };
  const struct = valueType.fieldsById[5]?.resolvedType as protobuf.Type;
  const list = valueType.fieldsById[6]?.resolvedType as protobuf.Type;
  if (Array.isArray(json)) return { [field(6)]: parseWellKnown(list, "google.protobuf.ListValue", json, "") };
  return { [field(5)]: parseWellKnown(struct, "google.protobuf.Struct", json, "") };
}

function parseAny(type: protobuf.Type, json: unknown, path: string): Plain {
  if (!isObject(json) || typeof json["@type"] !== "string") {
    throw invalid(path, 'Expected an object with "@type" for google.protobuf.Any');
  }
  const { "@type": url, ...rest } = json;
  const packed = lookupPacked(type.root, url);
  const packedName = fullName(packed);
  const special = packedName.startsWith("google.protobuf.") && packedName !== "google.protobuf.Empty";
  const message = fromProto3Json(packed, special && "value" in rest ? rest.value : rest);
  const typeUrl = (type.fieldsById[1] as protobuf.Field).name;
  const value = (type.fieldsById[2] as protobuf.Field).name;
  return { [typeUrl]: url, [value]: packed.encode(message).finish() };
}
