import { describe, expect, it } from "vitest";
import { withServiceDefaults } from "./defaults.ts";

const limitsOf = (service: Record<string, unknown>) =>
  (service.template as { containers: Array<{ resources: { limits: Record<string, string> } }> }).containers[0]
    ?.resources.limits;
const concurrencyOf = (service: Record<string, unknown>) =>
  (service.template as { maxInstanceRequestConcurrency: number }).maxInstanceRequestConcurrency;

describe("Cloud Run server-side defaults", () => {
  it("keeps CPU and memory quantities as written", () => {
    const service = withServiceDefaults(
      { template: { containers: [{ image: "i", resources: { limits: { cpu: "2000m", memory: "4096Mi" } } }] } },
      "1",
    );
    expect(limitsOf(service)).toEqual({ cpu: "2000m", memory: "4096Mi" });
  });

  it("defaults concurrency to 1 below one CPU and to 80 otherwise", () => {
    const withCpu = (cpu: string) =>
      withServiceDefaults({ template: { containers: [{ image: "i", resources: { limits: { cpu } } }] } }, "1");
    expect([concurrencyOf(withCpu("500m")), concurrencyOf(withCpu("0.5")), concurrencyOf(withCpu("1"))]).toEqual([
      1, 1, 80,
    ]);
    expect(concurrencyOf(withServiceDefaults({ template: { containers: [{ image: "i" }] } }, "1"))).toBe(80);
  });

  it("fills in the defaults Google adds to a minimal service", () => {
    const service = withServiceDefaults({ template: { containers: [{ image: "img" }] } }, "123456789012");
    expect(service).toEqual({
      launchStage: "GA",
      ingress: "INGRESS_TRAFFIC_ALL",
      traffic: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }],
      template: {
        timeout: "300s",
        maxInstanceRequestConcurrency: 80,
        serviceAccount: "123456789012-compute@developer.gserviceaccount.com",
        scaling: { maxInstanceCount: 100 },
        containers: [
          {
            image: "img",
            resources: { limits: { cpu: "1000m", memory: "512Mi" }, cpuIdle: true },
            ports: [{ name: "http1", containerPort: 8080 }],
            startupProbe: { timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1, tcpSocket: { port: 8080 } },
          },
        ],
      },
    });
  });

  it("allocates CPU only during requests by default, unless the caller set resources without asking for it", () => {
    const container = (service: Record<string, unknown>) =>
      (service.template as { containers: Array<{ resources: Record<string, unknown> }> }).containers[0]?.resources;
    const withLimits = withServiceDefaults(
      { template: { containers: [{ image: "i", resources: { limits: { cpu: "2", memory: "1Gi" } } }] } },
      "1",
    );
    expect(container(withLimits)).toEqual({ limits: { cpu: "2", memory: "1Gi" } });
    const askedFor = withServiceDefaults(
      { template: { containers: [{ image: "i", resources: { limits: { cpu: "2" }, cpuIdle: true } }] } },
      "1",
    );
    expect(container(askedFor)?.cpuIdle).toBe(true);
  });

  it("keeps what the caller set and is idempotent", () => {
    const input = {
      template: {
        timeout: "60s",
        scaling: { maxInstanceCount: 5 },
        containers: [{ image: "i", ports: [{ containerPort: 9000 }] }],
      },
    };
    const once = withServiceDefaults(input, "1");
    expect(once.template).toMatchObject({ timeout: "60s", scaling: { maxInstanceCount: 5 } });
    expect(
      (once.template as { containers: Array<{ startupProbe: unknown }> }).containers[0]?.startupProbe,
    ).toMatchObject({ tcpSocket: { port: 9000 } });
    expect(withServiceDefaults(once, "1")).toEqual(once);
  });
});
