// deploy/ as kustomize renders it: the objects each layout produces and the properties that matter in
// production (hardening, probes, least-privilege RBAC, per-environment settings, alerts).

import { readdirSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseDuration } from "../../../src/api/duration.ts";
import { KINDS, crdFileName, crdYaml } from "../../../src/api/index.ts";
import { runCommand } from "../../../src/cli/run.ts";
import {
  shardComponentCommand,
  shardComponentFiles,
  type ShardComponentOptions,
} from "../../../src/cli/shard-component.ts";
import { shardLeaseName } from "../../../src/kube/shard.ts";
import {
  DEPLOY,
  LAYOUTS,
  deploymentOf,
  describe as name,
  find,
  render,
  runOptionsOf,
  type Manifest,
} from "./manifests.ts";

const rendered: Record<string, Manifest[]> = {};

beforeAll(async () => {
  for (const layout of LAYOUTS) rendered[layout] = await render(layout);
});

const layout = (l: (typeof LAYOUTS)[number]) => rendered[l] ?? [];

interface RunFlags {
  logLevel: string;
  requireProjectAllowlist: boolean;
  leaderElect: boolean;
  leaderElectionId: string;
  healthPort: number;
  shutdownTimeout: string;
  renewDeadline: string;
  shards: number;
}

/** The container's args as `driftguard run` itself parses them: unknown or invalid flags fail here. */
function parseRunArgs(args: string[]): RunFlags {
  expect(args[0]).toBe("run");
  const command = runCommand().exitOverride();
  const { operands, unknown } = command.parseOptions(args.slice(1));
  expect({ operands, unknown }).toEqual({ operands: [], unknown: [] });
  return command.opts<RunFlags>();
}

describe("deploy/crds", () => {
  it("holds exactly the CRDs generated from the API schemas", () => {
    const files = readdirSync(`${DEPLOY}/crds`).filter((f) => f !== "kustomization.yaml");
    expect(files.sort()).toEqual(KINDS.map(crdFileName).sort());
    for (const kind of KINDS) {
      expect(readFileSync(`${DEPLOY}/crds/${crdFileName(kind)}`, "utf8"), crdFileName(kind)).toBe(crdYaml(kind));
    }
  });
});

