// A leader process that is frozen (SIGSTOP) for longer than the lease duration while a standby takes over,
// then thawed (SIGCONT), must not send a single Google call: its timers are overdue and its "leading" flag
// is stale, but the clock says its lease is gone. The two replicas are real `driftguard run` processes; the
// first speaks gRPC and the second REST, so the simulator's request log tells them apart.

import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { freePort } from "../../support/envtest.ts";
import { createCloudRunConfig, createNamespace, kubeconfigPath } from "../../support/kube.ts";
import { until } from "./replica.ts";

const MAIN = fileURLToPath(new URL("../../../src/cli/main.ts", import.meta.url));
const SERVICE = "projects/ha-project/locations/us-central1/services/frozen";
const LEASE_MS = 3_000;

interface Replica {
  child: ChildProcess;
  port: number;
  output: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe("a leader frozen past its lease", () => {
  let sim: Simulator;
  let namespace: string;
  const replicas: Replica[] = [];

  const start = async (transport: "grpc" | "rest"): Promise<Replica> => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        MAIN,
        "run",
        "--kubeconfig",
        kubeconfigPath(),
        "--namespace",
        namespace,
        "--gcp-transport",
        transport,
        "--gcp-endpoint",
        `127.0.0.1:${sim.grpcPort}`,
        "--gcp-rest-endpoint",
        `http://127.0.0.1:${sim.restPort}`,
        "--gcp-access-token",
        "sim-token",
        "--health-port",
        String(port),
        "--leader-election-namespace",
        namespace,
        `--lease-duration=${LEASE_MS / 1000}s`,
        "--renew-deadline=2s",
        "--retry-period=500ms",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const replica: Replica = {
      child,
      port,
      output: "",
      exited: new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal }))),
    };
    child.stdout?.on("data", (chunk: Buffer) => (replica.output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (replica.output += chunk.toString()));
    replicas.push(replica);
    return replica;
  };
  const readyz = async (replica: Replica) =>
    (
      await fetch(`http://127.0.0.1:${replica.port}/readyz`)
        .then((r) => r.text())
        .catch(() => "")
    ).trim();
  const timeout = () =>
    (sim.control.getService(SERVICE) as unknown as { template: { timeout?: string } }).template.timeout;

  beforeAll(async () => {
    sim = await startSimulator({
      operationLatencyMs: 50,
      seed: { services: [{ name: SERVICE, template: { containers: [{ image: "app:v1" }], timeout: "300s" } }] },
    });
    namespace = await createNamespace("ha-frozen");
  });
  afterAll(async () => {
    for (const { child } of replicas) {
      if (child.signalCode === null && child.exitCode === null) {
        child.kill("SIGCONT");
        child.kill("SIGKILL");
      }
    }
    await sim.stop();
  });

  it("sends no Google call after waking, and exits to rejoin", async () => {
    const first = await start("grpc");
    await until("the first replica to lead", async () => (await readyz(first)) === "ok: leading", 30_000).catch(
      (err: Error) => {
        throw new Error(`${err.message}\n${first.output}`);
      },
    );
    await createCloudRunConfig(namespace, "frozen", {
      service: { project: "ha-project", region: "us-central1", name: "frozen" },
      resyncInterval: "1s",
      requestTimeout: "600s",
    });
    await until("the leader to apply the spec", () => timeout() === "600s");
    const second = await start("rest");
    await until("the second replica to stand by", async () => (await readyz(second)) === "ok: standby", 30_000);
    // The leader has been re-reading every second over gRPC; the standby has sent nothing.
    expect(sim.control.requests().some((r) => r.transport === "grpc")).toBe(true);
    expect(sim.control.requests().some((r) => r.transport === "rest")).toBe(false);

    first.child.kill("SIGSTOP");
    const frozenAt = Date.now();
    await until("the standby to take over", async () => (await readyz(second)) === "ok: leading", 15_000);
    const tookOverMs = Date.now() - frozenAt;
    // Frozen well past the lease duration, with drift waiting for whoever looks first: the thawed leader's
    // resync timers are all overdue and would find it.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 2 * LEASE_MS - tookOverMs)));
    sim.control.patchService(SERVICE, { template: { timeout: "30s" } });
    const thawedAt = Date.now();
    first.child.kill("SIGCONT");

    const exit = await first.exited;
    expect(exit, first.output).toEqual({ code: 1, signal: null });
    expect(first.output).toContain("lost the leader lease");
    await until("the new leader to heal the drift", () => timeout() === "600s");

    const fromFrozen = sim.control.requests().filter((r) => r.transport === "grpc" && Date.parse(r.time) >= frozenAt);
    expect(fromFrozen, JSON.stringify(fromFrozen)).toEqual([]);
    const healed = sim.control.requests({ method: "UpdateService" }).filter((r) => Date.parse(r.time) >= thawedAt);
    expect(healed.length).toBeGreaterThan(0);
    expect(healed.every((r) => r.transport === "rest")).toBe(true);
  });
});
