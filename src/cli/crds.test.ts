import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { KINDS, crdFileName, crdYaml } from "../api/index.ts";
import { allCrdsYaml, writeCrds } from "./crds.ts";

const crdsDirectory = fileURLToPath(new URL("../../crds", import.meta.url));
const mainPath = fileURLToPath(new URL("./main.ts", import.meta.url));

describe("crds", () => {
  it("crds/ holds exactly what the schemas generate (regenerate: driftguard crds --write crds/)", async () => {
    expect((await readdir(crdsDirectory)).sort()).toEqual(KINDS.map(crdFileName).sort());
    for (const kind of KINDS) {
      expect(await readFile(join(crdsDirectory, crdFileName(kind)), "utf8"), crdFileName(kind)).toBe(crdYaml(kind));
    }
  });

  it("prints every CRD as one multi-document stream", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [mainPath, "crds"]);
    expect(stdout).toBe(allCrdsYaml());
    const names = parseAllDocuments(stdout).map(
      (document) => (document.toJS() as { metadata: { name: string } }).metadata.name,
    );
    expect(names).toEqual([
      "cloudrunserviceconfigs.driftguard.dev",
      "vpcconnectorconfigs.driftguard.dev",
      "serviceconfigpolicies.driftguard.dev",
    ]);
  });

  it("writes one file per CRD", async () => {
    const directory = join(await mkdtemp(join(tmpdir(), "driftguard-crds-")), "out");
    const written = await writeCrds(directory);
    expect(written).toEqual(KINDS.map((kind) => join(directory, crdFileName(kind))));
    expect(await readFile(written[1]!, "utf8")).toBe(crdYaml(KINDS[1]!));
  });
});
