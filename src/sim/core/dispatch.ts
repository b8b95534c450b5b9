// The one path every Google-surface call takes, whatever the transport: fault injection, the handler,
// and a request-log entry with the outcome.

import { setTimeout as sleep } from "node:timers/promises";
import { SimError } from "./errors.ts";
import type { FaultInjector } from "./faults.ts";
import type { JsonObject, MethodName, UnaryHandler } from "./module.ts";
import { resourceOf, type RequestLog, type Transport } from "./request-log.ts";

/** Who sent a call, as the transport saw it (gRPC metadata or HTTP headers). */
export interface Caller {
  userAgent: string;
  /** The bearer token, without "Bearer ". */
  token: string;
}

/** One call served (Google surface or control API), for observers such as the audit-log publisher. */
export interface ServedCall {
  time: string;
  method: MethodName;
  request: JsonObject;
  /** The answer; undefined when the call failed. */
  response?: JsonObject;
  error?: SimError;
  caller: Caller;
  surface: "google" | "control";
}

export type CallObserver = (call: ServedCall) => void;

export class Dispatcher {
  readonly #log: RequestLog;
  readonly #faults: FaultInjector;
  readonly #now: () => number;
  readonly #observe: CallObserver | undefined;

  constructor(log: RequestLog, faults: FaultInjector, now: () => number, observe?: CallObserver) {
    this.#log = log;
    this.#faults = faults;
    this.#now = now;
    this.#observe = observe;
  }

  async invoke(
    method: MethodName,
    request: JsonObject,
    handler: UnaryHandler,
    transport: Transport,
    caller: Caller = { userAgent: "", token: "" },
  ): Promise<JsonObject> {
    const entry = { time: new Date(this.#now()).toISOString(), method, resource: resourceOf(request), transport };
    try {
      const decision = this.#faults.decide(method, entry.resource);
      if (decision.delayMs > 0) await sleep(decision.delayMs);
      if (decision.error) throw decision.error;
      const response = await handler(request);
      this.#log.record({ ...entry, code: "OK" });
      this.#observe?.({ time: entry.time, method, request, response, caller, surface: "google" });
      return response;
    } catch (err) {
      const simError = asSimError(err);
      this.#log.record({ ...entry, code: simError.code });
      this.#observe?.({ time: entry.time, method, request, error: simError, caller, surface: "google" });
      throw simError;
    }
  }

  /** A control-API call: neither logged nor fault-injected, but observed (an out-of-band change is a write). */
  async control(method: MethodName, request: JsonObject, handler: UnaryHandler, caller: Caller): Promise<JsonObject> {
    const response = await handler(request);
    const time = new Date(this.#now()).toISOString();
    this.#observe?.({ time, method, request, response, caller, surface: "control" });
    return response;
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
