// Writes deploy/argocd/argocd-cm-health.yaml from deploy/argocd/health.lua, so the script Argo CD runs is
// the one the tests run. `node scripts/argocd-health-patch.ts` after editing health.lua; a test fails
// while the patch is stale.

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const KINDS = ["CloudRunServiceConfig", "VpcConnectorConfig"];
const script = fileURLToPath(new URL("../deploy/argocd/health.lua", import.meta.url));
const patch = fileURLToPath(new URL("../deploy/argocd/argocd-cm-health.yaml", import.meta.url));

export function renderHealthPatch(lua: string): string {
  const indented = lua
    .trimEnd()
    .split("\n")
    .map((line) => (line === "" ? "" : `    ${line}`))
    .join("\n");
  const entries = KINDS.map((kind) => `  resource.customizations.health.driftguard.dev_${kind}: |\n${indented}\n`);
  return [
    "# Generated from health.lua by scripts/argocd-health-patch.ts: edit health.lua, then regenerate.",
    "# A patch for Argo CD's argocd-cm ConfigMap: health for driftguard's kinds (see the README).",
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  name: argocd-cm",
    "  namespace: argocd",
    "data:",
    ...entries.map((e) => e.trimEnd()),
    "",
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(patch, renderHealthPatch(readFileSync(script, "utf8")));
}
