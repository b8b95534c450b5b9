import { protos } from "@google-cloud/run";
import { describe, expect, it } from "vitest";
import type { ContainerField, FieldTarget, TemplateField } from "./fields.ts";
import {
  durationSeconds,
  egressName,
  integerOf,
  normaliseDesired,
  normaliseLive,
  quantityTimes,
  serverDefault,
  valueKind,
} from "./normalise.ts";

const template = (field: TemplateField): FieldTarget => ({ scope: "template", field });
const container = (field: ContainerField): FieldTarget => ({ scope: "container", field });
const env: FieldTarget = { scope: "env", name: "DB_POOL_SIZE" };
const label: FieldTarget = { scope: "labels", key: "team" };
const volume: FieldTarget = { scope: "cloudSqlVolume", volume: "cloudsql" };
const mount: FieldTarget = { scope: "volumeMount", volume: "cloudsql" };

// protobufjs Long, as the gRPC client returns int64 fields when longs are not converted.
const long = (value: number) => protos.google.protobuf.Duration.fromObject({ seconds: value }).seconds;

describe("quantityTimes", () => {
  it.each([
    ["1000m", 1000, 1000],
    ["1", 1000, 1000],
    ["0.5", 1000, 500],
    ["500m", 1000, 500],
    ["1.5", 1000, 1500],
    ["250m", 1000, 250],
    ["8", 1000, 8000],
    [4, 1000, 4000],
    ["4096Mi", 1, 4 * 2 ** 30],
    ["4Gi", 1, 4 * 2 ** 30],
    ["512Mi", 1, 512 * 2 ** 20],
    ["1024Ki", 1, 2 ** 20],
    ["1.5Gi", 1, 1.5 * 2 ** 30],
    ["1G", 1, 1e9],
    ["1Gi", 1, 2 ** 30],
    ["129M", 1, 129e6],
    ["1k", 1, 1000],
    ["1e9", 1, 1e9],
    ["128974848", 1, 128974848],
    ["2Ti", 1, 2 * 2 ** 40],
    [".5", 1000, 500],
  ])("%j × %d = %d", (raw, scale, expected) => {
    expect(quantityTimes(raw, scale)).toBe(expected);
  });

  it.each([["abc"], [""], ["Gi"], ["1.2.3"], ["-1"], ["1 Gi"], ["1GB"], [-1], [Number.NaN], [null], [{}]])(
    "rejects %j",
    (raw) => {
      expect(quantityTimes(raw, 1)).toBeUndefined();
    },
  );
});

describe("durationSeconds", () => {
  it.each([
    ["600s", 600],
    ["10m", 600],
    ["1h", 3600],
    ["1m30s", 90],
    ["1.5s", 1.5],
    ["500ms", 0.5],
    ["0", 0],
    [{ seconds: 600, nanos: 0 }, 600],
    [{ seconds: "600" }, 600],
    [{ seconds: long(600), nanos: 0 }, 600],
    [{ seconds: { low: 600, high: 0, unsigned: false } }, 600],
    [{ seconds: 1, nanos: 500_000_000 }, 1.5],
    [{ nanos: 250_000_000 }, 0.25],
    [{ seconds: null, nanos: null }, 0],
    [{}, 0],
  ])("%j is %d s", (raw, expected) => {
    expect(durationSeconds(raw)).toBe(expected);
  });

  it.each([["bogus"], ["10"], [600], [null], [undefined], [{ seconds: "ten" }], [{ seconds: 1.5 }]])(
    "rejects %j",
    (raw) => {
      expect(durationSeconds(raw)).toBeUndefined();
    },
  );
});

describe("integerOf", () => {
  it.each([
    [5, 5],
    ["5", 5],
    ["-3", -3],
    [long(42), 42],
    [{ low: 7, high: 0 }, 7],
    [{ low: -1, high: 0 }, 4294967295],
    [{ low: 0, high: 1 }, 4294967296],
  ])("%j is %d", (raw, expected) => {
    expect(integerOf(raw)).toBe(expected);
  });

  it.each([[1.5], ["1.5"], [""], ["five"], [null], [undefined], [true], [{ low: "1", high: 0 }]])(
    "rejects %j",
    (raw) => {
      expect(integerOf(raw)).toBeUndefined();
    },
  );
});

