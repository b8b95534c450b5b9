// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics: a replica takes the lease
// when it is free or expired, the leader renews it every retry period with optimistic concurrency
// (replace with resourceVersion; a 409 means someone else wrote first), and a leader that cannot renew
// within the renew deadline stops leading at once. Expiry is judged by when this replica last saw the
// lease change on its own clock, never by the timestamps in it, so clock skew between nodes cannot matter.
// An elector leads at most once: after losing, the process is expected to exit and start afresh.
//
// isLeader() reads the clock: it is true only while less than the renew deadline has passed since the
// start of the last successful renewal. A process that was paused (SIGSTOP, a frozen VM) wakes up with
// its timers overdue and its flags stale; the clock is the one thing that tells it the truth at once.
// The margin against a standby is the lease duration minus the renew deadline: a standby takes the lease
// only a full lease duration after it saw the last renewal, which is after that renewal started.

import { CoordinationV1Api, type KubeConfig, type V1Lease } from "@kubernetes/client-node";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import {
  decideLease,
  holdsLease,
  JITTER,
  leaseSpec,
  readLeaseRecord,
  releasedRecord,
  validateTimings,
  type LeaseView,
} from "./lease.ts";

const SERVICE_ACCOUNT_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

export interface LeaderElectionOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** The Lease's name, shared by every replica. */
  name: string;
  /** This replica's unique identity, written to holderIdentity. */
  identity: string;
  /** How long a lease is valid after its last renewal. Default 15s. */
  leaseDurationMs?: number;
  /** How long a leader keeps trying to renew before it gives up leading. Default 10s. */
  renewDeadlineMs?: number;
  /** How often to try to acquire or renew. Default 2s. */
  retryPeriodMs?: number;
  log: Logger;
}

/** A unique identity per process, as controller-runtime makes it: the host (pod) name and a random suffix. */
export function defaultIdentity(): string {
  return `${hostname()}_${randomUUID()}`;
}

/** The pod's namespace from its service-account mount; "default" outside a cluster. */
export function podNamespace(file = SERVICE_ACCOUNT_NAMESPACE): string {
  try {
    return readFileSync(file, "utf8").trim() || "default";
  } catch {
    return "default";
  }
}

export class LeaderElector {
  readonly #o: Required<Omit<LeaderElectionOptions, "kubeConfig">>;
  readonly #api: CoordinationV1Api;
  readonly #listeners = new Set<(leading: boolean) => void>();
  readonly #abort = new AbortController();
  #observed: (LeaseView & { resourceVersion: string }) | undefined;
  #leading = false;
  /** Monotonic time of the last answer from the API server (any status), to tell an outage from a bug. */
  #heardFromApiAt = performance.now();
  /** Monotonic time (performance.now) at which the last successful acquire or renewal started. */
  #renewedAt = -Infinity;
  #deadline: NodeJS.Timeout | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: LeaderElectionOptions) {
    this.#o = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...options };
    validateTimings(this.#o.leaseDurationMs, this.#o.renewDeadlineMs, this.#o.retryPeriodMs);
    this.#api = options.kubeConfig.makeApiClient(CoordinationV1Api);
  }

  get identity(): string {
    return this.#o.identity;
  }

  /** Whether this replica may act as the leader at this very moment (see the note at the top). */
  isLeader(): boolean {
    return this.#leading && holdsLease(this.#renewedAt, performance.now(), this.#o.renewDeadlineMs);
  }

  /** Milliseconds since the API server last answered one of this elector's requests. */
  apiSilentForMs(): number {
    return performance.now() - this.#heardFromApiAt;
  }

