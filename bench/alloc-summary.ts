// Where a sampling heap profile's bytes were allocated: by function, by package or driftguard file (the
// innermost frame that is not Node's own), largest first. Run: node bench/alloc-summary.ts FILE.heapprofile [top=30]

import { readFileSync } from "node:fs";

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}
const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error("usage: node bench/alloc-summary.ts FILE.heapprofile [top]");
const { head } = JSON.parse(readFileSync(file, "utf8")) as { head: SamplingNode };
const top = Number(topArg ?? 30);

/** src/… for driftguard, the package name for node_modules, "node:…" for Node's own code. */
function owner(url: string): string | undefined {
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (module) return module;
  const own = /\/(src\/.*|bench\/.*)$/.exec(url)?.[1];
  if (own) return own;
  return undefined;
}

const byFunction = new Map<string, number>();
const byOwner = new Map<string, number>();
let total = 0;
const walk = (node: SamplingNode, nearestOwner: string) => {
  const here = owner(node.callFrame.url) ?? nearestOwner;
  if (node.selfSize > 0) {
    total += node.selfSize;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = `${functionName || "(anonymous)"} ${url.replace(/^.*\/(src|node_modules)\//, "$1/")}:${lineNumber + 1}`;
    byFunction.set(where, (byFunction.get(where) ?? 0) + node.selfSize);
    byOwner.set(here, (byOwner.get(here) ?? 0) + node.selfSize);
  }
  for (const child of node.children) walk(child, here);
};
walk(head, "(node internals)");

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1).padStart(8);
const print = (title: string, table: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, bytes] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${mib(bytes)} MiB ${((bytes / total) * 100).toFixed(1).padStart(5)} %  ${name}`);
  }
};
console.log(`allocated (sampled) ${mib(total).trim()} MiB`);
print("by package or file (innermost non-Node frame)", byOwner);
print("by function", byFunction);
