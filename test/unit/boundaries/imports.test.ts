import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findCrossings, moduleSpecifiers } from "./imports.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");

describe("the simulator boundary", () => {
  // Parses every file under src/: allow for a busy machine.
  it("holds in this repository: src/sim and the controller side import nothing from each other", () => {
    expect(findCrossings(REPO_ROOT)).toEqual([]);
  }, 60_000);
});

describe("findCrossings on a fixture tree", () => {
  const root = mkdtempSync(path.join(tmpdir(), "dg-boundaries-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  write("src/autoscale/decide.ts", "export const CAPACITY = { 'e2-micro': 100 };\n");
  write("src/sim/vpcaccess/rules.ts", "import { CAPACITY } from '../../autoscale/decide.ts';\nexport { CAPACITY };\n");
  write("src/sim/vpcaccess/ok.ts", "import type { X } from '../core/x.ts';\nimport { readFileSync } from 'node:fs';\n");
  write("src/sim/core/x.ts", "export type X = number;\n");
  write("src/gcp/monitoring.ts", "export * from '../sim/vpcaccess/rules.ts';\n");
  write("src/kinds/lazy.ts", "export const load = () => import('../sim/core/x.ts');\n");
  write("src/cli/sim.ts", "import '../sim/core/x.ts';\n");
  write("src/demo/run.ts", "import { X } from '../sim/core/x.ts';\n");

  it("reports the simulator importing the controller, and the controller importing the simulator", () => {
    const crossings = findCrossings(root);
    expect(crossings.map(({ file, target }) => [file, target]).sort()).toEqual([
      ["src/gcp/monitoring.ts", "src/sim/vpcaccess/rules.ts"],
      ["src/kinds/lazy.ts", "src/sim/core/x.ts"],
      ["src/sim/vpcaccess/rules.ts", "src/autoscale/decide.ts"],
    ]);
    expect(crossings.find((c) => c.file.startsWith("src/sim"))?.rule).toBe("src/sim imports nothing outside src/sim");
  });

  it("reads type-only imports, re-exports and dynamic imports", () => {
    const text = [
      "import type { A } from './a.ts';",
      "export { B } from './b.ts';",
      "export * as C from './c.ts';",
      "const d = await import('./d.ts');",
      "import './e.ts';",
      "type F = import('./f.ts').F;",
      "// import { G } from './g.ts';",
      "const h = \"import './h.ts'\";",
    ].join("\n");
    expect(moduleSpecifiers("x.ts", text)).toEqual(["./a.ts", "./b.ts", "./c.ts", "./d.ts", "./e.ts", "./f.ts"]);
  });
});
