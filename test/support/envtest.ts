// A real Kubernetes control plane for tests and local development (the envtest approach): etcd plus a
// kube-apiserver built from Debian's kubernetes source (scripts/install-envtest.sh), on free loopback
// ports, with a static admin token and a service-account signing key so TokenRequest works.

import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseAllDocuments } from "yaml";

const ADMIN_TOKEN = "driftguard-envtest-admin";

export function apiServerBinary(): string {
  const cache = process.env.DRIFTGUARD_CACHE ?? join(homedir(), ".cache", "driftguard");
  // Keep in step with build_tag in scripts/install-envtest.sh.
  const path = process.env.KUBE_APISERVER ?? join(cache, "kube-apiserver-1.20.2-dg1", "kube-apiserver");
  if (!existsSync(path)) {
    throw new Error(`kube-apiserver not found at ${path}: run "npm run setup" (scripts/install-envtest.sh) first`);
  }
  return path;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export interface EnvtestOptions {
  /** Directory of CRD YAML files installed (and awaited until Established) at start. */
  crdDirectory?: string;
  log?: (line: string) => void;
}

export class Envtest {
  readonly dir = mkdtempSync(join(tmpdir(), "driftguard-envtest-"));
  readonly kubeconfigPath = join(this.dir, "kubeconfig");
  readonly adminToken = ADMIN_TOKEN;
  #etcd: ChildProcess | undefined;
  #apiServer: ChildProcess | undefined;
  #etcdPort = 0;
  #apiPort = 0;
  #options: EnvtestOptions;

  constructor(options: EnvtestOptions = {}) {
    this.#options = options;
  }

  get server(): string {
    return `https://127.0.0.1:${this.#apiPort}`;
  }

  async start(): Promise<void> {
    try {
      this.#writeCredentials();
      await this.#startEtcd();
      this.#apiPort = await freePort();
      await this.startApiServer();
      this.#writeKubeconfig();
      if (this.#options.crdDirectory) await this.installCrds(this.#options.crdDirectory);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Starts (or restarts, on the same port and etcd) the API server and waits until it is ready. */
  async startApiServer(): Promise<void> {
    const d = this.dir;
    const args = [
      `--etcd-servers=http://127.0.0.1:${this.#etcdPort}`,
      `--cert-dir=${join(d, "certs")}`,
      `--secure-port=${this.#apiPort}`,
      "--bind-address=127.0.0.1",
      `--token-auth-file=${join(d, "tokens.csv")}`,
      "--authorization-mode=RBAC",
      "--service-account-issuer=https://kubernetes.default.svc",
      `--service-account-key-file=${join(d, "sa.pub")}`,
      `--service-account-signing-key-file=${join(d, "sa.key")}`,
      "--service-cluster-ip-range=10.0.0.0/24",
      "--disable-admission-plugins=ServiceAccount",
      "--allow-privileged=true",
    ];
    this.#apiServer = this.#spawn("kube-apiserver", apiServerBinary(), args);
    await this.#waitReady();
  }

  /** Stops the API server only (etcd keeps the data), to test clients that must survive a restart. */
  async stopApiServer(): Promise<void> {
    await stopProcess(this.#apiServer);
    this.#apiServer = undefined;
  }

  async stop(): Promise<void> {
    await stopProcess(this.#apiServer);
    await stopProcess(this.#etcd);
    this.#apiServer = this.#etcd = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Creates or replaces every CRD in `directory`, then waits until each is Established. */
  async installCrds(directory: string): Promise<string[]> {
    const names: string[] = [];
    for (const file of readdirSync(directory).filter((f) => /\.ya?ml$/.test(f))) {
      for (const doc of parseAllDocuments(readFileSync(join(directory, file), "utf8"))) {
        const crd = doc.toJS() as { metadata: { name: string } } | null;
        if (!crd) continue;
        await this.#applyCrd(crd);
        names.push(crd.metadata.name);
      }
    }
    for (const name of names) await this.#waitEstablished(name);
    return names;
  }

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        `${this.server}${path}`,
        {
          method,
          // The server's certificate is self-signed and only ever reached on loopback.
          rejectUnauthorized: false,
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => {
            try {
              resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as unknown) : undefined });
            } catch {
              resolve({ status: res.statusCode ?? 0, json: text });
            }
          });
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  async #applyCrd(crd: { metadata: { name: string } }): Promise<void> {
    const path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    const existing = await this.request("GET", `${path}/${crd.metadata.name}`);
    if (existing.status === 404) {
      const created = await this.request("POST", path, crd);
      if (created.status >= 300) throw new Error(`creating CRD ${crd.metadata.name}: ${JSON.stringify(created.json)}`);
      return;
    }
    const resourceVersion = (existing.json as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const replaced = await this.request("PUT", `${path}/${crd.metadata.name}`, {
      ...crd,
      metadata: { ...crd.metadata, resourceVersion },
    });
    if (replaced.status >= 300) throw new Error(`replacing CRD ${crd.metadata.name}: ${JSON.stringify(replaced.json)}`);
  }

  async #waitEstablished(name: string): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const { json } = await this.request("GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
      const conditions = (json as { status?: { conditions?: Array<{ type: string; status: string }> } }).status
        ?.conditions;
      if (conditions?.some((c) => c.type === "Established" && c.status === "True")) return;
      await sleep(100);
    }
    throw new Error(`CRD ${name} did not become Established`);
  }

  #writeCredentials(): void {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(join(this.dir, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
    writeFileSync(join(this.dir, "sa.key"), privateKey.export({ type: "pkcs8", format: "pem" }));
    writeFileSync(join(this.dir, "tokens.csv"), `${ADMIN_TOKEN},envtest-admin,envtest-admin-uid,"system:masters"\n`);
  }

  async #startEtcd(): Promise<void> {
    this.#etcdPort = await freePort();
    const peerPort = await freePort();
    const peer = `http://127.0.0.1:${peerPort}`;
    const client = `http://127.0.0.1:${this.#etcdPort}`;
    this.#etcd = this.#spawn("etcd", process.env.ETCD ?? "etcd", [
      `--data-dir=${join(this.dir, "etcd")}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=default=${peer}`,
      "--unsafe-no-fsync",
      "--log-level=warn",
    ]);
    for (let attempt = 0; attempt < 100; attempt++) {
      const ok = await fetch(`${client}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await sleep(100);
    }
    throw new Error(`etcd did not become healthy; see ${join(this.dir, "etcd.log")}`);
  }

  async #waitReady(): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.#apiServer?.exitCode != null) break;
      const ready = await this.request("GET", "/readyz").then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) return;
      await sleep(200);
    }
    const log = readFileSync(join(this.dir, "kube-apiserver.log"), "utf8").split("\n").slice(-20).join("\n");
    throw new Error(`kube-apiserver did not become ready:\n${log}`);
  }

  #writeKubeconfig(): void {
    writeFileSync(
      this.kubeconfigPath,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: envtest",
        "  cluster:",
        `    server: ${this.server}`,
        "    insecure-skip-tls-verify: true",
        "users:",
        "- name: envtest-admin",
        "  user:",
        `    token: ${ADMIN_TOKEN}`,
        "contexts:",
        "- name: envtest",
        "  context: {cluster: envtest, user: envtest-admin}",
        "current-context: envtest",
        "",
      ].join("\n"),
    );
  }

  #spawn(name: string, command: string, args: string[]): ChildProcess {
    const log = openSync(join(this.dir, `${name}.log`), "a");
    const child = spawn(command, args, { stdio: ["ignore", log, log] });
    child.on("error", (err) => this.#options.log?.(`${name}: ${err.message}`));
    // Even if the test process dies without running teardown, never leave a control plane behind.
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    child.once("exit", () => process.removeListener("exit", killOnExit));
    return child;
  }
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode != null || child.signalCode != null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}
