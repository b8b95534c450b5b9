// Helpers for integration tests against the shared kube-apiserver started by global-setup.ts.

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { inject } from "vitest";
import { API_VERSION, GROUP, VERSION } from "../../src/api/common.ts";

export function kubeconfigPath(): string {
  return inject("kubeconfig");
}

export function testKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  return kc;
}

/** Creates a namespace with a unique name starting with `prefix`; tests never share one. */
export async function createNamespace(prefix: string, annotations: Record<string, string> = {}): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString("hex")}`.toLowerCase();
  await testKubeConfig()
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name, annotations } } });
  return name;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the machine's kubectl against the test server. */
export async function kubectl(args: string[], opts: { input?: string } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(
      "kubectl",
      ["--kubeconfig", kubeconfigPath(), ...args],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** Creates a CloudRunServiceConfig in `namespace`, as `kubectl apply` of its manifest would. */
export async function createCloudRunConfig(namespace: string, name: string, spec: object): Promise<void> {
  await testKubeConfig()
    .makeApiClient(CustomObjectsApi)
    .createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: "cloudrunserviceconfigs",
      body: { apiVersion: API_VERSION, kind: "CloudRunServiceConfig", metadata: { name }, spec },
    });
}
