// `driftguard crds`: the CustomResourceDefinitions generated from the API schemas, printed or written to files.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Command } from "commander";
import { KINDS, crdFileName, crdYaml } from "../api/index.ts";

/** Every CRD as one multi-document YAML stream. */
export function allCrdsYaml(): string {
  return KINDS.map(crdYaml).join("---\n");
}

/** Writes one file per CRD into `directory` and returns the paths written. */
export async function writeCrds(directory: string): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const paths: string[] = [];
  for (const kind of KINDS) {
    const path = join(directory, crdFileName(kind));
    await writeFile(path, crdYaml(kind));
    paths.push(path);
  }
  return paths;
}

export function crdsCommand(): Command {
  return new Command("crds")
    .description("print the CustomResourceDefinitions generated from the driftguard.dev API schemas")
    .option("--write <dir>", "write one YAML file per CRD into <dir> instead of printing them")
    .action(async (options: { write?: string }) => {
      if (options.write === undefined) {
        process.stdout.write(allCrdsYaml());
        return;
      }
      for (const path of await writeCrds(options.write)) process.stdout.write(`wrote ${path}\n`);
    });
}
