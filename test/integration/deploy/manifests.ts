// Rendering deploy/ with the machine's kubectl (its built-in kustomize), as an operator would.

import { fileURLToPath } from "node:url";
import type { OptionValues } from "commander";
import { parseAllDocuments, stringify } from "yaml";
import { runCommand } from "../../../src/cli/run.ts";
import { kubectl } from "../../support/kube.ts";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const DEPLOY = `${REPO}deploy`;
export const LAYOUTS = ["base", "overlays/staging", "overlays/production", "overlays/production-sharded"] as const;

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

type Container = DeploymentShape["spec"]["template"]["spec"]["containers"][number];

/**
 * The container's command line as `driftguard run` sees it: every DRIFTGUARD_* variable of its env as the
 * flag it stands for, then its args (which win over the environment, as in commander). A variable that is
 * no flag's fails here, so does a flag `run` does not know.
 */
export function runArgsOf(container: Pick<Container, "args" | "env">): string[] {
  const [command, ...args] = container.args;
  if (command !== "run") throw new Error(`the container runs "${command}", not "run"`);
  const options = runCommand().options;
  const fromEnv = (container.env ?? []).flatMap(({ name, value }) => {
    if (!name.startsWith("DRIFTGUARD_")) return [];
    const option = options.find((o) => o.envVar === name);
    if (!option?.long) throw new Error(`${name} is the environment variable of no driftguard run flag`);
    if (value === undefined) throw new Error(`${name} has no literal value`);
    if (!option.required && !option.optional) throw new Error(`${name}: ${option.long} takes no value`);
    return [`${option.long}=${value}`];
  });
  return [...fromEnv, ...args];
}

/** `driftguard run`'s options for the container, parsed by its own parser; unknown flags fail. */
export function runOptionsOf<T extends OptionValues>(container: Pick<Container, "args" | "env">): T {
  const command = runCommand().exitOverride();
  const { operands, unknown } = command.parseOptions(runArgsOf(container));
  if (operands.length > 0 || unknown.length > 0) throw new Error(`not run's: ${[...operands, ...unknown].join(" ")}`);
  return command.opts<T>();
}
