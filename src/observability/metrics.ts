// Prometheus metrics for one driftguard process, in a registry of its own (never prom-client's global one,
// so tests and embedded controllers do not share counters). Reconcile and work-queue metrics carry
// controller-runtime's names, so existing dashboards and alerts work unchanged; driftguard's own are
// prefixed `driftguard_`. No label ever holds a Kubernetes object name: label values come from small,
// fixed sets (kinds, APIs, methods, spec field paths), except the connector name, a short list by nature.

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** An object as the source caches it; only its status is read. */
export interface ObservedObject {
  spec?: unknown;
  status?: Record<string, unknown>;
}

/** Lists the cached objects of every managed kind, for the gauges recomputed on each scrape. */
export type ObjectsByKind = () => Array<{ kind: string; objects: ObservedObject[] }>;

export type ReconcileResult = "success" | "error" | "requeue" | "requeue_after";

// controller-runtime's buckets for reconcile time, and client-go's for work-queue latencies.
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2,
  2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
const QUEUE_BUCKETS = Array.from({ length: 10 }, (_, i) => 1e-8 * 10 ** i);

const BREAKER_VALUE: Record<string, number> = { closed: 0, halfOpen: 1, open: 2 };
const READY_VALUES = ["True", "False", "Unknown"] as const;

/** Distinct drift field labels kept before further ones are counted as "other". */
export const MAX_FIELD_LABELS = 100;

/**
 * The label for a drifted field: the spec path without the " (v2 path)" suffix, and without user-chosen
 * keys (env var names, label and annotation keys), so the set of values stays small.
 */
export function driftFieldLabel(field: string): string {
  const spec = field.replace(/ \(.*\)$/, "");
  const keyed = /^(env|labels|annotations)\./.exec(spec);
  return keyed?.[1] ?? spec;
}

export class DriftguardMetrics {
  readonly registry = new Registry();
  readonly #fields = new Set<string>();
  #objects: ObjectsByKind = () => [];