  /** Called with true when this replica starts leading and false when it stops; returns an unsubscribe. */
  onChange(listener: (leading: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts trying to acquire the lease, then renewing it, in the background. */
  start(): void {
    if (this.#loop) throw new Error("leader elector already started");
    this.#loop = this.#run().catch((err: unknown) => {
      this.#o.log.error({ err }, "leader election stopped unexpectedly");
      this.#stepDown("leader election failed");
    });
  }

  /**
   * Stops electing. With `release` (the default) a leader hands the lease back so a standby takes over at
   * once; without it the lease simply expires, as when the process dies.
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    const wasLeading = this.#leading;
    this.#abort.abort();
    // An attempt stuck on an unresponsive API server must not hold up shutdown.
    await Promise.race([this.#loop, sleep(this.#o.renewDeadlineMs, undefined, { ref: false })]);
    this.#stepDown("stopped", "info");
    if (wasLeading && options.release !== false) await this.#release();
  }

  async #run(): Promise<void> {
    const { retryPeriodMs } = this.#o;
    while (!(await this.#tryAcquireOrRenew())) {
      if (!(await this.#pause(retryPeriodMs * (1 + Math.random() * (JITTER - 1))))) return;
    }
    if (this.#abort.signal.aborted) return;
    this.#setLeading(true);
    while (this.#leading && (await this.#pause(retryPeriodMs))) {
      // A renewal that lands after the deadline fired does not revive leadership.
      if ((await this.#tryAcquireOrRenew()) && this.#leading) this.#armDeadline();
    }
  }

  /** One attempt; false on any failure (another holder, a conflict, an unreachable API server). */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, log } = this.#o;
    const startedAt = performance.now();
    try {
      const current = await this.#read();
      const decision = decideLease(this.#observed, identity, Math.round(this.#o.leaseDurationMs / 1000), Date.now());
      if ("heldBy" in decision) {
        if (this.#leading) this.#stepDown(`lease taken by ${decision.heldBy}`);
        return false;
      }
      if (this.#abort.signal.aborted) return false;
      const body: V1Lease = {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name, namespace, ...(current ? { resourceVersion: current.metadata?.resourceVersion } : {}) },
        spec: leaseSpec(decision.write),
      };
      const written = current
        ? await this.#api.replaceNamespacedLease({ name, namespace, body })
        : await this.#api.createNamespacedLease({ namespace, body });
      this.#remember(written);
      this.#renewedAt = startedAt;
      return true;
    } catch (err) {
      const code = httpCode(err);
      if (code !== undefined) this.#heardFromApiAt = performance.now();
      if (code === 409)
        log.debug({ lease: `${namespace}/${name}` }, "lease changed under us; someone else wrote first");
      else log.warn({ err, lease: `${namespace}/${name}` }, "cannot acquire or renew the lease");
      return false;
    }
  }

  async #read(): Promise<V1Lease | undefined> {
    const { namespace, name } = this.#o;
    try {
      const lease = await this.#api.readNamespacedLease({ name, namespace });
      this.#remember(lease);
      return lease;
    } catch (err) {
      if (httpCode(err) !== 404) throw err;
      this.#heardFromApiAt = performance.now();
      this.#observed = undefined;
      return undefined;
    }
  }

  #remember(lease: V1Lease): void {
    this.#heardFromApiAt = performance.now();
    const resourceVersion = lease.metadata?.resourceVersion ?? "";
    if (this.#observed?.resourceVersion === resourceVersion) return;
    this.#observed = { record: readLeaseRecord(lease), observedAt: Date.now(), resourceVersion };
  }

  async #release(): Promise<void> {
    const { namespace, name, log } = this.#o;
    const observed = this.#observed;
    if (!observed || observed.record.holderIdentity !== this.#o.identity) return;
    try {
      await this.#api.replaceNamespacedLease({
        name,
        namespace,
        body: {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name, namespace, resourceVersion: observed.resourceVersion },
          spec: leaseSpec(releasedRecord(observed.record, Date.now())),
        },
      });
      log.info({ lease: `${namespace}/${name}` }, "released the leader lease");
    } catch (err) {
      // A conflict means the lease moved on already; either way another replica can take it.
      log.warn({ err, lease: `${namespace}/${name}` }, "cannot release the leader lease; it will expire");
    }
  }

  /** Sleeps unless stopped; false when stopped. */
  async #pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.#abort.signal });
      return true;
    } catch {
      return false;
    }
  }

  #setLeading(leading: boolean): void {
    this.#leading = leading;
    if (leading) {
      this.#o.log.info({ identity: this.#o.identity, lease: `${this.#o.namespace}/${this.#o.name}` }, "became leader");
      this.#armDeadline();
    }
    for (const listener of this.#listeners) listener(leading);
  }

  /** Fires when isLeader() turns false by the clock, so listeners hear of it even if nobody asks. */
  #armDeadline(): void {
    clearTimeout(this.#deadline);
    const { renewDeadlineMs } = this.#o;
    const ms = Math.max(0, this.#renewedAt + renewDeadlineMs - performance.now());
    // Not unref'd: a leader that stops renewing must still notice, even if nothing else keeps the loop alive.
    this.#deadline = setTimeout(() => this.#stepDown(`could not renew the lease within ${renewDeadlineMs}ms`), ms);
  }

  #stepDown(why: string, level: "info" | "warn" = "warn"): void {
    clearTimeout(this.#deadline);
    this.#abort.abort();
    if (!this.#leading) return;
    this.#o.log[level]({ identity: this.#o.identity, reason: why }, "stopped leading");
    this.#setLeading(false);
  }
}

function httpCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}
