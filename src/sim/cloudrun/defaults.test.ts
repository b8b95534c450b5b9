import { describe, expect, it } from "vitest";
import { normaliseCpu, normaliseMemory, withServiceDefaults } from "./defaults.ts";

describe("Cloud Run server-side defaults", () => {
  it("normalises CPU and memory quantities the way Get returns them", () => {
    expect([
      normaliseCpu("1000m"),
      normaliseCpu("2000m"),
      normaliseCpu("500m"),
      normaliseCpu("0.5"),
      normaliseCpu("4"),
    ]).toEqual(["1", "2", "500m", "500m", "4"]);
    expect([
      normaliseMemory("4096Mi"),
      normaliseMemory("1536Mi"),
      normaliseMemory("1Gi"),
      normaliseMemory("2G"),
    ]).toEqual(["4Gi", "1536Mi", "1Gi", "2G"]);
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
            resources: { limits: { cpu: "1", memory: "512Mi" }, cpuIdle: true },
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