describe("egressName", () => {
  it.each([
    [1, "ALL_TRAFFIC"],
    [2, "PRIVATE_RANGES_ONLY"],
    ["ALL_TRAFFIC", "ALL_TRAFFIC"],
    ["PRIVATE_RANGES_ONLY", "PRIVATE_RANGES_ONLY"],
    [0, undefined],
    ["VPC_EGRESS_UNSPECIFIED", undefined],
    [7, undefined],
    ["all-traffic", undefined],
    [null, undefined],
  ])("%j is %s", (raw, expected) => {
    expect(egressName(raw)).toBe(expected);
  });
});

describe("declared and live values compare after normalisation", () => {
  const secretEnv = { valueSource: { secretKeyRef: { secret: "db-pool", version: "latest" } } };
  it.each<[string, FieldTarget, string, unknown, boolean]>([
    ["timeout as message", template("timeout"), "600s", { seconds: 600, nanos: 0 }, true],
    ["timeout with string seconds", template("timeout"), "600s", { seconds: "600", nanos: 0 }, true],
    ["timeout with Long seconds", template("timeout"), "600s", { seconds: long(600) }, true],
    ["timeout in proto JSON", template("timeout"), "600s", "600s", true],
    ["timeout declared in minutes", template("timeout"), "10m", { seconds: 600 }, true],
    ["fractional timeout", template("timeout"), "1.5s", { seconds: 1, nanos: 500_000_000 }, true],
    ["timeout unset is the 300s default", template("timeout"), "300s", undefined, true],
    ["timeout null is the 300s default", template("timeout"), "300s", null, true],
    ["timeout zero is the 300s default", template("timeout"), "300s", { seconds: 0, nanos: 0 }, true],
    ["timeout drifted", template("timeout"), "600s", { seconds: 300 }, false],
    ["timeout unset is not 600s", template("timeout"), "600s", undefined, false],
    ["max instances", template("scaling.maxInstanceCount"), "5", 5, true],
    ["max instances as string", template("scaling.maxInstanceCount"), "5", "5", true],
    ["max instances as Long", template("scaling.maxInstanceCount"), "5", long(5), true],
    ["max instances unset is 100", template("scaling.maxInstanceCount"), "100", undefined, true],
    ["max instances zero is 100", template("scaling.maxInstanceCount"), "100", 0, true],
    ["max instances drifted", template("scaling.maxInstanceCount"), "5", 10, false],
    ["min instances unset is 0", template("scaling.minInstanceCount"), "0", undefined, true],
    ["min instances drifted to 0", template("scaling.minInstanceCount"), "1", 0, false],
    ["egress unset is private ranges", template("vpcAccess.egress"), "PRIVATE_RANGES_ONLY", undefined, true],
    ["egress 0 is private ranges", template("vpcAccess.egress"), "PRIVATE_RANGES_ONLY", 0, true],
    ["egress unspecified", template("vpcAccess.egress"), "PRIVATE_RANGES_ONLY", "VPC_EGRESS_UNSPECIFIED", true],
    ["egress as number", template("vpcAccess.egress"), "PRIVATE_RANGES_ONLY", 2, true],
    ["all traffic as number", template("vpcAccess.egress"), "ALL_TRAFFIC", 1, true],
    ["all traffic drifted", template("vpcAccess.egress"), "ALL_TRAFFIC", 2, false],
    ["all traffic vs default", template("vpcAccess.egress"), "ALL_TRAFFIC", undefined, false],
    [
      "connector",
      template("vpcAccess.connector"),
      "projects/p/locations/r/connectors/c",
      "projects/p/locations/r/connectors/c",
      true,
    ],
    ["connector removed", template("vpcAccess.connector"), "projects/p/locations/r/connectors/c", "", false],
    [
      "connector changed",
      template("vpcAccess.connector"),
      "projects/p/locations/r/connectors/c",
      "projects/p/locations/r/connectors/d",
      false,
    ],
    ["cpu 1000m is 1", container("resources.limits.cpu"), "1000m", "1", true],
    ["cpu 1 is 1000m", container("resources.limits.cpu"), "1", "1000m", true],
    ["cpu 0.5 is 500m", container("resources.limits.cpu"), "0.5", "500m", true],
    ["cpu 4 is 4000m", container("resources.limits.cpu"), "4", "4000m", true],
    ["cpu unset is 1", container("resources.limits.cpu"), "1", undefined, true],
    ["cpu drifted", container("resources.limits.cpu"), "2", "1", false],
    ["cpu unset is not 2", container("resources.limits.cpu"), "2", undefined, false],
    ["cpu unparsable live", container("resources.limits.cpu"), "1", "one", false],
    ["memory 4096Mi is 4Gi", container("resources.limits.memory"), "4096Mi", "4Gi", true],
    ["memory 1Gi is 1024Mi", container("resources.limits.memory"), "1Gi", "1024Mi", true],
    ["memory 512Mi in bytes", container("resources.limits.memory"), "512Mi", "536870912", true],
    ["memory unset is 512Mi", container("resources.limits.memory"), "512Mi", undefined, true],
    ["memory 1G is not 1Gi", container("resources.limits.memory"), "1G", "1Gi", false],
    ["memory drifted", container("resources.limits.memory"), "4Gi", "2Gi", false],
    ["cpuIdle false unset", container("resources.cpuIdle"), "false", undefined, true],
    ["cpuIdle false", container("resources.cpuIdle"), "false", false, true],
    ["cpuIdle true", container("resources.cpuIdle"), "true", true, true],
    ["cpuIdle true unset", container("resources.cpuIdle"), "true", undefined, false],
    ["startup boost", container("resources.startupCpuBoost"), "true", true, true],
    ["startup boost off", container("resources.startupCpuBoost"), "true", false, false],
    ["probe type", container("startupProbe.type"), "httpGet", "httpGet", true],
    ["probe type changed", container("startupProbe.type"), "httpGet", "tcpSocket", false],
    ["probe missing", container("startupProbe.type"), "tcpSocket", undefined, false],
    ["probe timeout default", container("startupProbe.timeoutSeconds"), "1", 0, true],
    ["probe timeout unset", container("startupProbe.timeoutSeconds"), "1", undefined, true],
    ["probe period default", container("startupProbe.periodSeconds"), "10", undefined, true],
    ["probe failures default", container("startupProbe.failureThreshold"), "3", null, true],
    ["probe delay default", container("startupProbe.initialDelaySeconds"), "0", undefined, true],
    ["probe delay drifted", container("startupProbe.initialDelaySeconds"), "5", 0, false],
    ["probe period drifted", container("startupProbe.periodSeconds"), "10", 240, false],
    ["probe path default", container("startupProbe.httpGet.path"), "/", "", true],
    ["probe path", container("startupProbe.httpGet.path"), "/health", "/health", true],
    ["probe path drifted", container("startupProbe.httpGet.path"), "/health", "/", false],
    ["probe port default", container("startupProbe.httpGet.port"), "8080", undefined, true],
    ["probe port", container("startupProbe.tcpSocket.port"), "3000", 3000, true],
    ["probe port drifted", container("startupProbe.tcpSocket.port"), "3000", 8080, false],
    ["env literal", env, "10", "10", true],
    ["env empty literal", env, "", "", true],
    ["env drifted", env, "10", "5", false],
    ["env missing", env, "10", undefined, false],
    ["env empty vs missing", env, "", undefined, false],
    ["env from a secret", env, "10", secretEnv, false],
    ["label", label, "core", "core", true],
    ["label missing", label, "core", undefined, false],
    ["instances", volume, "p:r:a", ["p:r:a"], true],
    ["instances in any order", volume, "p:r:a,p:r:b", ["p:r:b", "p:r:a"], true],
    ["instances with duplicates", volume, "p:r:a", ["p:r:a", "p:r:a"], true],
    ["instances empty", volume, "p:r:a", [], false],
    ["instances other", volume, "p:r:a", ["p:r:b"], false],
    ["no volume", volume, "p:r:a", undefined, false],
    ["not a Cloud SQL volume", volume, "p:r:a", { name: "cloudsql", secret: { secret: "s" } }, false],
    ["mount", mount, "/cloudsql", "/cloudsql", true],
    ["mount missing", mount, "/cloudsql", undefined, false],
  ])("%s", (_name, target, declared, live, equal) => {
    const wanted = normaliseDesired(target, declared);
    expect(normaliseLive(target, live).canonical === wanted).toBe(equal);
  });
});

