import { describe, expect, it } from "vitest";
import { containerIndex, readTarget, writeTarget, type IContainer, type IService } from "./access.ts";
import { ConfigError, type ContainerField, type FieldTarget } from "./fields.ts";

const probeField = (field: ContainerField): FieldTarget => ({ scope: "container", field });

describe("containerIndex", () => {
  const service: IService = { name: "svc", template: { containers: [{ name: "app" }, { name: "proxy" }, {}] } };

  it.each<[string | undefined, number]>([
    [undefined, 0],
    ["app", 0],
    ["proxy", 1],
  ])("finds %s at %d", (name, index) => {
    expect(containerIndex(service, name)).toBe(index);
  });

  it("lists the containers, unnamed ones by position, when the name is missing", () => {
    expect(() => containerIndex(service, "worker")).toThrow(
      new ConfigError(
        "spec.container",
        'container "worker" not found in service svc; its containers are: app, proxy, (unnamed #2)',
      ),
    );
  });

  it.each<[IService]>([[{ name: "svc" }], [{ name: "svc", template: { containers: null } }]])(
    "refuses a service without containers: %j",
    (empty) => {
      expect(() => containerIndex(empty, undefined)).toThrow("spec.container: service svc has no containers");
      expect(() => containerIndex(empty, "app")).toThrow("its containers are: none");
    },
  );
});

describe("readTarget reads effective values", () => {
  const container: IContainer = {
    ports: [{ containerPort: 3000 }],
    env: [{ name: "EMPTY" }, { name: "SECRET", valueSource: { secretKeyRef: { secret: "s" } }, value: "" }],
    volumeMounts: [{ name: "cloudsql", mountPath: "" }],
    startupProbe: { httpGet: { path: "/h", port: 0 } },
  };
  const service: IService = {
    template: {
      volumes: [
        { name: "cloudsql", cloudSqlInstance: {} },
        { name: "secret", secret: { secret: "s" } },
      ],
    },
  };

  it.each<[FieldTarget, unknown]>([
    [probeField("startupProbe.type"), "httpGet"],
    [probeField("startupProbe.httpGet.port"), 3000],
    [probeField("startupProbe.tcpSocket.port"), 3000],
    [probeField("startupProbe.httpGet.path"), "/h"],
    [probeField("startupProbe.periodSeconds"), undefined],
    [{ scope: "env", name: "EMPTY" }, ""],
    [{ scope: "env", name: "SECRET" }, { valueSource: { secretKeyRef: { secret: "s" } } }],
    [{ scope: "env", name: "ABSENT" }, undefined],
    [{ scope: "volumeMount", volume: "cloudsql" }, "/cloudsql"],
    [{ scope: "volumeMount", volume: "other" }, undefined],
    [{ scope: "cloudSqlVolume", volume: "cloudsql" }, []],
    [
      { scope: "cloudSqlVolume", volume: "secret" },
      { name: "secret", secret: { secret: "s" } },
    ],
    [{ scope: "cloudSqlVolume", volume: "absent" }, undefined],
    [{ scope: "labels", key: "a" }, undefined],
    [{ scope: "template", field: "vpcAccess.egress" }, undefined],
  ])("%j is %j", (target, expected) => {
    expect(readTarget(service, container, target)).toEqual(expected);
  });

  it.each<[IContainer, string | undefined]>([
    [{ startupProbe: { tcpSocket: {} } }, "tcpSocket"],
    [{ startupProbe: { grpc: {} } }, "grpc"],
    [{ startupProbe: { httpGet: null, tcpSocket: null, grpc: null } }, undefined],
    [{}, undefined],
  ])("probe type of %j is %j", (probed, expected) => {
    expect(readTarget({}, probed, probeField("startupProbe.type"))).toBe(expected);
  });
});

describe("writeTarget", () => {
  const write = (service: IService, target: FieldTarget, value: string) => {
    writeTarget(service, 0, target, value);
    return service;
  };

  it("switches a probe to the declared action and drops the other one", () => {
    const service: IService = {
      template: { containers: [{ startupProbe: { tcpSocket: { port: 1 }, periodSeconds: 5 } }] },
    };
    write(service, probeField("startupProbe.type"), "httpGet");
    expect(service.template?.containers?.[0]?.startupProbe).toEqual({ httpGet: {}, periodSeconds: 5 });
    write(service, probeField("startupProbe.tcpSocket.port"), "9000");
    expect(service.template?.containers?.[0]?.startupProbe).toEqual({ tcpSocket: { port: 9000 }, periodSeconds: 5 });
  });

  it("creates the template, the scaling and the VPC access it needs", () => {
    const service = write(
      write({}, { scope: "template", field: "scaling.maxInstanceCount" }, "4"),
      { scope: "template", field: "vpcAccess.egress" },
      "ALL_TRAFFIC",
    );
    expect(service).toEqual({ template: { scaling: { maxInstanceCount: 4 }, vpcAccess: { egress: "ALL_TRAFFIC" } } });
  });

  it.each<[string, number, number]>([
    ["600s", 600, 0],
    ["1.5s", 1, 500_000_000],
    ["10m", 600, 0],
  ])("writes the timeout %s as seconds %d and nanos %d", (value, seconds, nanos) => {
    expect(write({}, { scope: "template", field: "timeout" }, value).template?.timeout).toEqual({ seconds, nanos });
  });

  it("refuses an invalid timeout", () => {
    expect(() => write({}, { scope: "template", field: "timeout" }, "soon")).toThrow(
      'invalid duration "soon" for template.timeout',
    );
  });

  it("replaces a volume of the same name with the Cloud SQL volume, keeping the others in place", () => {
    const service: IService = {
      template: { volumes: [{ name: "a" }, { name: "cloudsql", emptyDir: {} }, { name: "b" }] },
    };
    write(service, { scope: "cloudSqlVolume", volume: "cloudsql" }, "p:r:x,p:r:y");
    expect(service.template?.volumes).toEqual([
      { name: "a" },
      { name: "cloudsql", cloudSqlInstance: { instances: ["p:r:x", "p:r:y"] } },
      { name: "b" },
    ]);
  });

  it("fixes the path of an existing mount", () => {
    const service: IService = {
      template: { containers: [{ volumeMounts: [{ name: "cloudsql", mountPath: "/sql" }] }] },
    };
    write(service, { scope: "volumeMount", volume: "cloudsql" }, "/cloudsql");
    expect(service.template?.containers?.[0]?.volumeMounts).toEqual([{ name: "cloudsql", mountPath: "/cloudsql" }]);
  });

  it("adds resources without dropping the ones it does not own", () => {
    const service: IService = {
      template: { containers: [{ resources: { limits: { "nvidia.com/gpu": "1" }, cpuIdle: true } }] },
    };
    write(service, probeField("resources.limits.memory"), "8Gi");
    write(service, probeField("resources.startupCpuBoost"), "true");
    expect(service.template?.containers?.[0]?.resources).toEqual({
      limits: { "nvidia.com/gpu": "1", memory: "8Gi" },
      cpuIdle: true,
      startupCpuBoost: true,
    });
  });

  it("does not add resources when writing the probe", () => {
    const service: IService = { template: { containers: [{}] } };
    write(service, probeField("startupProbe.failureThreshold"), "4");
    expect(service.template?.containers?.[0]).toEqual({ startupProbe: { failureThreshold: 4 } });
  });

  it("refuses a container index the service does not have", () => {
    expect(() => write({ template: { containers: [] } }, { scope: "env", name: "A" }, "1")).toThrow(
      "service has no container at index 0",
    );
  });
});
