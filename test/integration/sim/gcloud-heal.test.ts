// Drift made the way the field reports describe it: someone runs `gcloud run services update` by hand.
// The real gcloud writes through the simulator's Cloud Run v1 API; the real driftguard controller, on the
// real kube-apiserver, reads v2 and heals every owned setting, and keeps the image gcloud deployed.

import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { condition, envOf, Rig, serviceSeed, type LiveService } from "../../support/controller.ts";
import { Gcloud, GCLOUD_MISSING, gcloudInstalled } from "./gcloud-cli.ts";

const PROJECT = "netra-staging";
const REGION = "us-central1";
const SERVICE = `projects/${PROJECT}/locations/${REGION}/services/backend`;
const DECLARED_CONNECTOR = `projects/${PROJECT}/locations/${REGION}/connectors/staging`;

const spec = {
  service: { project: PROJECT, region: REGION, name: "backend" },
  resyncInterval: "2s",
  requestTimeout: "600s",
  resources: { cpu: "2", memory: "4Gi" },
  scaling: { minInstances: 1, maxInstances: 4 },
  vpcAccess: { connector: DECLARED_CONNECTOR, egress: "ALL_TRAFFIC" },
  database: {
    cloudSqlInstance: `${PROJECT}:${REGION}:db`,
    maxConnections: 400,
    timeouts: { initialization: "75s", connection: "35s", pool: "45s" },
    pool: { size: 10, maxOverflow: 15 },
  },
};

/** The owned settings as the v2 API shows them. */
function owned(service: LiveService) {
  const template = service.template as LiveService["template"] & {
    scaling?: { minInstanceCount?: number; maxInstanceCount?: number };
    vpcAccess?: { connector?: string; egress?: string };
  };
  const container = template.containers[0];
  return {
    timeout: template.timeout,
    scaling: template.scaling,
    connector: template.vpcAccess?.connector,
    egress: template.vpcAccess?.egress,
    limits: container?.resources?.limits,
    poolSize: envOf(container).DB_POOL_SIZE,
  };
}

const DECLARED = {
  timeout: "600s",
  scaling: { minInstanceCount: 1, maxInstanceCount: 4 },
  connector: DECLARED_CONNECTOR,
  egress: "ALL_TRAFFIC",
  limits: { cpu: "2", memory: "4Gi" },
  poolSize: "10",
};

if (!gcloudInstalled()) {
  describe(`drift made with gcloud run services update ${GCLOUD_MISSING}`, () => {
    it("finds no gcloud on PATH", () => {
      expect(() => execFileSync("gcloud", ["version"], { stdio: "ignore" })).toThrow();
    });
  });
} else {
  describe("drift made with gcloud run services update", () => {
    let rig: Rig;
    let gcloud: Gcloud;

    beforeAll(async () => {
      rig = await Rig.start("gcloud-heal", { sim: { seed: serviceSeed(["backend"], PROJECT, REGION) } });
      gcloud = new Gcloud(rig.sim.restPort, PROJECT);
      await rig.create("CloudRunServiceConfig", "backend", spec);
      await rig.waitFor("CloudRunServiceConfig", "backend", (o) => condition(o, "Ready")?.status === "True");
    });

    afterAll(async () => {
      gcloud.dispose();
      await rig.stop();
    });

    it("is healed within a resync: timeout, env, instances, cpu/memory and connector", async () => {
      expect(owned(rig.service(SERVICE))).toEqual(DECLARED);
      const result = await gcloud.run(
        ...["run", "services", "update", "backend", "--region", REGION],
        ...["--timeout=25", "--update-env-vars", "DB_POOL_SIZE=20", "--min-instances", "3", "--max-instances", "20"],
        ...[
          "--cpu",
          "1",
          "--memory",
          "1Gi",
          "--vpc-connector",
          `projects/${PROJECT}/locations/${REGION}/connectors/other`,
        ],
        ...["--vpc-egress", "private-ranges-only"],
      );
      expect(result.code, result.stderr).toBe(0);
      expect(rig.calls("google.cloud.run.v1.Services/ReplaceService", `namespaces/${PROJECT}/services/backend`)).toBe(
        1,
      );

      const healed = await rig.waitFor(
        "CloudRunServiceConfig",
        "backend",
        (o) => Number(o.status?.driftCorrections ?? 0) >= 1 && condition(o, "Ready")?.status === "True",
        20_000,
      );
      expect(owned(rig.service(SERVICE))).toEqual(DECLARED);
      const detected = (await rig.events("backend")).find((e) => e.reason === "DriftDetected");
      // driftguard saw, through v2, every setting gcloud changed through v1.
      for (const seen of [
        "requestTimeout 600s → 25s",
        "DB_POOL_SIZE 10 → 20",
        "connectors/other",
        "scaling.minInstances 1 → 3",
      ])
        expect(detected?.note).toContain(seen);
      expect(healed.status?.driftCorrections).toBeGreaterThanOrEqual(1);
    });

    it("keeps the image deployed with gcloud while healing the settings the deploy knocked back", async () => {
      const corrections = Number((await rig.get("CloudRunServiceConfig", "backend")).status?.driftCorrections ?? 0);
      const image = `us-docker.pkg.dev/${PROJECT}/app/backend:hotfix-1`;
      const result = await gcloud.run(
        ...["run", "deploy", "backend", "--image", image, "--region", REGION, "--timeout=25"],
      );
      expect(result.code, result.stderr).toBe(0);
      await rig.waitFor(
        "CloudRunServiceConfig",
        "backend",
        (o) => Number(o.status?.driftCorrections ?? 0) > corrections && condition(o, "Ready")?.status === "True",
        20_000,
      );
      const live = rig.service(SERVICE);
      expect(owned(live)).toEqual(DECLARED);
      expect(live.template.containers[0]?.image).toBe(image);
      // gcloud reads back, through v1, what driftguard restored through v2.
      const described = await gcloud.json<{ spec: { template: { spec: { timeoutSeconds: number } } } }>(
        ...["run", "services", "describe", "backend", "--region", REGION],
      );
      expect(described.spec.template.spec.timeoutSeconds).toBe(600);
    });
  });
}