describe("normaliseLive display", () => {
  it.each<[FieldTarget, unknown, string]>([
    [template("timeout"), undefined, "300s (default)"],
    [template("timeout"), { seconds: "600", nanos: 0 }, "600s"],
    [template("timeout"), { seconds: 1, nanos: 500_000_000 }, "1.5s"],
    [template("scaling.maxInstanceCount"), 0, "100 (default)"],
    [template("scaling.maxInstanceCount"), long(5), "5"],
    [template("scaling.maxInstanceCount"), 7, "7"],
    [template("vpcAccess.egress"), 1, "ALL_TRAFFIC"],
    [template("vpcAccess.egress"), 9, "9"],
    [template("vpcAccess.connector"), undefined, ""],
    [container("resources.limits.cpu"), "1000m", "1000m"],
    [container("resources.cpuIdle"), true, "true"],
    [container("startupProbe.type"), undefined, ""],
    [env, undefined, ""],
    [env, "", ""],
    [env, { valueSource: { secretKeyRef: { secret: "s" } } }, '{"valueSource":{"secretKeyRef":{"secret":"s"}}}'],
    [volume, ["p:r:b", "p:r:a"], "p:r:a,p:r:b"],
    [volume, [], ""],
  ])("%j: %j is shown as %j", (target, raw, expected) => {
    expect(normaliseLive(target, raw).display).toBe(expected);
  });
});

