// Which modules a TypeScript file depends on, and which of those dependencies cross the line between the
// simulator (src/sim) and the controller side. The simulator stands in for Google, so it may share no code
// with what it judges; only the entry points (src/cli, src/demo) may start it, besides tests and benchmarks.

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

/** Entry points that may start the simulator from inside src/. */
const SIM_STARTERS = ["cli", "demo"];

export interface Crossing {
  /** Importing file, relative to the root. */
  file: string;
  specifier: string;
  /** The file the specifier resolves to, relative to the root. */
  target: string;
  rule: string;
}

/**
 * Every module specifier in the source: `import`, `export ... from` (including `export * as`), `import()`,
 * `require()` and type positions such as `import("x").T`. Parsed, not pattern-matched, so comments and
 * strings that look like imports do not count.
 */
export function moduleSpecifiers(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const literal = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node)) found.push(node.text);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) literal(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      literal(node.moduleReference.expression);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === "require";
      if (isImport || isRequire) literal(node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) literal(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => path.join(e.parentPath, e.name));
}

/** The top-level area of a path under src/ ("sim", "gcp", ...), or undefined outside src/. */
function areaOf(srcDir: string, file: string): string | undefined {
  const relative = path.relative(srcDir, file);
  if (relative.startsWith("..") || path.isAbsolute(relative)) return undefined;
  const [first] = relative.split(path.sep);
  return first;
}

/** Checks every .ts file under `root/src` and returns each import that crosses the simulator boundary. */
export function findCrossings(root: string): Crossing[] {
  const srcDir = path.join(root, "src");
  const crossings: Crossing[] = [];
  for (const file of tsFiles(srcDir)) {
    const from = areaOf(srcDir, file);
    if (from === undefined) continue;
    for (const specifier of moduleSpecifiers(file, readFileSync(file, "utf8"))) {
      // Package imports (node:, npm) are outside both sides; only relative paths can cross.
      if (!specifier.startsWith(".")) continue;
      const target = path.resolve(path.dirname(file), specifier);
      const to = areaOf(srcDir, target);
      const rel = (p: string) => path.relative(root, p).split(path.sep).join("/");
      const report = (rule: string) => crossings.push({ file: rel(file), specifier, target: rel(target), rule });
      if (from === "sim" && to !== "sim") report("src/sim imports nothing outside src/sim");
      else if (from !== "sim" && to === "sim" && !SIM_STARTERS.includes(from)) {
        report(`only ${SIM_STARTERS.map((a) => `src/${a}`).join(", ")}, tests and benchmarks may import src/sim`);
      }
    }
  }
  return crossings;
}
