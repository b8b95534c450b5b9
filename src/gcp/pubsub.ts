// A pull subscriber on one Pub/Sub subscription (@google-cloud/pubsub's streaming pull), as the audit feed
// needs it: bounded memory (flow control), each message acked only after the handler has returned, and a
// connection state the operator can see. The client library reconnects retryable stream errors by itself
// (reported as "debug" events); a fatal error (the subscription deleted, permission revoked) closes the
// stream, and this adapter reopens it with exponential backoff until stopped. PUBSUB_EMULATOR_HOST points
// the client at Google's Pub/Sub emulator, as for every Google client library.

import {
  Duration,
  PubSub,
  type ClientConfig,
  type DebugMessage,
  type Message,
  type Subscription,
} from "@google-cloud/pubsub";
import { DRIFTGUARD_USER_AGENT, FixedTokenAuth } from "./connection.ts";

export const SUBSCRIPTION_NAME_PATTERN =
  /^projects\/[a-z][-a-z0-9.:]{4,61}[a-z0-9]\/subscriptions\/[A-Za-z][-\w.~+%]{2,254}$/;

export type SubscriptionState = "connected" | "degraded" | "stopped";

export interface PubSubSubscriberOptions {
  /** "projects/P/subscriptions/S". */
  subscription: string;
  /** Handles one message's data; must not throw. The message is acked once it returns. */
  onMessage(data: Buffer): void;
  /** Called on every state change; `error` says why the subscription is not connected. */
  onState?(state: SubscriptionState, error?: Error): void;
  /** Messages held at once (flow control); default 100. */
  maxMessages?: number;
  /** Bound on reconnect backoff; default 30 s. */
  maxBackoffMs?: number;
  /** How often a degraded subscription is checked (a GetSubscription call); default 2 s. */
  probeMs?: number;
}

export class PubSubSubscriber {
  readonly #o: PubSubSubscriberOptions;
  readonly #client: PubSub;
  #subscription: Subscription | undefined;
  #state: SubscriptionState = "stopped";
  #running = false;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #probing = false;

  constructor(options: PubSubSubscriberOptions) {
    if (!SUBSCRIPTION_NAME_PATTERN.test(options.subscription)) {
      throw new Error(
        `audit subscription "${options.subscription}" must be a full name, projects/PROJECT/subscriptions/NAME`,
      );
    }
    this.#o = options;
    const project = options.subscription.split("/")[1] ?? "";
    // gax passes "grpc."-prefixed options to the channel; ClientConfig does not list them.
    const userAgent = { "grpc.primary_user_agent": DRIFTGUARD_USER_AGENT } as ClientConfig;
    // The emulator takes no credentials; without this the client would look for a GCE metadata server.
    const emulator = process.env.PUBSUB_EMULATOR_HOST
      ? { authClient: new FixedTokenAuth("emulator") as unknown as ClientConfig["authClient"] }
      : {};
    this.#client = new PubSub({ projectId: project, ...userAgent, ...emulator });
  }

  get state(): SubscriptionState {
    return this.#state;
  }

  /** Opens the stream; returns at once (connection problems are reported through onState, never thrown). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#open();
    this.#probeSoon(0);
  }

  /** Closes the stream; messages held but not handled are nacked, so another subscriber gets them at once. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    const subscription = this.#subscription;
    this.#subscription = undefined;
    this.#setState("stopped");
    await subscription?.close().catch(() => undefined);
  }

  /** Closes the Pub/Sub client for good. */
  async close(): Promise<void> {
    await this.stop();
    await this.#client.close();
  }

  #open(): void {
    const subscription = this.#client.subscription(this.#o.subscription, {
      // Entries carry the request (and for some methods the response): bound the bytes held too.
      flowControl: { maxMessages: this.#o.maxMessages ?? 100, maxBytes: 16 * 2 ** 20, allowExcessMessages: false },
      streamingOptions: {
        maxStreams: 1,
        retryMaxBackoff: Duration.from({ milliseconds: this.#o.maxBackoffMs ?? 30_000 }),
      },
      closeOptions: { behavior: "NACK" },
    });
    subscription.on("message", (message: Message) => {
      try {
        this.#o.onMessage(message.data);
      } catch {
        // The handler must not throw; if it does, the message is still acked below: one it cannot handle
        // would fail again on every redelivery.
      }
      message.ack();
      this.#connected();
    });
    subscription.on("debug", (debug: DebugMessage) => {
      // A stream error the library retries by itself. Google also ends healthy streams now and then, so only
      // a failing GetSubscription makes the subscription count as failing.
      if (debug.error) this.#suspect();
    });
    subscription.on("error", (err: Error) => {
      if (this.#subscription !== subscription) return;
      this.#subscription = undefined;
      subscription.removeAllListeners("message");
      subscription.close().catch(() => undefined);
      this.#degraded(err);
    });
    this.#subscription = subscription;
  }

  #suspect(): void {
    if (!this.#running || this.#probing) return;
    this.#probeSoon(0);
  }

  #degraded(err: Error): void {
    if (!this.#running) return;
    this.#setState("degraded", err);
    // Repeated stream errors while a probe is pending must not keep pushing that probe back.
    if (this.#probing) return;
    this.#failures++;
    this.#probeSoon(this.#backoffMs());
  }

  #connected(): void {
    if (!this.#running) return;
    this.#failures = 0;
    this.#setState("connected");
  }

  #backoffMs(): number {
    const base = this.#o.probeMs ?? 2_000;
    return Math.min(this.#o.maxBackoffMs ?? 30_000, base * 2 ** Math.min(10, Math.max(0, this.#failures - 1)));
  }

  /** Checks the subscription with a GetSubscription call; reopens the stream if a fatal error closed it. */
  #probeSoon(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#probing = true;
    this.#timer = setTimeout(() => {
      if (!this.#running) return;
      this.#client
        .subscription(this.#o.subscription)
        // One quick try: the probe itself is retried, with backoff, by this adapter.
        .getMetadata({ timeout: 5_000, maxRetries: 0 })
        .then(
          () => {
            this.#probing = false;
            if (!this.#running) return;
            // Back after an outage: a fresh stream now, rather than whenever the library's retry backoff ends.
            if (this.#state === "degraded" || !this.#subscription) this.#reopen();
            this.#connected();
          },
          (err: unknown) => {
            this.#probing = false;
            this.#degraded(err instanceof Error ? err : new Error(String(err)));
          },
        );
    }, delayMs);
    this.#timer.unref();
  }

  #reopen(): void {
    const old = this.#subscription;
    this.#subscription = undefined;
    if (old) {
      old.removeAllListeners();
      old.on("error", () => undefined);
      old.close().catch(() => undefined);
    }
    this.#open();
  }

  #setState(state: SubscriptionState, error?: Error): void {
    if (state === this.#state && state !== "degraded") return;
    const changed = state !== this.#state;
    this.#state = state;
    if (changed) this.#o.onState?.(state, error);
  }
}
