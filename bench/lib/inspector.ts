// A benchmark's view inside a controller started with --inspect=127.0.0.1:0: a CPU profile of one chosen
// window (not the whole run, whose start-up would swamp a quiet resync) and process.memoryUsage(), which
// splits resident memory into V8 heap, external buffers and the rest. Speaks the inspector protocol over
// Node's built-in WebSocket.

import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

export interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export class Inspector {
  readonly #socket: WebSocket;
  readonly #waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #nextId = 1;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
      const waiter = message.id === undefined ? undefined : this.#waiting.get(message.id);
      if (!waiter || message.id === undefined) return;
      this.#waiting.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result);
    });
  }

  /** Connects to the inspector whose "Debugger listening on ws://…" line appears in `logPath`. */
  static async attach(logPath: string, timeoutMs = 30_000): Promise<Inspector> {
    const deadline = Date.now() + timeoutMs;
    let url: string | undefined;
    while (!url) {
      url = /Debugger listening on (ws:\/\/\S+)/.exec(readFileSync(logPath, "utf8"))?.[1];
      if (!url && Date.now() > deadline) throw new Error(`no inspector URL in ${logPath}`);
      if (!url) await sleep(200);
    }
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), { once: true });
    });
    return new Inspector(socket);
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#socket.send(JSON.stringify({ id, method, params }));
    });
  }

  async startProfile(samplingIntervalUs = 500): Promise<void> {
    await this.send("Profiler.enable");
    await this.send("Profiler.setSamplingInterval", { interval: samplingIntervalUs });
    await this.send("Profiler.start");
  }

  /** The V8 CPU profile since startProfile, in the .cpuprofile format bench/cpu-summary.ts reads. */
  async stopProfile(): Promise<unknown> {
    const { profile } = await this.send<{ profile: unknown }>("Profiler.stop");
    return profile;
  }

  /**
   * Samples allocations, those collected since included, so a sampling profile shows where the churn
   * that grows the heap comes from, not only what is still alive.
   */
  async startAllocationSampling(samplingIntervalBytes = 64 * 1024): Promise<void> {
    await this.send("HeapProfiler.enable");
    await this.send("HeapProfiler.startSampling", {
      samplingInterval: samplingIntervalBytes,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }

  /** The sampling heap profile since startAllocationSampling (.heapprofile format). */
  async stopAllocationSampling(): Promise<unknown> {
    const { profile } = await this.send<{ profile: unknown }>("HeapProfiler.stopSampling");
    return profile;
  }

  /** process.memoryUsage() inside the controller, after a full garbage collection when `gc` is set. */
  async memoryUsage(gc = false): Promise<MemoryUsage> {
    if (gc) await this.send("HeapProfiler.collectGarbage");
    const { result } = await this.send<{ result: { value: MemoryUsage } }>("Runtime.evaluate", {
      expression: "process.memoryUsage()",
      returnByValue: true,
    });
    return result.value;
  }

  close(): void {
    this.#socket.close();
  }
}
