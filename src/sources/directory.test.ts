import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { API_VERSION } from "../api/common.ts";
import { cloudRunResource } from "../kinds/cloudrun/kind.ts";
import { createLogger } from "../observability/logger.ts";
import { DirectorySource, ManifestLoadError } from "./directory.ts";

const manifest = (name: string, timeout = "300s") => `apiVersion: ${API_VERSION}
kind: CloudRunServiceConfig
metadata: {name: ${name}, namespace: team}
spec:
  service: {project: p, region: us-central1, name: ${name}}
  requestTimeout: ${timeout}
`;
const BROKEN = "apiVersion: [unclosed\n";

let dir: string;
let source: DirectorySource | undefined;
afterEach(async () => {
  await source?.stop();
  source = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function directory(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), "driftguard-dir-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

function logLines() {
  const lines: Array<{ msg: string; file?: string; err?: { message: string } }> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
      done();
    },
  });
  return { lines, log: createLogger({ level: "info", destination }) };
}

const names = (s: DirectorySource) => s.list(cloudRunResource).map((o) => o.metadata?.name);

async function eventually(probe: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !probe(); i++) await sleep(50);
  expect(probe(), what).toBe(true);
}

describe("DirectorySource errors without an onFileError handler", () => {
  it("fail the first load, naming the file, after loading the good files", async () => {
    const d = directory({ "a.yaml": manifest("a"), "b.yaml": BROKEN });
    source = new DirectorySource({ directory: d, resources: [cloudRunResource] });
    const error = await source.start(() => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestLoadError);
    expect((error as Error).message).toContain(join(d, "b.yaml"));
    expect(names(source)).toEqual(["a"]);
  });

  it("are logged on a later reload, and the broken file keeps its last good objects", async () => {
    const d = directory({ "a.yaml": manifest("a"), "b.yaml": manifest("b") });
    const { lines, log } = logLines();
    const removed: string[] = [];
    source = new DirectorySource({ directory: d, resources: [cloudRunResource], log });
    await source.start((_r, key, change) => change.deleted && removed.push(key));
    writeFileSync(join(d, "b.yaml"), BROKEN);
    await eventually(() => lines.some((l) => l.file === join(d, "b.yaml")), "an error line naming b.yaml");
    expect(lines.find((l) => l.file === join(d, "b.yaml"))?.msg).toBe(
      "cannot reload manifest; keeping its last good content",
    );
    expect(names(source).sort()).toEqual(["a", "b"]);
    expect(removed).toEqual([]);

    writeFileSync(join(d, "b.yaml"), manifest("b", "600s"));
    await eventually(
      () => (source?.get(cloudRunResource, "team", "b")?.spec as { requestTimeout?: string }).requestTimeout === "600s",
      "the repaired file to load",
    );
  });

  it("go to the handler when there is one, and the load does not throw", async () => {
    const d = directory({ "a.yaml": manifest("a"), "b.yaml": BROKEN });
    const reported: string[] = [];
    source = new DirectorySource({
      directory: d,
      resources: [cloudRunResource],
      onFileError: (file) => reported.push(file),
    });
    await source.start(() => undefined);
    expect(reported).toEqual([join(d, "b.yaml")]);
  });
});