describe("normaliseDesired", () => {
  it.each<[FieldTarget, string, string]>([
    [template("timeout"), "10m", "600"],
    [template("scaling.maxInstanceCount"), "5", "5"],
    [container("resources.limits.cpu"), "1", "1000"],
    [container("resources.limits.memory"), "1Gi", String(2 ** 30)],
    [container("resources.cpuIdle"), "false", "false"],
    [template("vpcAccess.egress"), "ALL_TRAFFIC", "ALL_TRAFFIC"],
    [volume, "p:r:b,p:r:a", "p:r:a,p:r:b"],
  ])("%j %j is %j", (target, declared, expected) => {
    expect(normaliseDesired(target, declared)).toBe(expected);
  });

  it.each<[FieldTarget, string]>([
    [template("timeout"), "ten minutes"],
    [template("scaling.maxInstanceCount"), "1.5"],
    [container("resources.limits.cpu"), "lots"],
    [container("resources.limits.memory"), "4GB"],
    [container("resources.cpuIdle"), "yes"],
    [template("vpcAccess.egress"), "all-traffic"],
  ])("%j rejects %j naming the kind", (target, declared) => {
    expect(() => normaliseDesired(target, declared)).toThrow(
      new RangeError(`invalid ${valueKind(target)} value ${JSON.stringify(declared)}`),
    );
  });
});

describe("valueKind and serverDefault", () => {
  it.each<[FieldTarget, string, string | undefined]>([
    [template("timeout"), "duration", "300s"],
    [template("scaling.minInstanceCount"), "integer", "0"],
    [template("scaling.maxInstanceCount"), "integer", "100"],
    [template("vpcAccess.connector"), "text", undefined],
    [template("vpcAccess.egress"), "egress", "PRIVATE_RANGES_ONLY"],
    [container("resources.limits.cpu"), "cpu", "1"],
    [container("resources.limits.memory"), "memory", "512Mi"],
    [container("resources.cpuIdle"), "boolean", "false"],
    [container("resources.startupCpuBoost"), "boolean", "false"],
    [container("startupProbe.type"), "probeType", undefined],
    [container("startupProbe.initialDelaySeconds"), "integer", "0"],
    [container("startupProbe.timeoutSeconds"), "integer", "1"],
    [container("startupProbe.periodSeconds"), "integer", "10"],
    [container("startupProbe.failureThreshold"), "integer", "3"],
    [container("startupProbe.httpGet.path"), "text", "/"],
    [container("startupProbe.httpGet.port"), "integer", "8080"],
    [container("startupProbe.tcpSocket.port"), "integer", "8080"],
    [env, "text", undefined],
    [label, "text", undefined],
    [{ scope: "annotations", key: "x" }, "text", undefined],
    [volume, "instances", undefined],
    [mount, "text", undefined],
  ])("%j is %s with default %j", (target, kind, fallback) => {
    expect(valueKind(target)).toBe(kind);
    expect(serverDefault(target)).toBe(fallback);
  });
});
