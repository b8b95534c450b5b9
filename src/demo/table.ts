// The demo's compact live table: one line per managed object.

import type { ManagedObject } from "../kinds/kind.ts";
import { conditionOf, standing } from "./progress.ts";

const MARK = { converged: "ok", attention: "!!", working: "..", failed: "XX" } as const;

export function renderTable(objects: ManagedObject[], width = 120): string {
  const rows = [...objects]
    .sort((a, b) => `${a.kind}/${a.metadata?.name}`.localeCompare(`${b.kind}/${b.metadata?.name}`))
    .map((o) => {
      const ready = conditionOf(o, "Ready");
      const synced = conditionOf(o, "Synced");
      return [
        MARK[standing(o)],
        o.kind === "VpcConnectorConfig" ? "vpcc" : "crsc",
        o.metadata?.name ?? "",
        ready?.status ?? "-",
        synced?.reason ?? "-",
        count(o.status?.driftCount),
        count(o.status?.driftCorrections),
        detail(o, ready?.status === "True" ? "" : (ready?.message ?? "")),
      ];
    });
  const header = ["", "KIND", "NAME", "READY", "SYNCED", "DRIFT", "FIXED", "DETAIL"];
  const all = [header, ...rows];
  const widths = header.map((_, i) => (i === header.length - 1 ? 0 : Math.max(...all.map((r) => (r[i] ?? "").length))));
  return all
    .map((r) => {
      const line = r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ");
      return line.length > width ? `${line.slice(0, width - 1)}…` : line;
    })
    .join("\n");
}

function count(value: unknown): string {
  return typeof value === "number" ? String(value) : "0";
}

function detail(object: ManagedObject, message: string): string {
  if (object.kind !== "VpcConnectorConfig") return message;
  const live = object.status?.live as
    { machineType?: string; minInstances?: number; maxInstances?: number } | undefined;
  const size = live ? `${live.machineType ?? "?"} ${live.minInstances ?? "?"}-${live.maxInstances ?? "?"}` : "";
  const utilization = object.status?.utilizationPercent as string | undefined;
  return [size, utilization ? `util ${utilization}` : "", message].filter(Boolean).join("  ");
}
