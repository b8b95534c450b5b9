// The sharded layout's RBAC applied for real. The shard count and Lease base name are read from the
// rendered Deployment as `driftguard run` reads them; the ServiceAccount may then get and update exactly
// the Leases those replicas contend for, and no other. As many real shard electors as the Deployment has
// replicas, on nothing but the ServiceAccount's token, lead every shard with the rest standing by, and a
// spare takes over a released shard. A count regenerated with `driftguard shard-component` stays in step.

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { CoordinationV1Api, type KubeConfig } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shardLeaseName, ShardElector } from "../../../src/kube/shard.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import { createNamespace, kubectl, testKubeConfig } from "../../support/kube.ts";
import { DEPLOY, REPO, deploymentOf, render, runOptionsOf, toYaml, type Manifest } from "./manifests.ts";
import { isolate, serviceAccountKubeConfig } from "./service-account.ts";

const LAYOUT = "overlays/production-sharded";
const MAIN = join(REPO, "src/cli/main.ts");
const log = createLogger({ level: process.env.DRIFTGUARD_TEST_LOG ?? "silent" });
const suffixes: string[] = [];

interface ElectionFlags {
  shards: number;
  leaderElectionId: string;
}

/** The layout's election settings, the replica count, and the Lease names the replicas will ask for. */
function electionOf(manifests: Manifest[]) {
  const spec = deploymentOf(manifests);
  const container = spec.template.spec.containers[0];
  if (!container) throw new Error("the Deployment has no container");
  const { shards, leaderElectionId } = runOptionsOf<ElectionFlags>(container);
  const leases = Array.from({ length: shards }, (_, i) => shardLeaseName(leaderElectionId, i, shards));
  return { shards, leaderElectionId, replicas: spec.replicas, leases };
}

/** Applies the layout's RBAC objects in a namespace of their own; returns the namespace and the user. */
async function applyRbac(manifests: Manifest[]): Promise<{ home: string; user: string }> {
  const home = await createNamespace("dg-shard-rbac");
  const suffix = randomBytes(3).toString("hex");
  suffixes.push(suffix);
  const applied = await kubectl(["apply", "-f", "-"], { input: toYaml(isolate(manifests, home, suffix)) });
  if (applied.code !== 0) throw new Error(`applying the RBAC objects failed: ${applied.stderr}`);
  return { home, user: `system:serviceaccount:${home}:driftguard` };
}

/** `kubectl auth can-i` as the user, for each line ("VERB RESOURCE -n NAMESPACE"): line → yes/no. */
async function canI(user: string, lines: string[]): Promise<Record<string, string>> {
  const answers: Record<string, string> = {};
  for (const line of lines) {
    const result = await kubectl(["auth", "can-i", ...line.split(" "), `--as=${user}`]);
    answers[line] = result.stdout.trim();
  }
  return answers;
}

const everyAnswer = (lines: string[], answer: string) => Object.fromEntries(lines.map((l) => [l, answer]));

