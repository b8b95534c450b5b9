// Spec validation shared by every kind: the same zod schemas and messages as `driftguard validate`.
// A spec is parsed once per version of the object: the informer replaces an object (and so its spec)
// whenever it changes, so a resync of an unchanged object reuses the result (frozen, so no pass can alter
// what the next one reads).

import type { z } from "zod";
import { parseWithIssues } from "../api/validate.ts";
import { deepFreeze } from "../util/freeze.ts";
import type { SpecParseResult } from "./kind.ts";

const parsedBySchema = new WeakMap<z.ZodType, WeakMap<object, SpecParseResult<unknown>>>();

export function parseSpecWith<T extends z.ZodType>(schema: T, raw: unknown): SpecParseResult<z.output<T>> {
  if (typeof raw !== "object" || raw === null) return parseOnce(schema, raw);
  let cache = parsedBySchema.get(schema);
  if (!cache) parsedBySchema.set(schema, (cache = new WeakMap()));
  const cached = cache.get(raw) as SpecParseResult<z.output<T>> | undefined;
  if (cached) return cached;
  const result = deepFreeze(parseOnce(schema, raw));
  cache.set(raw, result);
  return result;
}

function parseOnce<T extends z.ZodType>(schema: T, raw: unknown): SpecParseResult<z.output<T>> {
  const parsed = parseWithIssues(schema, raw);
  if (parsed.success) return { ok: true, spec: parsed.data };
  return { ok: false, issues: parsed.issues.map((i) => `spec${i.path ? `.${i.path}` : ""}: ${i.message}`) };
}
