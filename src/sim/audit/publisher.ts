// Publishes the audit entry of every write the simulator serves to a Pub/Sub topic on Google's Pub/Sub
// emulator, after a delay that stands for the Logging sink's routing time. It talks only to an emulator:
// a simulator must never publish to a real Google topic.

import { PubSub, type Topic } from "@google-cloud/pubsub";
import type { ServedCall } from "../core/dispatch.ts";
import { auditLogEntry } from "./log-entry.ts";
import { auditedWrite, type CallerPrincipals } from "./writes.ts";

export const TOPIC_NAME_PATTERN = /^projects\/([a-z][-a-z0-9]{4,28}[a-z0-9])\/topics\/([A-Za-z][-\w.~+%]{2,254})$/;

export interface AuditPublisherOptions {
  /** "host:port" of the Pub/Sub emulator. */
  emulatorHost: string;
  /** "projects/P/topics/T"; created on the emulator when missing. */
  topic: string;
  /** Stand-in for the sink's delivery delay; default 1000 ms. */
  delayMs?: number;
  principals?: Partial<CallerPrincipals>;
  /** Called when a publish fails (the simulator keeps serving). */
  onError?(err: Error): void;
}

/** The principal of Google-surface callers whose token names none. */
export const DEFAULT_SIM_PRINCIPAL = "sim-caller@driftguard.local";

export class AuditPublisher {
  readonly #o: AuditPublisherOptions;
  readonly #client: PubSub;
  readonly #topic: Topic;
  readonly #principals: CallerPrincipals;
  readonly #pending = new Set<Promise<void>>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #published = 0;

  private constructor(options: AuditPublisherOptions) {
    this.#o = options;
    const [, project = ""] = TOPIC_NAME_PATTERN.exec(options.topic) ?? [];
    this.#client = new PubSub({
      projectId: project,
      apiEndpoint: options.emulatorHost,
      emulatorMode: true,
      // The emulator takes no credentials; without one the client would look for a GCE metadata server.
      authClient: {
        universeDomain: "googleapis.com",
        getRequestHeaders: () => Promise.resolve(new Headers()),
      } as never,
    });
    this.#topic = this.#client.topic(options.topic);
    this.#principals = { fallback: DEFAULT_SIM_PRINCIPAL, ...options.principals };
  }

  static async start(options: AuditPublisherOptions): Promise<AuditPublisher> {
    if (!TOPIC_NAME_PATTERN.test(options.topic)) {
      throw new Error(`audit topic "${options.topic}" must be projects/PROJECT/topics/NAME`);
    }
    if (!/^[^:/]+:\d+$/.test(options.emulatorHost)) {
      throw new Error(`Pub/Sub emulator host "${options.emulatorHost}" must be host:port (PUBSUB_EMULATOR_HOST)`);
    }
    const publisher = new AuditPublisher(options);
    const [exists] = await publisher.#topic.exists();
    if (!exists) await publisher.#topic.create().catch(ignoreAlreadyExists);
    return publisher;
  }

  /** Entries published so far. */
  get published(): number {
    return this.#published;
  }

  /** The call observer to give the simulator's dispatcher. */
  readonly observe = (call: ServedCall): void => {
    const write = auditedWrite(call, this.#principals);
    if (!write) return;
    const data = Buffer.from(JSON.stringify(auditLogEntry(write)));
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      const sent = this.#topic
        .publishMessage({ data })
        .then(() => void this.#published++)
        .catch((err: unknown) => this.#o.onError?.(err instanceof Error ? err : new Error(String(err))))
        .finally(() => this.#pending.delete(sent));
      this.#pending.add(sent);
    }, this.#o.delayMs ?? 1000);
    this.#timers.add(timer);
  };

  /** Drops entries still waiting for their delay, waits for those being sent, closes the client. */
  async stop(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await Promise.all(this.#pending);
    await this.#client.close();
  }
}

function ignoreAlreadyExists(err: unknown): void {
  if ((err as { code?: number }).code !== 6) throw err;
}