async function until(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

afterAll(async () => {
  for (const suffix of suffixes) {
    await kubectl(["delete", "clusterrolebinding,clusterrole", `driftguard-${suffix}`, "--ignore-not-found"]);
  }
});

describe(`deploy/${LAYOUT} RBAC`, () => {
  let election: ReturnType<typeof electionOf>;
  let home: string;
  let user: string;
  let kc: KubeConfig;

  beforeAll(async () => {
    const manifests = await render(LAYOUT);
    election = electionOf(manifests);
    ({ home, user } = await applyRbac(manifests));
    kc = await serviceAccountKubeConfig(home, "driftguard");
  });

  it("runs more than one shard and a spare", () => {
    expect(election.shards).toBeGreaterThan(1);
    expect(election.replicas).toBeGreaterThan(election.shards);
  });

  it("may create Leases and get and update every shard's Lease", async () => {
    const lines = [
      `create leases.coordination.k8s.io -n ${home}`,
      ...election.leases.flatMap((lease) =>
        ["get", "update"].map((verb) => `${verb} leases.coordination.k8s.io/${lease} -n ${home}`),
      ),
    ];
    expect(await canI(user, lines)).toEqual(everyAnswer(lines, "yes"));
  });

  it("may not touch any other Lease, nor these in another way or place", async () => {
    const { shards, leaderElectionId: id, leases } = election;
    const other = await createNamespace("dg-shard-rbac-other");
    const lines = [
      // The unsharded Lease and the names of other shard counts.
      ...[
        id,
        shardLeaseName(id, shards, shards),
        shardLeaseName(id, 0, shards + 1),
        shardLeaseName(id, 0, shards - 1),
      ].flatMap((lease) => ["get", "update"].map((verb) => `${verb} leases.coordination.k8s.io/${lease} -n ${home}`)),
      ...leases.flatMap((lease) =>
        ["delete", "patch"].map((verb) => `${verb} leases.coordination.k8s.io/${lease} -n ${home}`),
      ),
      `list leases.coordination.k8s.io -n ${home}`,
      `watch leases.coordination.k8s.io -n ${home}`,
      `update leases.coordination.k8s.io/${leases[0]} -n ${other}`,
      `create leases.coordination.k8s.io -n ${other}`,
    ];
    expect(await canI(user, lines)).toEqual(everyAnswer(lines, "no"));
  });

  it("is enough for the Deployment's replicas to lead every shard, the spares standing by", async () => {
    const timings = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 200 };
    const electors = Array.from(
      { length: election.replicas },
      (_, k) =>
        new ShardElector({
          kubeConfig: kc,
          namespace: home,
          name: election.leaderElectionId,
          shards: election.shards,
          identity: `replica-${k}`,
          log,
          ...timings,
        }),
    );
    const leading = () => electors.filter((e) => e.isLeader());
    const leases = testKubeConfig().makeApiClient(CoordinationV1Api);
    /** Who holds shard `index`'s Lease, as the API server has it. */
    const holder = async (index: number | undefined) => {
      const name = index === undefined ? undefined : election.leases[index];
      if (name === undefined) throw new Error(`no shard ${index}`);
      return (await leases.readNamespacedLease({ name, namespace: home })).spec?.holderIdentity;
    };
    try {
      for (const e of electors) e.start();
      await until("every shard to have a leader", () => leading().length === election.shards);
      expect(
        leading()
          .map((e) => e.index)
          .sort(),
      ).toEqual(election.leases.map((_, i) => i));
      for (const e of leading()) {
        expect(await holder(e.index)).toBe(e.identity);
      }
      const spares = electors.filter((e) => !e.isLeader());
      expect(spares).toHaveLength(election.replicas - election.shards);

      // A leader hands its shard back (as on SIGTERM); a spare takes it over.
      const [first] = leading();
      if (first?.index === undefined) throw new Error("no leader");
      const released = first.index;
      await first.stop();
      await until("a spare to take over the released shard", () => spares.some((s) => s.isLeader()));
      const successor = spares.find((s) => s.isLeader());
      expect(successor?.index).toBe(released);
      expect(await holder(released)).toBe(successor?.identity);
    } finally {
      await Promise.all(electors.map((e) => e.stop()));
    }
  });
});

describe("a shard count regenerated with driftguard shard-component", () => {
  const scratch = mkdtempSync(join(tmpdir(), "driftguard-shards-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("moves the Deployment's count and the Role's Lease names together", async () => {
    cpSync(DEPLOY, join(scratch, "deploy"), { recursive: true });
    const component = join(scratch, "deploy", "components", "shards");
    await promisify(execFile)(process.execPath, [
      MAIN,
      "shard-component",
      "--shards",
      "5",
      "--spares",
      "2",
      "--write",
      component,
    ]);
    const rendered = await kubectl(["kustomize", join(scratch, "deploy", LAYOUT)]);
    expect(rendered.code, rendered.stderr).toBe(0);
    const manifests = parseAllDocuments(rendered.stdout).map((doc) => doc.toJS() as Manifest);
    const regenerated = electionOf(manifests);
    expect(regenerated).toMatchObject({ shards: 5, replicas: 7 });

    const { home, user } = await applyRbac(manifests);
    const allowed = regenerated.leases.map((lease) => `update leases.coordination.k8s.io/${lease} -n ${home}`);
    const before = electionOf(await render(LAYOUT)).leases;
    const stale = before.map((lease) => `update leases.coordination.k8s.io/${lease} -n ${home}`);
    expect(await canI(user, [...allowed, ...stale])).toEqual({
      ...everyAnswer(allowed, "yes"),
      ...everyAnswer(stale, "no"),
    });
  });
});
