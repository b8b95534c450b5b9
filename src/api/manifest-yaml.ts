// Reads manifest YAML into the values kubectl sends to the API server, so `driftguard validate` and the cluster
// never read one file two ways. kubectl converts YAML to JSON with sigs.k8s.io/yaml, which decodes with go-yaml
// v2 (YAML 1.1 rules, go-yaml v2 resolve.go). Observed with kubectl 1.27 and 1.33 (`create --dry-run=client
// --validate=false -o json`):
//   010 → 8, 0o10 → 8, 0x10 → 16, 0b11 → 3, 1_0 → 10, 08 → 8, 1e3 → 1000, .5 → 0.5, +10 → 10
//   y/Y/yes/Yes/YES/on/On/ON/true/True/TRUE → true, n/N/no/No/NO/off/Off/OFF/false/False/FALSE → false
//   ~, null, Null, NULL and the empty value → null; 1:20, 0o19 and dates stay strings
//   a duplicate key: the last value wins, silently; non-string keys become strings (N: → "false")
//   .inf/.nan: "json: unsupported value: +Inf"; an alias bomb: "yaml: document contains excessive aliasing"

import { type Document, type Scalar, isScalar, parseAllDocuments, visit } from "yaml";

export interface YamlProblem {
  /** 1-based line and column, when known. */
  line?: number;
  col?: number;
  message: string;
}

export interface ParsedYaml {
  /** One value per YAML document, as kubectl would send it (JSON-compatible). */
  documents: unknown[];
  /** Things kubectl accepts silently but that are almost always mistakes (duplicate keys). */
  warnings: YamlProblem[];
}

/** A file kubectl could not convert to JSON either. */
export class ManifestYamlError extends Error {
  readonly problem: YamlProblem;
  constructor(problem: YamlProblem, options?: ErrorOptions) {
    super(problem.message, options);
    this.problem = problem;
  }
}

const STR_TAG = "tag:yaml.org,2002:str";
const RESOLVABLE_TAGS = new Set([
  "tag:yaml.org,2002:bool",
  "tag:yaml.org,2002:int",
  "tag:yaml.org,2002:float",
  "tag:yaml.org,2002:null",
  "tag:yaml.org,2002:timestamp",
]);
const TRUE = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"];
const FALSE = ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"];
const NULL = ["", "~", "null", "Null", "NULL"];
const SPECIAL = new Map<string, unknown>([
  ...TRUE.map((text) => [text, true] as const),
  ...FALSE.map((text) => [text, false] as const),
  ...NULL.map((text) => [text, null] as const),
  ...[".nan", ".NaN", ".NAN"].map((text) => [text, Number.NaN] as const),
  ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map((text) => [text, Infinity] as const),
  ...["-.inf", "-.Inf", "-.INF"].map((text) => [text, -Infinity] as const),
]);
// go-yaml v2 looks a plain scalar up only when its first character hints at a non-string.
const HINTED = /^[-+0-9.yYnNtTfFoO~]/;
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
// Go's strconv.ParseInt(text, 0, 64): optional sign, then 0x / 0o / 0b / leading-0 octal / decimal.
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[0-7]*|0[bB][01]+|[1-9][0-9]*)$/;
const MAX_ALIASES = 100;

/** The value go-yaml v2 gives an untagged plain scalar (resolve.go), decoded into interface{}. */
export function resolvePlainScalar(text: string): unknown {
  if (text === "" || HINTED.test(text)) {
    if (SPECIAL.has(text)) return SPECIAL.get(text);
    if (text.startsWith(".")) {
      const value = /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text) ? Number(text) : Number.NaN;
      if (Number.isFinite(value)) return value;
    } else if (/^[-+0-9]/.test(text)) {
      const plain = text.replaceAll("_", "");
      const integer = parseGoInt(plain);
      if (integer !== undefined) return integer;
      // ParseFloat fails on overflow (1e400), and the text stays a string.
      if (YAML_STYLE_FLOAT.test(plain) && Number.isFinite(Number(plain))) return Number(plain);
    }
  }
  return text;
}

