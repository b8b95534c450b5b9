// Spec validation shared by every kind: the same zod schemas and messages as `driftguard validate`.

import type { z } from "zod";
import { parseWithIssues } from "../api/validate.ts";
import type { SpecParseResult } from "./kind.ts";

export function parseSpecWith<T extends z.ZodType>(schema: T, raw: unknown): SpecParseResult<z.output<T>> {
  const parsed = parseWithIssues(schema, raw);
  if (parsed.success) return { ok: true, spec: parsed.data };
  return { ok: false, issues: parsed.issues.map((i) => `spec${i.path ? `.${i.path}` : ""}: ${i.message}`) };
}
