// The demo's guardrail moment: once staging has been healed, a commit arrives that lowers the backend's
// database initialization timeout back to 25s (the field reports' regression). The demo works on a copy
// of the manifests, so it can make that commit; the ServiceConfigPolicy beside them refuses it.

import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";

export const REGRESSED_SERVICE = "netra-backend-staging";
export const REGRESSED_VALUE = "25s";

/** A working copy of the manifests plus the policy file, like a Git checkout the controller reads. */
export async function checkout(
  directory: string,
  policyFile: string,
): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), "driftguard-demo-"));
  await cp(directory, path, { recursive: true });
  await cp(policyFile, join(path, `policy-${basename(policyFile)}`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * Rewrites the manifest that declares REGRESSED_SERVICE with its initialization timeout lowered, as a
 * merged commit would; returns the value it replaced, or undefined when no manifest declares the service.
 */
export async function commitRegression(path: string): Promise<string | undefined> {
  for (const file of (await readdir(path)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const documents = parseAllDocuments(await readFile(join(path, file), "utf8")).map((d) => d.toJS() as Manifest);
    const target = documents.find((d) => d?.kind === "CloudRunServiceConfig" && d.metadata?.name === REGRESSED_SERVICE);
    const timeouts = target?.spec?.database?.timeouts;
    if (!timeouts) continue;
    const before = timeouts.initialization;
    timeouts.initialization = REGRESSED_VALUE;
    await writeFile(join(path, file), documents.map((d) => stringify(d)).join("---\n"));
    return before;
  }
  return undefined;
}

interface Manifest {
  kind?: string;
  metadata?: { name?: string };
  spec?: { database?: { timeouts?: { initialization?: string } } };
}
