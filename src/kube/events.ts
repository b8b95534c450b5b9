// Records events.k8s.io/v1 Events about our objects. A repeat of the same (object, type, reason,
// action, note) within the series window does not create another Event: it bumps series.count and
// series.lastObservedTime on the existing one with a PATCH, as the Kubernetes events library does.
// Tracked series live in a bounded LRU map sized for the fleet. Recording never fails a reconcile: API
// errors are logged.

import { createHash } from "node:crypto";
import { hostname } from "node:os";
import type { KubeConfig } from "@kubernetes/client-node";
import { silentLogger, type Logger } from "../observability/logger.ts";
import { LruMap } from "./lru.ts";
import { KubeApiError, requestJson } from "./raw.ts";

export const REPORTING_CONTROLLER = "driftguard.dev/driftguard";
/** The API server rejects notes longer than this many bytes. */
export const NOTE_LIMIT_BYTES = 1024;
/**
 * Series remembered by default: more than the objects one controller manages (benchmarked to 10,000),
 * each with a few reasons that can repeat; a forgotten series only costs a new Event instead of a bump.
 */
export const DEFAULT_MAX_TRACKED_SERIES = 20_000;

export interface ObjectReference {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

export type EventType = "Normal" | "Warning";

export interface EventInput {
  regarding: ObjectReference;
  type: EventType;
  /** CamelCase, e.g. "DriftHealed". */
  reason: string;
  /** What the controller did or tried, e.g. "UpdateService". */
  action: string;
  note: string;
}

export interface EventRecorderOptions {
  /** Pod name (POD_NAME) or host name unless given. */
  reportingInstance?: string;
  /** Repeats within this long join the existing Event's series. Default 10 minutes. */
  seriesWindowMs?: number;
  /** How many distinct series are remembered (least recently used forgotten first). Default 20,000. */
  maxTracked?: number;
  logger?: Logger;
  now?: () => Date;
}

interface Series {
  namespace: string;
  name: string;
  count: number;
  lastObservedAt: number;
  /** The previous write for this series; writes for one series run one after another. */
  tail: Promise<void>;
}

const CAMEL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const noCheck = () => undefined;

export class EventRecorder {
  readonly #kc: KubeConfig;
  readonly #instance: string;
  readonly #windowMs: number;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #series: LruMap<string, Series>;

  constructor(kc: KubeConfig, options: EventRecorderOptions = {}) {
    this.#kc = kc;
    this.#instance = (options.reportingInstance ?? process.env.POD_NAME ?? hostname()).slice(0, 128);
    this.#windowMs = options.seriesWindowMs ?? 10 * 60_000;
    this.#series = new LruMap(options.maxTracked ?? DEFAULT_MAX_TRACKED_SERIES);
    this.#log = options.logger ?? silentLogger;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Resolves once the Event is written (or the failure logged); rejects only on invalid input. Writes of
   * one series queue behind each other, so `beforeWrite` is asked right before each request goes out (it
   * throws to refuse it, e.g. once this replica no longer leads), not only when the Event is asked for.
   */
  async record(input: EventInput, options: { beforeWrite?: () => void } = {}): Promise<void> {
    validate(input);
    const event = { ...input, note: truncateNote(input.note) };
    const { apiVersion, kind, namespace = "", name, uid = "" } = event.regarding;
    // A digest, not the text: a series is remembered for each of thousands of objects, and notes run to 1 KiB.
    const key = seriesDigest([
      apiVersion,
      kind,
      namespace,
      name,
      uid,
      event.type,
      event.reason,
      event.action,
      event.note,
    ]);
    const series = this.#series.get(key) ?? {
      namespace: "",
      name: "",
      count: 0,
      lastObservedAt: 0,
      tail: Promise.resolve(),
    };
    this.#series.set(key, series);
    const write = series.tail.then(() => this.#write(series, event, options.beforeWrite ?? noCheck));
    series.tail = write;
    return write;
  }

  normal(regarding: ObjectReference, reason: string, action: string, note: string): Promise<void> {
    return this.record({ regarding, type: "Normal", reason, action, note });
  }

  warning(regarding: ObjectReference, reason: string, action: string, note: string): Promise<void> {
    return this.record({ regarding, type: "Warning", reason, action, note });
  }

  async #write(series: Series, event: EventInput, beforeWrite: () => void): Promise<void> {
    const now = this.#now();
    try {
      const inWindow = series.count > 0 && now.getTime() - series.lastObservedAt <= this.#windowMs;
      if (inWindow) {
        beforeWrite();
        if (await this.#bump(series, now)) return;
      }
      beforeWrite();
      await this.#create(series, event, now);
    } catch (error) {
      this.#log.warn(
        { err: error, reason: event.reason, object: `${event.regarding.namespace ?? ""}/${event.regarding.name}` },
        "recording event failed",
      );
    }
  }

