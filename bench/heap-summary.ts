// Where a heap snapshot's bytes go: self size summed by constructor or node type, largest first.
// Run: node bench/heap-summary.ts FILE.heapsnapshot [top=25]

import { readFileSync } from "node:fs";

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error("usage: node bench/heap-summary.ts FILE.heapsnapshot [top]");
const snapshot = JSON.parse(readFileSync(file, "utf8")) as {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
};
const fields = snapshot.snapshot.meta.node_fields;
const types = snapshot.snapshot.meta.node_types[0];
const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f)) as [
  number,
  number,
  number,
];
const bySize = new Map<string, { bytes: number; count: number }>();
let total = 0;
for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
  const type = types[snapshot.nodes[i + typeAt] ?? 0] ?? "?";
  const size = snapshot.nodes[i + sizeAt] ?? 0;
  const name =
    type === "object" || type === "closure" ? (snapshot.strings[snapshot.nodes[i + nameAt] ?? 0] ?? "?") : `(${type})`;
  const entry = bySize.get(name) ?? { bytes: 0, count: 0 };
  entry.bytes += size;
  entry.count += 1;
  bySize.set(name, entry);
  total += size;
}
console.log(`total ${(total / 2 ** 20).toFixed(1)} MiB`);
for (const [name, { bytes, count }] of [...bySize]
  .sort((a, b) => b[1].bytes - a[1].bytes)
  .slice(0, Number(topArg ?? 25))) {
  console.log(`${(bytes / 2 ** 20).toFixed(2).padStart(8)} MiB ${String(count).padStart(9)}  ${name.slice(0, 80)}`);
}
