// Rendering deploy/ with the machine's kubectl (its built-in kustomize), as an operator would.

import { fileURLToPath } from "node:url";
import { parseAllDocuments, stringify } from "yaml";
import { kubectl } from "../../support/kube.ts";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const DEPLOY = `${REPO}deploy`;
export const LAYOUTS = ["base", "overlays/staging", "overlays/production"] as const;

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** `kubectl kustomize deploy/<layout>`, parsed; fails with kustomize's own message. */
export async function render(layout: string): Promise<Manifest[]> {
  const result = await kubectl(["kustomize", `${DEPLOY}/${layout}`]);
  if (result.code !== 0) throw new Error(`kubectl kustomize deploy/${layout} failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout).map((doc) => doc.toJS() as Manifest);
}

export function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among: ${manifests.map(describe).join(", ")}`);
  return found;
}

export function describe(m: Manifest): string {
  return `${m.kind}/${m.metadata.name}`;
}

export function toYaml(manifests: Manifest[]): string {
  return manifests.map((m) => stringify(m)).join("---\n");
}

/** Typed access to the parts of the controller Deployment the tests read. */
export interface DeploymentShape {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        serviceAccountName: string;
        terminationGracePeriodSeconds: number;
        securityContext: Record<string, unknown>;
        affinity?: unknown;
        topologySpreadConstraints?: unknown[];
        containers: Array<{
          name: string;
          image: string;
          args: string[];
          env: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>;
          ports: Array<{ name: string; containerPort: number }>;
          livenessProbe: { httpGet: { path: string; port: string | number } };
          readinessProbe: { httpGet: { path: string; port: string | number } };
          resources: { requests: Record<string, string>; limits: Record<string, string> };
          securityContext: Record<string, unknown>;
        }>;
      };
    };
  };
}

export function deploymentOf(manifests: Manifest[]): DeploymentShape["spec"] {
  return (find(manifests, "Deployment", "driftguard") as unknown as DeploymentShape).spec;
}
