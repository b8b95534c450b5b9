// Runs the Argo CD health script shipped in deploy/argocd/ with Debian's Lua 5.1, the language version
// Argo CD embeds, against an object as the API server returns it.

import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const HEALTH_SCRIPT = fileURLToPath(new URL("../../deploy/argocd/health.lua", import.meta.url));

export interface ArgoHealth {
  status: string;
  message: string;
}

/** Whether a Lua 5.1 interpreter is on PATH (`npm run setup` installs Debian's lua5.1). */
export const luaAvailable = spawnSync("lua5.1", ["-v"]).status === 0;

/** Evaluates the health script the way Argo CD does: the object as the global `obj`, `hs` returned. */
export function argoHealth(object: unknown): ArgoHealth {
  const program = [
    `obj = ${toLua(object)}`,
    `local hs = assert(loadfile(${JSON.stringify(HEALTH_SCRIPT)}))()`,
    `io.write(hs.status, "\\0", hs.message or "")`,
  ].join("\n");
  const output = execFileSync("lua5.1", ["-"], { input: program, encoding: "utf8" });
  const [status = "", message = ""] = output.split("\0");
  return { status, message };
}

/** A JSON value as a Lua table constructor (arrays 1-based, as Argo CD's JSON-to-Lua conversion makes them). */
export function toLua(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "string") return luaString(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `{${value.map(toLua).join(", ")}}`;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `[${luaString(k)}] = ${toLua(v)}`);
  return `{${entries.join(", ")}}`;
}

function luaString(text: string): string {
  // Decimal escapes for every byte outside printable ASCII: Lua 5.1 has no \u escape.
  let out = '"';
  for (const byte of Buffer.from(text, "utf8")) {
    const c = String.fromCharCode(byte);
    out += byte >= 0x20 && byte < 0x7f && c !== '"' && c !== "\\" ? c : `\\${byte}`;
  }
  return `${out}"`;
}
