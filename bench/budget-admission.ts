// Connection budget admission cost with many configs on one Cloud SQL instance: what one reconcile pays to
// know its grant (the index update from the object it holds, then admit), and what one watch event pays
// to keep the index current. The index is fed the way the manager feeds it, from plain objects; no Google
// call is involved. The earlier design walked every peer on every reconcile: 3.6 ms per admit with 5,000
// peers on this machine. Prints the figures and writes bench/results/budget-admission.json.
// Run: node bench/budget-admission.ts   (BENCH_PEERS to change the default of 5,000)

import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BudgetIndex } from "../src/kinds/cloudrun/admission.ts";
import { MemberReader } from "../src/kinds/cloudrun/members.ts";
import type { ManagedObject } from "../src/kinds/kind.ts";

const PEERS = Number(process.env.BENCH_PEERS ?? 5_000);
const PASSES = 20_000;

function config(i: number, size: number): ManagedObject {
  return {
    apiVersion: "driftguard.dev/v1alpha1",
    kind: "CloudRunServiceConfig",
    metadata: { namespace: `team-${i % 50}`, name: `svc-${i}`, creationTimestamp: new Date(1e12 + i) },
    spec: {
      service: { project: "netra-staging", region: "us-central1", name: `svc-${i}` },
      scaling: { maxInstances: 1 },
      database: { cloudSqlInstance: "netra-staging:us-central1:db", maxConnections: 1_000_000, pool: { size } },
    },
  };
}

const key = (o: ManagedObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;
const objects = Array.from({ length: PEERS }, (_, i) => config(i, 2));
const reader = new MemberReader(() => true);
const index = new BudgetIndex();
for (const o of objects) index.update(reader.facts(key(o), o));
for (const o of objects) {
  index.found(key(o));
  index.admit(key(o));
}

// One reconcile: refresh the facts from the object the pass holds, find the service, admit.
let started = performance.now();
for (let i = 0; i < PASSES; i++) {
  const o = objects[i % PEERS]!;
  index.update(reader.facts(key(o), o));
  index.found(key(o));
  index.admit(key(o));
}
const perPassMs = (performance.now() - started) / PASSES;

// One watch event: a peer changes its pool (a new object, as a watch delivers it).
started = performance.now();
for (let i = 0; i < PASSES; i++) {
  const o = config(i % PEERS, 2 + (i % 3));
  index.update(reader.facts(key(o), o));
}
const perEventMs = (performance.now() - started) / PASSES;

const result = {
  peers: PEERS,
  admitPerReconcileMs: Number(perPassMs.toFixed(4)),
  indexUpdatePerEventMs: Number(perEventMs.toFixed(4)),
  previousDesignAdmitMs: 3.6,
  loadAverage: loadavg()[0],
};
console.log(
  `${PEERS} configs on one instance: ${result.admitPerReconcileMs} ms per admit (reconcile), ` +
    `${result.indexUpdatePerEventMs} ms per watch event; the peer walk took 3.6 ms per admit`,
);
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), "results");
await mkdir(out, { recursive: true });
await writeFile(path.join(out, "budget-admission.json"), `${JSON.stringify(result, null, 2)}\n`);