  readonly #reconciles = new Counter({
    name: "controller_runtime_reconcile_total",
    help: "Total number of reconciliations per controller",
    labelNames: ["controller", "result"],
    registers: [this.registry],
  });
  readonly #reconcileErrors = new Counter({
    name: "controller_runtime_reconcile_errors_total",
    help: "Total number of reconciliation errors per controller",
    labelNames: ["controller"],
    registers: [this.registry],
  });
  readonly #reconcileTime = new Histogram({
    name: "controller_runtime_reconcile_time_seconds",
    help: "Length of time per reconciliation per controller",
    labelNames: ["controller"],
    buckets: RECONCILE_BUCKETS,
    registers: [this.registry],
  });
  readonly #depth = new Gauge({
    name: "workqueue_depth",
    help: "Current depth of workqueue",
    labelNames: ["name"],
    registers: [this.registry],
  });
  readonly #adds = new Counter({
    name: "workqueue_adds_total",
    help: "Total number of adds handled by workqueue",
    labelNames: ["name"],
    registers: [this.registry],
  });
  readonly #retries = new Counter({
    name: "workqueue_retries_total",
    help: "Total number of retries handled by workqueue",
    labelNames: ["name"],
    registers: [this.registry],
  });
  readonly #queueDuration = new Histogram({
    name: "workqueue_queue_duration_seconds",
    help: "How long in seconds an item stays in workqueue before being requested",
    labelNames: ["name"],
    buckets: QUEUE_BUCKETS,
    registers: [this.registry],
  });
  readonly #workDuration = new Histogram({
    name: "workqueue_work_duration_seconds",
    help: "How long in seconds processing an item from workqueue takes",
    labelNames: ["name"],
    buckets: QUEUE_BUCKETS,
    registers: [this.registry],
  });
  readonly #corrections = new Counter({
    name: "driftguard_drift_corrections_total",
    help: "Drifted fields written back to their declared value, by who drifted them (user, serviceAccount, unknown)",
    labelNames: ["kind", "field", "actor"],
    registers: [this.registry],
  });
  readonly #googleRequests = new Counter({
    name: "driftguard_gcp_requests_total",
    help: "Google API calls sent, by API, method and result code",
    labelNames: ["api", "method", "code"],
    registers: [this.registry],
  });
  readonly #breaker = new Gauge({
    name: "driftguard_circuit_breaker_state",
    help: "Circuit breaker state per Google API: 0 closed, 1 half-open, 2 open",
    labelNames: ["api"],
    registers: [this.registry],
  });
  readonly #leader = new Gauge({
    name: "driftguard_leader",
    help: "1 while this replica holds the leader lease",
    registers: [this.registry],
  });
  readonly #utilization = new Gauge({
    name: "driftguard_connector_utilization",
    help: "Last utilization read for a VPC connector, as a fraction of its capacity",
    labelNames: ["connector", "signal"],
    registers: [this.registry],
  });
  readonly #scaleEvents = new Counter({
    name: "driftguard_connector_scale_events_total",
    help: "Autoscaling decisions that changed or flagged a VPC connector's size",
    labelNames: ["connector", "action"],
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const objects = () => this.#objects();
    new Gauge({
      name: "driftguard_drift_detected",
      help: "Managed objects whose live settings currently differ from their spec",
      labelNames: ["kind"],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { kind, objects: list } of objects()) {
          this.set({ kind }, list.filter((o) => Number(o.status?.driftCount ?? 0) > 0).length);
        }
      },
    });
    new Gauge({
      name: "driftguard_connector_replacement_required",
      help: "1 while a VPC connector's spec asks for less than it has, which only replacing the connector can do",
      labelNames: ["connector"],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { kind, objects: list } of objects()) {
          if (kind !== "VpcConnectorConfig") continue;
          for (const o of list) {
            const connector = (o.spec as { connector?: { name?: string } } | undefined)?.connector?.name;
            if (connector) this.set({ connector }, syncedReasonOf(o) === "ReplacementRequired" ? 1 : 0);
          }
        }
      },
    });
    new Gauge({
      name: "driftguard_managed_resources",
      help: "Managed objects by kind and Ready condition status",
      labelNames: ["kind", "ready"],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { kind, objects: list } of objects()) {
          for (const ready of READY_VALUES) this.set({ kind, ready }, list.filter((o) => readyOf(o) === ready).length);
        }
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition format served on /metrics. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Where the per-kind gauges read objects from on each scrape. */
  trackObjects(objects: ObjectsByKind): void {
    this.#objects = objects;
  }

  reconciled(controller: string, result: ReconcileResult, seconds: number): void {
    this.#reconciles.inc({ controller, result });
    if (result === "error") this.#reconcileErrors.inc({ controller });
    this.#reconcileTime.observe({ controller }, seconds);
  }

  /** Hooks for one controller's work queue (durations arrive in milliseconds). */
  queue(name: string) {
    return {
      depth: (keys: number) => this.#depth.set({ name }, keys),
      added: () => this.#adds.inc({ name }),
      retried: () => this.#retries.inc({ name }),
      queueDuration: (ms: number) => this.#queueDuration.observe({ name }, ms / 1000),
      workDuration: (ms: number) => this.#workDuration.observe({ name }, ms / 1000),
    };
  }

  /** `actor` is the kind of principal only (never an email), so the label stays bounded. */
  driftCorrected(kind: string, fields: string[], actor: "user" | "serviceAccount" | "unknown" = "unknown"): void {
    for (const field of fields) {
      this.#corrections.inc({ kind, field: this.#boundedField(driftFieldLabel(field)), actor: actorLabel(actor) });
    }
  }

  googleRequest(api: string, method: string, code: string): void {
    this.#googleRequests.inc({ api, method, code });
  }

  breakerState(api: string, state: "closed" | "halfOpen" | "open"): void {
    this.#breaker.set({ api }, BREAKER_VALUE[state] ?? 0);
  }

  leader(leading: boolean): void {
    this.#leader.set(leading ? 1 : 0);
  }

  /** For the connector kind's `onUtilization` hook. */
  connectorUtilization(connector: string, signal: string, value: number): void {
    this.#utilization.set({ connector, signal }, value);
  }

  /** For the connector kind's `onScaleEvent` hook. */
  connectorScaleEvent(connector: string, action: string): void {
    this.#scaleEvents.inc({ connector, action });
  }

  #boundedField(label: string): string {
    if (this.#fields.has(label)) return label;
    if (this.#fields.size >= MAX_FIELD_LABELS) return "other";
    this.#fields.add(label);
    return label;
  }
}

function readyOf(object: ObservedObject): (typeof READY_VALUES)[number] {
  const conditions = object.status?.conditions;
  const ready = Array.isArray(conditions)
    ? (conditions as Array<{ type?: unknown; status?: unknown }>).find((c) => c.type === "Ready")
    : undefined;
  return ready?.status === "True" || ready?.status === "False" ? ready.status : "Unknown";
}

function syncedReasonOf(object: ObservedObject): string | undefined {
  const conditions = object.status?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  const synced = (conditions as Array<{ type?: unknown; reason?: unknown }>).find((c) => c.type === "Synced");
  return typeof synced?.reason === "string" ? synced.reason : undefined;
}

const ACTOR_KINDS = new Set(["user", "serviceAccount", "unknown"]);

/** Anything but the three kinds is "unknown": a label value must never carry a principal's name. */
function actorLabel(actor: string): string {
  return ACTOR_KINDS.has(actor) ? actor : "unknown";
}
