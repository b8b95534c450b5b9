// The in-memory kind and source wired to one reconciler, with a clock the test moves: the world the
// reconciler's contract tests run in.

import { expect } from "vitest";
import type { ActorKind } from "../../src/controller/attribution.ts";
import type { Condition } from "../../src/controller/conditions.ts";
import { Reconciler, type ReconcilerOptions } from "../../src/controller/reconciler.ts";
import { silentLogger } from "../../src/observability/logger.ts";
import { classifyWidgetError, MemorySource, WidgetKind, type WidgetSpec } from "./memory-kind.ts";

export const KEY = "team/widget";
export const T0 = Date.parse("2026-12-01T12:00:00Z");

export interface World {
  kind: WidgetKind;
  source: MemorySource;
  reconciler: Reconciler<WidgetSpec>;
  clock: { now: number };
  corrected: Array<{ fields: string[]; actor: ActorKind }>;
}

export function world(options: Partial<ReconcilerOptions<WidgetSpec>> = {}): World {
  const kind = new WidgetKind();
  const source = new MemorySource();
  const clock = { now: T0 };
  const corrected: World["corrected"] = [];
  const reconciler = new Reconciler<WidgetSpec>({
    kind,
    source,
    classify: classifyWidgetError,
    log: silentLogger,
    now: () => new Date(clock.now),
    jitter: (ms) => ms,
    onDriftCorrected: (fields, actor) => corrected.push({ fields, actor }),
    ...options,
  });
  return { kind, source, reconciler, clock, corrected };
}

export const spec = (settings: Record<string, string>, extra: Partial<WidgetSpec> = {}): Partial<WidgetSpec> => ({
  project: "p",
  settings,
  ...extra,
});

export function condition(w: World, type: string): Condition | undefined {
  return ((w.source.status(KEY).conditions ?? []) as Condition[]).find((c) => c.type === type);
}

export function reasons(w: World): string[] {
  return w.source.events.map((e) => e.reason);
}

/** Applies the spec and runs passes (finishing operations between them) until the object is Ready. */
export async function converge(w: World, settings: Record<string, string>): Promise<void> {
  w.source.apply(KEY, spec(settings));
  for (let i = 0; i < 5 && condition(w, "Ready")?.status !== "True"; i++) {
    await w.reconciler.reconcile(KEY);
    w.kind.finishOperations();
  }
  expect(condition(w, "Ready")?.status).toBe("True");
}
