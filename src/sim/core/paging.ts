// List pagination the way Google's APIs behave: opaque page tokens, a default and a maximum page size.
// The token encodes the last name returned, so pages stay correct while items are added or removed.

import { SimError } from "./errors.ts";

export interface Page<T> {
  items: T[];
  nextPageToken: string;
}

export function paginate<T>(
  sorted: T[],
  nameOf: (item: T) => string,
  request: { pageSize?: unknown; pageToken?: unknown },
  limits = { defaultSize: 100, maxSize: 1000 },
): Page<T> {
  const size = Number(request.pageSize ?? 0);
  if (!Number.isInteger(size) || size < 0) {
    throw SimError.invalidArgument("page_size must be a non-negative integer", [
      { field: "page_size", description: `expected a non-negative integer, got ${String(request.pageSize)}` },
    ]);
  }
  const pageSize = Math.min(size === 0 ? limits.defaultSize : size, limits.maxSize);
  const after = decodeToken(typeof request.pageToken === "string" ? request.pageToken : "");
  const start = after === undefined ? 0 : sorted.findIndex((item) => nameOf(item) > after);
  const remaining = start < 0 ? [] : sorted.slice(start);
  const items = remaining.slice(0, pageSize);
  const last = items[items.length - 1];
  const nextPageToken = remaining.length > pageSize && last !== undefined ? encodeToken(nameOf(last)) : "";
  return { items, nextPageToken };
}

function encodeToken(lastName: string): string {
  return Buffer.from(JSON.stringify({ after: lastName })).toString("base64url");
}

function decodeToken(token: string): string | undefined {
  if (token === "") return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { after?: unknown };
    if (typeof parsed.after === "string") return parsed.after;
  } catch {
    // fall through to the error below
  }
  throw SimError.invalidArgument("Invalid page token", [
    { field: "page_token", description: "not a token this server issued" },
  ]);
}