describe.each(LAYOUTS)("deploy/%s", (l) => {
  it("renders the controller's objects, namespaced in driftguard-system", () => {
    const objects = layout(l);
    expect(objects.map(name).sort()).toEqual(
      [
        "ClusterRole/driftguard",
        "ClusterRoleBinding/driftguard",
        "CustomResourceDefinition/cloudrunserviceconfigs.driftguard.dev",
        "CustomResourceDefinition/serviceconfigpolicies.driftguard.dev",
        "CustomResourceDefinition/vpcconnectorconfigs.driftguard.dev",
        "Deployment/driftguard",
        "Namespace/driftguard-system",
        "PodDisruptionBudget/driftguard",
        "PrometheusRule/driftguard",
        "Role/driftguard-leader-election",
        "RoleBinding/driftguard-leader-election",
        "Service/driftguard-metrics",
        "ServiceAccount/driftguard",
      ].sort(),
    );
    const clusterScoped = new Set(["ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "Namespace"]);
    for (const o of objects) {
      expect(o.metadata.namespace, name(o)).toBe(clusterScoped.has(o.kind) ? undefined : "driftguard-system");
    }
  });

  it("runs hardened replicas with probes and resources", () => {
    const spec = deploymentOf(layout(l));
    const pod = spec.template.spec;
    expect(spec.replicas).toBeGreaterThanOrEqual(2);
    expect(pod.serviceAccountName).toBe("driftguard");
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.securityContext.runAsUser).toBe(65532);
    expect(pod.affinity).toBeDefined();
    expect(pod.topologySpreadConstraints).toHaveLength(1);

    expect(pod.containers).toHaveLength(1);
    const [c] = pod.containers;
    expect(c?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(c?.image).toMatch(/^ghcr\.io\/driftguard\/driftguard:\d+\.\d+\.\d+/);
    expect(c?.ports).toEqual([{ name: "metrics", containerPort: 8081, protocol: "TCP" }]);
    expect(c?.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "metrics" });
    expect(c?.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "metrics" });
    expect(
      Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath ?? e.value])),
    ).toEqual({
      POD_NAME: "metadata.name",
      POD_NAMESPACE: "metadata.namespace",
      DRIFTGUARD_LEADER_ELECTION_NAMESPACE: "$(POD_NAMESPACE)",
      ...(l === "overlays/production-sharded"
        ? { DRIFTGUARD_SHARDS: "3", DRIFTGUARD_LEADER_ELECTION_ID: "driftguard" }
        : {}),
    });
    for (const part of ["requests", "limits"] as const) {
      expect(Object.keys(c?.resources[part] ?? {}).sort(), part).toEqual(["cpu", "memory"]);
    }
  });

  it("passes flags driftguard run accepts, consistent with the ports, Role and grace period", () => {
    const pod = deploymentOf(layout(l)).template.spec;
    parseRunArgs(pod.containers[0]?.args ?? []);
    // Args and DRIFTGUARD_* variables together, as the process will read them.
    const flags = runOptionsOf<RunFlags>(pod.containers[0] ?? { args: [], env: [] });
    expect(flags.healthPort).toBe(8081);
    expect(flags.leaderElect).toBe(true);
    // Exactly the Leases the replicas contend for: the leader's, or one per shard named as the elector names it.
    const leases =
      flags.shards > 1
        ? Array.from({ length: flags.shards }, (_, i) => shardLeaseName(flags.leaderElectionId, i, flags.shards))
        : [flags.leaderElectionId];
    const role = find(layout(l), "Role", "driftguard-leader-election").rules as Array<{ resourceNames?: string[] }>;
    expect(role.flatMap((r) => r.resourceNames ?? [])).toEqual(leases);
    const stopMs = parseDuration(flags.shutdownTimeout) + parseDuration(flags.renewDeadline);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(stopMs);
  });

  it("selects the controller's pods from the Deployment, PodDisruptionBudget and Service alike", () => {
    const objects = layout(l);
    const spec = deploymentOf(objects);
    const podLabels = spec.template.metadata.labels;
    const selects = (selector: Record<string, string>) =>
      Object.entries(selector).every(([k, v]) => podLabels[k] === v);
    const pdb = find(objects, "PodDisruptionBudget", "driftguard") as unknown as {
      spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } };
    };
    const service = find(objects, "Service", "driftguard-metrics") as unknown as {
      spec: { selector: Record<string, string>; ports: unknown[] };
    };
    expect(selects(spec.selector.matchLabels)).toBe(true);
    // A drain keeps a replica for the Lease (each shard's Lease), so evictions take only spares.
    const { shards } = runOptionsOf<RunFlags>(spec.template.spec.containers[0] ?? { args: [], env: [] });
    expect(pdb.spec.minAvailable).toBe(shards);
    expect(spec.replicas).toBeGreaterThan(shards);
    expect(selects(pdb.spec.selector.matchLabels)).toBe(true);
    expect(selects(service.spec.selector)).toBe(true);
    expect(service.spec.ports).toEqual([{ name: "metrics", port: 8081, targetPort: "metrics", protocol: "TCP" }]);
  });
});

describe("RBAC in deploy/base", () => {
  it("grants the ClusterRole only what the controller calls", () => {
    expect(find(layout("base"), "ClusterRole", "driftguard").rules).toEqual([
      {
        apiGroups: ["driftguard.dev"],
        resources: ["cloudrunserviceconfigs", "vpcconnectorconfigs", "serviceconfigpolicies"],
        verbs: ["get", "list", "watch"],
      },
      {
        apiGroups: ["driftguard.dev"],
        resources: ["cloudrunserviceconfigs/status", "vpcconnectorconfigs/status", "serviceconfigpolicies/status"],
        verbs: ["get", "update"],
      },
      { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create", "patch"] },
      { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] },
    ]);
  });

  it("limits the leader-election Role to its own Lease, except create", () => {
    expect(find(layout("base"), "Role", "driftguard-leader-election").rules).toEqual([
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
      {
        apiGroups: ["coordination.k8s.io"],
        resources: ["leases"],
        resourceNames: ["driftguard"],
        verbs: ["get", "update"],
      },
    ]);
  });

  it.each([
    ["ClusterRoleBinding", "driftguard", "ClusterRole"],
    ["RoleBinding", "driftguard-leader-election", "Role"],
  ])("binds %s %s to the controller's ServiceAccount", (kind, bindingName, roleKind) => {
    const binding = find(layout("base"), kind, bindingName);
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: roleKind, name: bindingName });
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "driftguard", namespace: "driftguard-system" }]);
  });
});

