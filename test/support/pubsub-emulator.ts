// Google's Pub/Sub emulator for tests, as shipped with gcloud (`gcloud beta emulators pubsub start`), on a
// free loopback port with a scratch data directory. It can be killed and started again on the same port,
// for tests of what driftguard does while Pub/Sub is gone.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { PubSub } from "@google-cloud/pubsub";
import { freePort } from "./envtest.ts";

/** Why the emulator cannot run here, or undefined when it can. */
export function pubsubEmulatorMissing(): string | undefined {
  const gcloud = spawnSync("gcloud", ["info", "--format=value(installation.sdk_root)"], { encoding: "utf8" });
  if (gcloud.error || gcloud.status !== 0) return "gcloud is not installed";
  const jarDir = join(gcloud.stdout.trim(), "platform", "pubsub-emulator");
  if (!existsSync(jarDir)) return "the gcloud Pub/Sub emulator component is not installed";
  if (spawnSync("java", ["-version"]).error) return "java (needed by the Pub/Sub emulator) is not installed";
  return undefined;
}

export class PubSubEmulator {
  readonly dataDir = mkdtempSync(join(tmpdir(), "driftguard-pubsub-"));
  #process: ChildProcess | undefined;
  #port = 0;

  get host(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** Starts the emulator (on the same port as before, when restarted) and waits until it answers. */
  async start(): Promise<void> {
    this.#port ||= await freePort();
    // Its own process group, so stop() ends gcloud's Java child too.
    this.#process = spawn(
      "gcloud",
      ["beta", "emulators", "pubsub", "start", `--host-port=${this.host}`, `--data-dir=${this.dataDir}`, "--quiet"],
      { detached: true, stdio: "ignore" },
    );
    // Never outlive the test process, even when it dies before stop().
    const group = this.#process.pid;
    if (group) process.once("exit", () => killGroup(group));
    const deadline = Date.now() + 60_000;
    while (!(await answers(this.#port))) {
      if (this.#process.exitCode !== null) throw new Error(`the Pub/Sub emulator exited (${this.#process.exitCode})`);
      if (Date.now() > deadline) throw new Error("the Pub/Sub emulator did not start within 60 s");
      await sleep(200);
    }
  }

  /** Kills the emulator (every process it started); its topics and subscriptions are gone with it. */
  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (!child?.pid) return;
    if (!killGroup(child.pid)) return;
    while (await answers(this.#port)) await sleep(100);
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** A client on this emulator. */
  client(project: string): PubSub {
    const authClient = { universeDomain: "googleapis.com", getRequestHeaders: () => Promise.resolve(new Headers()) };
    return new PubSub({
      projectId: project,
      apiEndpoint: this.host,
      emulatorMode: true,
      authClient: authClient as never,
    });
  }

  /** Creates a topic and a subscription on it; returns their full names. */
  async topicWithSubscription(
    project: string,
    topic: string,
    subscription: string,
  ): Promise<{ topic: string; subscription: string }> {
    const client = this.client(project);
    try {
      const [created] = await client.createTopic(topic);
      await created.createSubscription(subscription, { ackDeadlineSeconds: 10 });
    } finally {
      await client.close();
    }
    return {
      topic: `projects/${project}/topics/${topic}`,
      subscription: `projects/${project}/subscriptions/${subscription}`,
    };
  }
}

/** SIGKILL to a process group; false when it is gone already. */
function killGroup(pid: number): boolean {
  try {
    process.kill(-pid, "SIGKILL");
    return true;
  } catch {
    return false;
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