  /** Adds one to the series; false when the Event is gone (expired by TTL), so a new one is created. */
  async #bump(series: Series, now: Date): Promise<boolean> {
    const count = series.count + 1;
    try {
      await requestJson(this.#kc, "PATCH", `${eventsPath(series.namespace)}/${encodeURIComponent(series.name)}`, {
        body: { series: { count, lastObservedTime: formatMicroTime(now) } },
        contentType: "application/merge-patch+json",
      });
    } catch (error) {
      if (error instanceof KubeApiError && error.statusCode === 404) return false;
      throw error;
    }
    series.count = count;
    series.lastObservedAt = now.getTime();
    return true;
  }

  async #create(series: Series, event: EventInput, now: Date): Promise<void> {
    const namespace = event.regarding.namespace || "default";
    const name = eventName(event.regarding.name, now);
    await requestJson(this.#kc, "POST", eventsPath(namespace), {
      body: {
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        metadata: { name, namespace },
        eventTime: formatMicroTime(now),
        reportingController: REPORTING_CONTROLLER,
        reportingInstance: this.#instance,
        action: event.action,
        reason: event.reason,
        note: event.note,
        type: event.type,
        regarding: { ...event.regarding },
      },
    });
    Object.assign(series, { namespace, name, count: 1, lastObservedAt: now.getTime() });
  }
}

function eventsPath(namespace: string): string {
  return `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/events`;
}

/** metav1.MicroTime wire format: RFC 3339 with exactly six fractional digits, UTC. */
export function formatMicroTime(time: Date): string {
  return time.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** Cuts a note to the API server's byte limit without splitting a character. */
export function truncateNote(note: string): string {
  if (Buffer.byteLength(note) <= NOTE_LIMIT_BYTES) return note;
  let cut = note.slice(0, NOTE_LIMIT_BYTES - 3);
  while (Buffer.byteLength(cut) > NOTE_LIMIT_BYTES - 3) cut = cut.slice(0, -1);
  return `${cut}...`;
}

/** "<object>.<hex time>" like client-go, kept within the 253-character name limit. */
function eventName(objectName: string, now: Date): string {
  const suffix = `${now.getTime().toString(16)}${Math.floor(Math.random() * 0xffff)
    .toString(16)
    .padStart(4, "0")}`;
  return `${objectName.slice(0, 253 - suffix.length - 1)}.${suffix}`;
}

function validate(input: EventInput): void {
  if (input.type !== "Normal" && input.type !== "Warning")
    throw new Error(`event type must be "Normal" or "Warning", got ${JSON.stringify(input.type)}`);
  if (!CAMEL_CASE.test(input.reason) || input.reason.length > 128)
    throw new Error(`event reason must be CamelCase and at most 128 characters, got ${JSON.stringify(input.reason)}`);
  if (!input.action || input.action.length > 128)
    throw new Error(`event action must be 1 to 128 characters, got ${JSON.stringify(input.action)}`);
  const { apiVersion, kind, name } = input.regarding;
  if (!apiVersion || !kind || !name)
    throw new Error("event regarding must name the object's apiVersion, kind and name");
}

function seriesDigest(parts: string[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64");
}
