// The real `gcloud run` against the simulator's Cloud Run Admin API v1, reached through gcloud's own proxy
// settings; what gcloud writes is then read back through the v2 client, the way driftguard reads it.

import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { servicesClient } from "./cloudrun-clients.ts";
import { Gcloud, GCLOUD_MISSING, gcloudInstalled } from "./gcloud-cli.ts";

const PROJECT = "demo";
const REGION = "us-central1";
const NAME = `projects/${PROJECT}/locations/${REGION}/services/web`;
const CONNECTOR = `projects/${PROJECT}/locations/${REGION}/connectors/edge`;

interface V1Service {
  metadata: { name: string; generation: number; annotations: Record<string, string> };
  spec: {
    template: {
      metadata: { annotations: Record<string, string> };
      spec: {
        timeoutSeconds: number;
        containers: Array<{
          image: string;
          env?: Array<{ name: string; value: string }>;
          resources: { limits: Record<string, string> };
        }>;
      };
    };
  };
  status: { observedGeneration: number; conditions: Array<{ type: string; status: string }> };
}

if (!gcloudInstalled()) {
  describe(`gcloud run services ${GCLOUD_MISSING}`, () => {
    it("finds no gcloud on PATH", () => {
      expect(() => execFileSync("gcloud", ["version"], { stdio: "ignore" })).toThrow();
    });
  });
} else {
  describe("gcloud run services against the simulator", () => {
    let sim: Simulator;
    let gcloud: Gcloud;

    beforeAll(async () => {
      sim = await startSimulator({
        operationLatencyMs: 300,
        seed: {
          services: [
            {
              name: NAME,
              template: {
                containers: [
                  {
                    image: "us-docker.pkg.dev/demo/app/web:1",
                    env: [{ name: "DB_POOL_SIZE", value: "10" }],
                    resources: { limits: { cpu: "1000m", memory: "512Mi" } },
                  },
                ],
              },
            },
            {
              name: `projects/${PROJECT}/locations/europe-west1/services/batch`,
              template: { containers: [{ image: "b" }] },
            },
          ],
        },
      });
      gcloud = new Gcloud(sim.restPort, PROJECT);
    });

    afterAll(async () => {
      gcloud.dispose();
      await sim.stop();
    });

    it("describes a service with the v1 fields gcloud shows", async () => {
      const service = await gcloud.json<V1Service>("run", "services", "describe", "web", "--region", REGION);
      expect(service.metadata.name).toBe("web");
      expect(service.spec.template.spec.containers[0]?.resources.limits).toEqual({ cpu: "1000m", memory: "512Mi" });
      expect(service.spec.template.spec.timeoutSeconds).toBe(300);
      expect(service.status.conditions.find((c) => c.type === "Ready")?.status).toBe("True");
      expect(sim.control.requests({ method: "google.cloud.run.v1.Services/GetService" }).length).toBeGreaterThan(0);
    });

    it("lists one region, and every region without --region", async () => {
      const regional = await gcloud.json<V1Service[]>("run", "services", "list", "--region", REGION);
      expect(regional.map((s) => s.metadata.name)).toEqual(["web"]);
      const everywhere = await gcloud.json<V1Service[]>("run", "services", "list");
      expect(everywhere.map((s) => s.metadata.name).sort()).toEqual(["batch", "web"]);
    });

    it("updates by hand the way the field reports describe, and v2 reads what gcloud wrote", async () => {
      const result = await gcloud.run(
        ...["run", "services", "update", "web", "--region", REGION],
        ...["--timeout=25", "--update-env-vars", "DB_POOL_SIZE=20", "--min-instances", "1", "--max-instances", "7"],
        ...["--cpu", "2", "--memory", "2Gi", "--vpc-connector", CONNECTOR],
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain("has been deployed and is serving 100 percent of traffic");
      const [service] = await servicesClient(sim, "grpc").getService({ name: NAME });
      const template = service.template;
      expect(Number(template?.timeout?.seconds)).toBe(25);
      expect(template?.scaling).toMatchObject({ minInstanceCount: 1, maxInstanceCount: 7 });
      expect(template?.vpcAccess?.connector).toBe(CONNECTOR);
      expect(template?.containers?.[0]?.resources?.limits).toEqual({ cpu: "2", memory: "2Gi" });
      expect(template?.containers?.[0]?.env?.map((e) => [e.name, e.value])).toEqual([["DB_POOL_SIZE", "20"]]);
      expect(template?.containers?.[0]?.image).toBe("us-docker.pkg.dev/demo/app/web:1");
      expect(String(service.generation)).toBe(String(service.observedGeneration));
      expect(service.client).toBe("gcloud");
    });

    it("deploys an image to an existing service and creates a new one", async () => {
      const deployed = await gcloud.run(
        ...["run", "deploy", "web", "--image", "us-docker.pkg.dev/demo/app/web:2", "--region", REGION],
      );
      expect(deployed.code, deployed.stderr).toBe(0);
      const [service] = await servicesClient(sim, "rest").getService({ name: NAME });
      expect(service.template?.containers?.[0]?.image).toBe("us-docker.pkg.dev/demo/app/web:2");
      expect(Number(service.template?.timeout?.seconds)).toBe(25);

      const created = await gcloud.run(
        ...["run", "deploy", "fresh", "--image", "us-docker.pkg.dev/demo/app/fresh:1", "--region", REGION],
      );
      expect(created.code, created.stderr).toBe(0);
      expect(sim.control.getService(`projects/${PROJECT}/locations/${REGION}/services/fresh`)).toMatchObject({
        template: { containers: [{ image: "us-docker.pkg.dev/demo/app/fresh:1" }] },
      });
    });

    it("deletes a service, which v2 then no longer finds", async () => {
      const result = await gcloud.run("run", "services", "delete", "fresh", "--region", REGION);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain("Deleted service [fresh]");
      await expect(
        servicesClient(sim, "grpc").getService({ name: `projects/${PROJECT}/locations/${REGION}/services/fresh` }),
      ).rejects.toMatchObject({ code: 5 });
    });

    it("reports a missing service", async () => {
      const result = await gcloud.run("run", "services", "describe", "ghost", "--region", REGION);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain("Cannot find service [ghost]");
    });
  });
}