function parseGoInt(text: string): number | undefined {
  if (!GO_INT.test(text)) return undefined;
  const negative = text.startsWith("-");
  const digits = text.replace(/^[-+]/, "");
  const octal = digits.length > 1 && digits.startsWith("0") && !/^0[xXoObB]/.test(digits);
  const prefixed = octal ? `0o${digits.slice(1)}` : digits;
  const magnitude = BigInt(prefixed.replace(/^0([XOB])/, (_m, p: string) => `0${p.toLowerCase()}`));
  const value = negative ? -magnitude : magnitude;
  // Beyond uint64, go-yaml falls back to a float; JSON numbers lose the same precision either way.
  return value >= -(2n ** 63n) && value < 2n ** 64n ? Number(value) : undefined;
}

/** Parses every document of a manifest file the way kubectl does; throws ManifestYamlError when kubectl would. */
export function parseManifestYaml(text: string): ParsedYaml {
  const documents = parseAllDocuments(text, { schema: "failsafe", uniqueKeys: false, merge: true, version: "1.1" });
  const warnings: YamlProblem[] = [];
  const values: unknown[] = [];
  for (const document of Array.isArray(documents) ? documents : [documents]) {
    const error = document.errors[0];
    if (error !== undefined) {
      // The first line of yaml's message repeats the position as " at line L, column C:"; the problem has it.
      const message = (error.message.split("\n")[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, "");
      throw new ManifestYamlError({ ...position(error.linePos?.[0]), message: `YAML parse error: ${message}` });
    }
    resolveScalars(document, text);
    warnings.push(...duplicateKeys(document, text));
    values.push(toJson(document));
  }
  return { documents: values, warnings };
}

function resolveScalars(document: Document, text: string): void {
  visit(document, {
    Scalar(_key, node: Scalar) {
      if (typeof node.value !== "string") return;
      const plain = node.type === "PLAIN" || node.type === undefined;
      if (node.tag === undefined || node.tag === "!") {
        if (plain && node.tag === undefined) node.value = resolvePlainScalar(node.value);
        return;
      }
      if (node.tag === STR_TAG) return;
      if (!RESOLVABLE_TAGS.has(node.tag)) return;
      // An explicit !!int/!!bool/... tag resolves even a quoted value, and must agree with it (go-yaml v2).
      const value = resolvePlainScalar(node.value);
      const type = value === null ? "null" : typeof value;
      const expected = node.tag.slice("tag:yaml.org,2002:".length);
      const fits =
        (expected === "bool" && type === "boolean") ||
        (expected === "null" && type === "null") ||
        (expected === "int" && Number.isInteger(value)) ||
        (expected === "float" && type === "number") ||
        expected === "timestamp";
      if (!fits) {
        const at = position(node.range ? lineCol(text, node.range[0]) : undefined);
        throw new ManifestYamlError({
          ...at,
          message: `YAML parse error: cannot decode ${node.value} as !!${expected}`,
        });
      }
      node.value = expected === "timestamp" ? node.value : value;
    },
  });
}

function duplicateKeys(document: Document, text: string): YamlProblem[] {
  const found: YamlProblem[] = [];
  visit(document, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (seen.has(key)) {
          const at = position(pair.key.range ? lineCol(text, pair.key.range[0]) : undefined);
          found.push({ ...at, message: `duplicate key ${JSON.stringify(key)}: kubectl keeps the last value` });
        }
        seen.add(key);
      }
    },
  });
  return found;
}

function toJson(document: Document): unknown {
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    const reason = (error as Error).message;
    const message = /alias/i.test(reason)
      ? `YAML parse error: document contains excessive aliasing (more than ${MAX_ALIASES} alias expansions)`
      : `YAML parse error: ${reason}`;
    throw new ManifestYamlError({ message }, { cause: error });
  }
  const bad = nonJsonValue(value);
  if (bad !== undefined) throw new ManifestYamlError({ message: `YAML value ${bad} cannot be converted to JSON` });
  return value;
}

/** The first value JSON cannot carry (.inf, .nan), as text. */
function nonJsonValue(value: unknown): string | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : String(value);
  if (value === null || typeof value !== "object") return undefined;
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    const bad = nonJsonValue(child);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

function position(linePos: { line: number; col: number } | undefined): { line?: number; col?: number } {
  return linePos === undefined ? {} : { line: linePos.line, col: linePos.col };
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: (before.at(-1)?.length ?? 0) + 1 };
}
