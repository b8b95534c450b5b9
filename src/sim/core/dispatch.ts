// The one path every Google-surface call takes, whatever the transport: fault injection, the handler,
// and a request-log entry with the outcome.

import { setTimeout as sleep } from "node:timers/promises";
import { SimError } from "./errors.ts";
import type { FaultInjector } from "./faults.ts";
import type { JsonObject, MethodName, UnaryHandler } from "./module.ts";
import { resourceOf, type RequestLog, type Transport } from "./request-log.ts";

export class Dispatcher {
  readonly #log: RequestLog;
  readonly #faults: FaultInjector;
  readonly #now: () => number;

  constructor(log: RequestLog, faults: FaultInjector, now: () => number) {
    this.#log = log;
    this.#faults = faults;
    this.#now = now;
  }

  async invoke(
    method: MethodName,
    request: JsonObject,
    handler: UnaryHandler,
    transport: Transport,
  ): Promise<JsonObject> {
    const entry = { time: new Date(this.#now()).toISOString(), method, resource: resourceOf(request), transport };
    try {
      const decision = this.#faults.decide(method, entry.resource);
      if (decision.delayMs > 0) await sleep(decision.delayMs);
      if (decision.error) throw decision.error;
      const response = await handler(request);
      this.#log.record({ ...entry, code: "OK" });
      return response;
    } catch (err) {
      const simError = asSimError(err);
      this.#log.record({ ...entry, code: simError.code });
      throw simError;
    }
  }
}

/** Anything a handler throws becomes a Google error; unexpected ones are INTERNAL with the cause kept. */
export function asSimError(err: unknown): SimError {
  if (err instanceof SimError) return err;
  const error = new SimError(
    "INTERNAL",
    `internal simulator error: ${err instanceof Error ? err.message : String(err)}`,
  );
  error.cause = err;
  return error;
}
