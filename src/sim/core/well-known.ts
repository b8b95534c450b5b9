// proto3 JSON forms of the scalar-like well-known types: Duration "75.5s", Timestamp RFC 3339,
// FieldMask "a.bC,d". Pure string <-> {seconds, nanos} conversions; the walker in proto-json.ts calls them.

/** seconds may be a number, a decimal string or a protobufjs Long (anything whose String() is the integer). */
export interface SecondsNanos {
  seconds: unknown;
  nanos: number;
}

/** "3s", "1.5s", "0.000000001s": drops trailing zero groups the way Google's JSON printers do. */
export function formatDuration({ seconds, nanos }: SecondsNanos): string {
  const whole = BigInt(integerText(seconds));
  const negative = whole < 0n || nanos < 0;
  const abs = whole < 0n ? -whole : whole;
  return `${negative ? "-" : ""}${abs}${formatNanos(Math.abs(nanos))}s`;
}

export function parseDuration(text: string): { seconds: string; nanos: number } {
  const match = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(text);
  if (!match) throw new Error(`expected a duration like "75s" or "1.5s", got ${JSON.stringify(text)}`);
  const sign = match[1] ? -1 : 1;
  const nanos = Number((match[3] ?? "").padEnd(9, "0"));
  const seconds = BigInt(match[2] ?? "0") * BigInt(sign);
  return { seconds: seconds.toString(), nanos: nanos === 0 ? 0 : sign * nanos };
}

/** RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits. */
export function formatTimestamp({ seconds, nanos }: SecondsNanos): string {
  const date = new Date(Number(integerText(seconds)) * 1000);
  if (Number.isNaN(date.getTime())) throw new Error(`timestamp seconds out of range: ${String(seconds)}`);
  return `${date.toISOString().slice(0, 19)}${formatNanos(nanos)}Z`;
}

export function parseTimestamp(text: string): { seconds: string; nanos: number } {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(text);
  const millis = match ? Date.parse(`${match[1]}${match[3]}`) : NaN;
  if (!match || Number.isNaN(millis)) {
    throw new Error(`expected an RFC 3339 timestamp like "2024-05-01T12:00:00Z", got ${JSON.stringify(text)}`);
  }
  return { seconds: String(Math.floor(millis / 1000)), nanos: Number((match[2] ?? "").padEnd(9, "0")) };
}

/** proto paths are snake_case; the JSON form joins lowerCamel paths with commas. */
export function formatFieldMask(paths: string[]): string {
  return paths.map((p) => p.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())).join(",");
}

export function parseFieldMask(text: string): string[] {
  if (text === "") return [];
  return text.split(",").map((p) => p.trim().replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
}

/** An integer from JSON text, a number, a bigint or a protobufjs Long (whose toString gives its digits). */
export function integerText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (value !== null && typeof value === "object") return (value as { toString(): string }).toString();
  return "0";
}

function formatNanos(nanos: number): string {
  if (!nanos) return "";
  const digits = String(nanos).padStart(9, "0");
  if (digits.endsWith("000000")) return `.${digits.slice(0, 3)}`;
  if (digits.endsWith("000")) return `.${digits.slice(0, 6)}`;
  return `.${digits}`;
}
