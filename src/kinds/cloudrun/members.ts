// What the connection budget index needs to know about one CloudRunServiceConfig, read from the object as
// the watch delivers it: its instance, demand and declared limit, whether it counts (valid, unpaused,
// allowed), who asked first, and the grant an earlier process recorded in status.

import { CloudRunServiceConfigSpec, type CloudRunServiceConfigSpec as Spec } from "../../api/cloudrun.ts";
import { PAUSED_ANNOTATION } from "../../api/common.ts";
import { connectionBudget, connectionDemand } from "../../api/rules.ts";
import type { ManagedObject } from "../kind.ts";
import { parseSpecWith } from "../spec.ts";
import type { MemberFacts } from "./admission.ts";

/** Reasons of an earlier pass after which a recorded grant no longer stands. */
const NOT_COUNTED_REASONS = new Set(["Paused", "InvalidSpec", "ProjectNotAllowed", "NotFound"]);

export class MemberReader {
  readonly #allowed: (namespace: string, spec: Spec) => boolean;

  constructor(allowed: (namespace: string, spec: Spec) => boolean) {
    this.#allowed = allowed;
  }

  /** The validated spec; the same (cached, frozen) result the reconciler's own parse gets. */
  spec(raw: unknown): Spec | undefined {
    const parsed = parseSpecWith(CloudRunServiceConfigSpec, raw);
    return parsed.ok ? parsed.spec : undefined;
  }

  facts(key: string, object: ManagedObject): MemberFacts {
    const spec = this.spec(object.spec);
    const database = spec?.database;
    const namespace = object.metadata?.namespace ?? "";
    const counted =
      spec !== undefined &&
      object.metadata?.annotations?.[PAUSED_ANNOTATION] !== "true" &&
      !object.metadata?.deletionTimestamp &&
      this.#allowed(namespace, spec);
    const facts: MemberFacts = {
      key,
      order: `${creation(object)} ${key}`,
      instance: database?.cloudSqlInstance,
      counted,
    };
    const demand = spec && connectionDemand(spec);
    if (spec && database && demand !== undefined) {
      facts.contribution = {
        key,
        poolSize: database.pool?.size ?? 0,
        maxOverflow: database.pool?.maxOverflow ?? 0,
        maxInstances: spec.scaling?.maxInstances ?? 0,
        demand,
      };
    }
    const limit = database && connectionBudget(database);
    if (database?.maxConnections !== undefined && limit !== undefined) {
      facts.limit = { maxConnections: database.maxConnections, safetyMargin: database.safetyMargin, limit };
    }
    const recorded = recordedGrant(object.status);
    if (recorded) facts.recorded = recorded;
    return facts;
  }
}

/** Milliseconds since the epoch, zero-padded, so that text order is time order. */
function creation(object: ManagedObject): string {
  const raw = object.metadata?.creationTimestamp as string | Date | undefined;
  const at = raw === undefined ? NaN : new Date(raw).getTime();
  return Number.isFinite(at) ? String(at).padStart(15, "0") : "9".repeat(15);
}

/** The grant in status, unless the last pass that wrote status says the config stopped counting since. */
function recordedGrant(status: Record<string, unknown> | undefined): MemberFacts["recorded"] {
  const record = status?.connectionBudget as { instance?: unknown; admitted?: unknown } | undefined;
  if (typeof record?.instance !== "string" || !Number.isInteger(record.admitted)) return undefined;
  const conditions = (status?.conditions ?? []) as Array<{ type?: string; reason?: string }>;
  if (conditions.some((c) => (c.type === "Ready" || c.type === "Synced") && NOT_COUNTED_REASONS.has(c.reason ?? ""))) {
    return undefined;
  }
  return { instance: record.instance, admitted: record.admitted as number };
}
