// --health-bind-address: the health/metrics port, which has no authentication, can be limited to one
// address. 127.0.0.2 is another local address on the loopback network that answers only what listens on
// it (or on every interface), so it tells the two bindings apart without touching a real network.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startDriftguard, type DriftguardProcess } from "../../support/driftguard-process.ts";
import { freePort } from "../../support/envtest.ts";

const manifests = mkdtempSync(join(tmpdir(), "driftguard-bind-"));
const running: DriftguardProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  rmSync(manifests, { recursive: true, force: true });
});

async function start(port: number, bind?: { flag?: string; env?: string }): Promise<DriftguardProcess> {
  const args = ["run", `--source=dir:${manifests}`, `--health-port=${port}`, "--log-level=warn"];
  if (bind?.flag) args.push(`--health-bind-address=${bind.flag}`);
  const p = startDriftguard(args, bind?.env ? { DRIFTGUARD_HEALTH_BIND_ADDRESS: bind.env } : {});
  running.push(p);
  await p.waitFor("/healthz on 127.0.0.1", async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 30_000);
  return p;
}

const answers = (address: string, port: number, path = "/metrics") =>
  fetch(`http://${address}:${port}${path}`).then(
    (res) => res.status,
    (err: Error) => (err.cause as NodeJS.ErrnoException | undefined)?.code ?? err.message,
  );

describe("driftguard run --health-bind-address", () => {
  it("listens on every interface by default, so in-cluster scraping and probes work", async () => {
    const port = await freePort();
    await start(port);
    expect(await answers("127.0.0.1", port)).toBe(200);
    expect(await answers("127.0.0.2", port)).toBe(200);
  });

  it("answers only on 127.0.0.1 when bound there", async () => {
    const port = await freePort();
    await start(port, { flag: "127.0.0.1" });
    expect(await answers("127.0.0.1", port, "/healthz")).toBe(200);
    expect(await answers("127.0.0.1", port)).toBe(200);
    expect(await answers("127.0.0.2", port)).toBe("ECONNREFUSED");
    expect(await answers("127.0.0.2", port, "/healthz")).toBe("ECONNREFUSED");
  });

  it("takes the address from DRIFTGUARD_HEALTH_BIND_ADDRESS", async () => {
    const port = await freePort();
    await start(port, { env: "127.0.0.1" });
    expect(await answers("127.0.0.2", port)).toBe("ECONNREFUSED");
  });

  it("refuses an address it cannot listen on, naming it", async () => {
    const port = await freePort();
    const p = startDriftguard([
      "run",
      `--source=dir:${manifests}`,
      `--health-port=${port}`,
      "--health-bind-address=192.0.2.1",
    ]);
    running.push(p);
    const { code } = await p.exited;
    expect(code).not.toBe(0);
    expect(p.stderr()).toContain("192.0.2.1");
  });
});
