// Where a V8 CPU profile's time goes: self time by function (and file), largest first, plus the share
// spent under each driftguard source file (inclusive). Run: node bench/cpu-summary.ts FILE.cpuprofile [top=30]

import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error("usage: node bench/cpu-summary.ts FILE.cpuprofile [top]");
const profile = JSON.parse(readFileSync(file, "utf8")) as {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
};
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const label = (n: ProfileNode) => {
  const url = n.callFrame.url.replace(/^file:\/\/.*?\/(src|node_modules)\//, "$1/");
  return `${n.callFrame.functionName || "(anonymous)"} ${url}:${n.callFrame.lineNumber + 1}`;
};
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
/** Self time charged to the innermost frame that is driftguard's or a package's (not Node's own). */
const byOwner = new Map<string, number>();
const ownerOf = (url: string) =>
  /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? /\/((?:src|bench)\/[^?]+\.ts)$/.exec(url)?.[1];
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (!node) continue;
  self.set(label(node), (self.get(label(node)) ?? 0) + us);
  let owner: string | undefined;
  for (let at: number | undefined = id; at !== undefined && owner === undefined; at = parent.get(at)) {
    owner = ownerOf(byId.get(at)?.callFrame.url ?? "");
  }
  const fallback = node.callFrame.functionName.startsWith("(") ? node.callFrame.functionName : "(node internals)";
  byOwner.set(owner ?? fallback, (byOwner.get(owner ?? fallback) ?? 0) + us);
  // Inclusive time per driftguard file: counted once per sample however deep the recursion.
  const files = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const url = byId.get(at)?.callFrame.url ?? "";
    const match = /\/(src\/[^?]+\.ts)$/.exec(url);
    if (match?.[1]) files.add(match[1]);
  }
  for (const f of files) inclusive.set(f, (inclusive.get(f) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`total ${(total / 1e6).toFixed(2)} s sampled`);
console.log("\nself time");
for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 30))) {
  console.log(`${pct(us)}  ${name}`);
}
console.log("\nself time by driftguard file or package (innermost such frame)");
for (const [name, us] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${pct(us)}  ${name}`);
console.log("\ninclusive time under driftguard files");
for (const [name, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(us)}  ${name}`);
