// Readers for recorded Google traffic (test/fixtures/google-recordings): Terraform's VCR cassettes
// (YAML, version 2) and Config Connector's `_http.log` files (request, blank line, response, "---").

import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

export interface RecordedExchange {
  /** "file#index", to name the exchange in test titles and allow-list entries. */
  id: string;
  method: string;
  url: URL;
  requestBody?: unknown;
  status: number;
  /** The response body as JSON, or undefined when the recorder replaced it with text. */
  responseBody?: unknown;
}

function parseJson(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

interface CassetteInteraction {
  id: number;
  request: { method: string; url: string; body: string };
  response: { code: number; body: string };
}

export function readCassette(path: string, label: string): RecordedExchange[] {
  const documents = parseAllDocuments(readFileSync(path, "utf8"));
  const cassette = documents[documents.length - 1]?.toJS() as { interactions: CassetteInteraction[] };
  return cassette.interactions.map((interaction) => {
    const requestBody = parseJson(interaction.request.body);
    const responseBody = parseJson(interaction.response.body);
    return {
      id: `${label}#${interaction.id}`,
      method: interaction.request.method,
      url: new URL(interaction.request.url),
      ...(requestBody === undefined ? {} : { requestBody }),
      status: interaction.response.code,
      ...(responseBody === undefined ? {} : { responseBody }),
    };
  });
}

/**
 * One `_http.log` entry: "METHOD URL", request headers, a blank line, an optional JSON body, the status line
 * ("200 OK"), response headers, a blank line and the response body.
 */
export function readHttpLog(path: string, label: string): RecordedExchange[] {
  const entries = readFileSync(path, "utf8").split(/\n---\n/);
  return entries
    .map((entry) => entry.replace(/^\n+/, ""))
    .filter((entry) => entry.trim() !== "")
    .map((entry, index) => {
      const lines = entry.split("\n");
      const [method = "", url = ""] = (lines[0] ?? "").split(" ");
      let i = 1;
      while (i < lines.length && lines[i] !== "") i++; // request headers
      const statusAt = lines.findIndex((line, j) => j > i && /^\d{3} \S/.test(line));
      if (statusAt < 0) throw new Error(`${label} entry ${index}: no status line`);
      const requestBody = parseJson(lines.slice(i, statusAt).join("\n"));
      let j = statusAt + 1;
      while (j < lines.length && lines[j] !== "") j++; // response headers
      const responseBody = parseJson(lines.slice(j).join("\n"));
      return {
        id: `${label}#${index}`,
        method,
        url: new URL(url),
        ...(requestBody === undefined ? {} : { requestBody }),
        status: Number((lines[statusAt] ?? "").slice(0, 3)),
        ...(responseBody === undefined ? {} : { responseBody }),
      };
    });
}