describe("overlays", () => {
  const workloadIdentity = (l: (typeof LAYOUTS)[number]) =>
    find(layout(l), "ServiceAccount", "driftguard").metadata.annotations?.["iam.gke.io/gcp-service-account"];
  const container = (l: (typeof LAYOUTS)[number]) => deploymentOf(layout(l)).template.spec.containers[0];

  it("leave a placeholder project in the base and fill in each environment's", () => {
    expect(workloadIdentity("base")).toBe("driftguard@PROJECT_ID.iam.gserviceaccount.com");
    expect(workloadIdentity("overlays/staging")).toBe("driftguard@netra-staging.iam.gserviceaccount.com");
    expect(workloadIdentity("overlays/production")).toBe("driftguard@netra-production.iam.gserviceaccount.com");
  });

  it("are closed by default: every layout requires a namespace's project allowlist", () => {
    for (const l of LAYOUTS) expect(parseRunArgs(container(l)?.args ?? []).requireProjectAllowlist).toBe(true);
    expect(container("overlays/production")?.args).toEqual(["run", "--log-level=info", "--require-project-allowlist"]);
    expect(container("overlays/staging")?.args).toEqual(["run", "--log-level=debug", "--require-project-allowlist"]);
    expect(container("overlays/production-sharded")?.args).toEqual(container("overlays/production")?.args);
  });

  it("size production for three zones and more load", () => {
    expect(deploymentOf(layout("overlays/production")).replicas).toBe(3);
    expect(deploymentOf(layout("overlays/staging")).replicas).toBe(2);
    expect(deploymentOf(layout("overlays/production-sharded")).replicas).toBe(3 + 1);
    for (const l of ["overlays/production", "overlays/production-sharded"] as const) {
      expect(container(l)?.resources, l).toEqual({
        requests: { cpu: "250m", memory: "512Mi" },
        limits: { cpu: "1", memory: "1Gi" },
      });
    }
    expect(container("overlays/staging")?.resources.requests).toEqual({ cpu: "50m", memory: "256Mi" });
  });

  it("pin the image tag", () => {
    for (const l of ["overlays/staging", "overlays/production", "overlays/production-sharded"] as const) {
      expect(container(l)?.image, l).toBe("ghcr.io/driftguard/driftguard:0.1.0");
    }
  });
});

describe("the shards component", () => {
  const component = `${DEPLOY}/components/shards`;

  it("holds exactly what the command in its header writes (regenerate rather than edit)", () => {
    const header = readFileSync(`${component}/kustomization.yaml`, "utf8").split("\n")[0] ?? "";
    const commandLine = /^# Generated by `driftguard shard-component (?<args>[^`]*)`/.exec(header)?.groups?.args;
    if (commandLine === undefined) throw new Error(`no generator command in: ${header}`);
    const command = shardComponentCommand().exitOverride();
    const { unknown } = command.parseOptions([...commandLine.split(" "), "--write", component]);
    expect(unknown).toEqual([]);
    const files = shardComponentFiles(command.opts<ShardComponentOptions>());
    expect(readdirSync(component).sort()).toEqual(files.map((f) => f.name).sort());
    for (const file of files) expect(readFileSync(`${component}/${file.name}`, "utf8"), file.name).toBe(file.text);
  });

  it("changes production only where the shard count goes: replicas, --shards, Lease names, PDB, alert", () => {
    const production = layout("overlays/production");
    const sharded = layout("overlays/production-sharded");
    expect(sharded.map(name)).toEqual(production.map(name));
    const changed = production.flatMap((m, i) => differences(m, sharded[i]).map((path) => `${name(m)} ${path}`));
    expect(changed).toEqual([
      "Role/driftguard-leader-election .rules[1].resourceNames",
      "Deployment/driftguard .spec.replicas",
      "Deployment/driftguard .spec.template.spec.containers[0].env",
      "PodDisruptionBudget/driftguard .spec.minAvailable",
      "PrometheusRule/driftguard .spec.groups",
    ]);
  });
});

describe("PrometheusRule", () => {
  // What each alert does is proven by promtool (test/unit/deploy/alert-rules.test.ts) and by a real
  // Prometheus (test/integration/observability); here: kustomize ships that very rule file unchanged.
  it("renders deploy/base/prometheus-rule.yaml as it is", () => {
    const file = parse(readFileSync(`${DEPLOY}/base/prometheus-rule.yaml`, "utf8")) as { spec: unknown };
    expect(find(layout("base"), "PrometheusRule", "driftguard").spec).toEqual(file.spec);
  });
});

/** The paths at which two JSON values differ; an array whose length differs is one difference. */
function differences(a: unknown, b: unknown, path = ""): string[] {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [path];
    return a.flatMap((item, i) => differences(item, b[i], `${path}[${i}]`));
  }
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])];
    return keys.flatMap((k) => differences(left[k], right[k], `${path}.${k}`));
  }
  return a === b ? [] : [path];
}
