// Sends recorded requests to the simulator's REST port, the way the recorded client sent them to Google:
// same method, path, query and body, with the recorders' placeholders filled in and Google's operation
// names swapped for the ones the simulator handed out. An operation Google reported done is polled until
// the simulator's is done too, as the recorded client did.

import { setTimeout as sleep } from "node:timers/promises";
import type { RecordedExchange } from "./replay-recordings.ts";

export interface ReplayedAnswer {
  status: number;
  body: unknown;
}

/** Values for the recorders' placeholders (`${uniqueId}` ...) in request paths and bodies. */
export type Placeholders = Record<string, string>;

const POLL_INTERVAL_MS = 20;
const POLL_LIMIT_MS = 10_000;

export class Replayer {
  readonly #base: string;
  readonly #placeholders: Placeholders;
  /** Google's operation name (or the `${operationID}` placeholder) -> the simulator's. */
  readonly #operations = new Map<string, string>();

  constructor(restPort: number, placeholders: Placeholders) {
    this.#base = `http://127.0.0.1:${restPort}`;
    this.#placeholders = placeholders;
  }

  async send(exchange: RecordedExchange): Promise<ReplayedAnswer> {
    // URL escapes the placeholders' braces; decodeURI leaves escaped reserved characters (%2F, %2C) alone.
    const path = this.#fill(decodeURI(`${exchange.url.pathname}${exchange.url.search}`));
    const body = exchange.requestBody === undefined ? undefined : this.#fill(JSON.stringify(exchange.requestBody));
    let answer = await this.#call(exchange.method, path, body);
    const deadline = Date.now() + POLL_LIMIT_MS;
    while (wantsDone(exchange, answer) && Date.now() < deadline) {
      await sleep(POLL_INTERVAL_MS);
      answer = await this.#call(exchange.method, path, body);
    }
    this.#learnOperation(exchange.responseBody, answer.body);
    return answer;
  }

  async #call(method: string, path: string, body: string | undefined): Promise<ReplayedAnswer> {
    const init: RequestInit = {
      method,
      headers: { authorization: "Bearer replay", "content-type": "application/json" },
      ...(body === undefined ? {} : { body }),
    };
    const response = await fetch(`${this.#base}${path}`, init);
    const text = await response.text();
    return { status: response.status, body: text === "" ? undefined : (JSON.parse(text) as unknown) };
  }

  #fill(text: string): string {
    let result = text;
    for (const [recorded, simulated] of this.#operations) result = result.split(recorded).join(simulated);
    for (const [name, value] of Object.entries(this.#placeholders)) result = result.split(`\${${name}}`).join(value);
    return result;
  }

  /** A mutation's answer names an operation: later requests for Google's name go to the simulator's. */
  #learnOperation(google: unknown, simulator: unknown): void {
    const recorded = operationName(google);
    const simulated = operationName(simulator);
    if (!recorded || !simulated) return;
    this.#operations.set(recorded, simulated);
    const placeholder = /\$\{operationID\}/.exec(recorded);
    if (placeholder) this.#operations.set(recorded.replace(/.*\//, ""), simulated.replace(/.*\//, ""));
  }
}

function operationName(body: unknown): string | undefined {
  if (body === null || typeof body !== "object") return undefined;
  const name = (body as Record<string, unknown>).name;
  return typeof name === "string" && name.includes("/operations/") ? name : undefined;
}

function wantsDone(exchange: RecordedExchange, answer: ReplayedAnswer): boolean {
  const recorded = exchange.responseBody as Record<string, unknown> | undefined;
  const replayed = answer.body as Record<string, unknown> | undefined;
  return (
    exchange.method === "GET" &&
    recorded?.done === true &&
    answer.status === 200 &&
    replayed !== undefined &&
    replayed.done !== true
  );
}
