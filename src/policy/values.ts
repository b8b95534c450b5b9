// Policy values and declared values brought to one comparable form per field type: durations in
// milliseconds, cpu in millicores, memory in bytes, ordered words by position.

import { DURATION_PATTERN, parseDuration } from "../api/common.ts";
import { quantityValue } from "../api/limits.ts";
import type { FieldType } from "./fields.ts";

export type Comparable =
  { ok: true; value: number | string | boolean; ordered: boolean } | { ok: false; error: string };

/** A type's name with its article, for messages: "an integer", "a duration". */
export function typeName(type: FieldType): string {
  const names = { duration: "a duration", integer: "an integer", number: "a number", cpu: "a cpu quantity" };
  const more = { memory: "a memory quantity", boolean: "a boolean", string: "a string", enum: "a word" };
  return { ...names, ...more }[type.name];
}

/** `raw` (a declared value or a policy value) in the comparable form of `type`. */
export function comparable(type: FieldType, raw: unknown): Comparable {
  const fail = (expected: string): Comparable => ({
    ok: false,
    error: `expected ${expected}, got ${JSON.stringify(raw)}`,
  });
  switch (type.name) {
    case "duration":
      if (typeof raw !== "string" || !DURATION_PATTERN.test(raw)) return fail('a duration such as "75s"');
      return { ok: true, value: parseDuration(raw), ordered: true };
    case "integer":
    case "number": {
      const n = typeof raw === "number" ? raw : typeof raw === "string" && /^-?[0-9.]+$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isFinite(n) || (type.name === "integer" && !Number.isInteger(n))) return fail(typeName(type));
      return { ok: true, value: n, ordered: true };
    }
    case "cpu":
    case "memory": {
      const q = typeof raw === "number" ? raw : typeof raw === "string" ? quantityValue(raw) : undefined;
      if (q === undefined) return fail(`a quantity such as ${type.name === "cpu" ? '"2" or "500m"' : '"4Gi"'}`);
      // Millicores / bytes as integers, so "1" and "1000m" compare equal without floating-point noise.
      return { ok: true, value: Math.round(type.name === "cpu" ? q * 1000 : q), ordered: true };
    }
    case "boolean":
      if (raw === true || raw === "true") return { ok: true, value: true, ordered: false };
      if (raw === false || raw === "false") return { ok: true, value: false, ordered: false };
      return fail("true or false");
    case "string":
      return typeof raw === "string" ? { ok: true, value: raw, ordered: false } : fail("a string");
    case "enum": {
      const index = typeof raw === "string" ? type.values.indexOf(raw) : -1;
      if (index < 0) return fail(`one of ${type.values.join(", ")}`);
      return type.ordered
        ? { ok: true, value: index, ordered: true }
        : { ok: true, value: raw as string, ordered: false };
    }
  }
}
