import { describe, expect, it } from "vitest";
import { CloudRunServiceConfigSpec } from "../../api/cloudrun.ts";
import { ConfigError } from "./fields.ts";
import { connectorFullName, translateAnnotations } from "./translate.ts";

const SERVICE = { project: "netra-staging", region: "us-central1", name: "backend" };
const spec = (fields: Record<string, unknown>) => CloudRunServiceConfigSpec.parse({ service: SERVICE, ...fields });
const annotated = (annotations: Record<string, string>, fields: Record<string, unknown> = {}) =>
  translateAnnotations(spec({ annotations, ...fields }));
const CONNECTOR = "projects/netra-staging/locations/us-central1/connectors/staging-connector";

describe("translateAnnotations: v1 annotations become v2 settings", () => {
  it.each<[string, Record<string, string>, object]>([
    ["nothing declared", {}, {}],
    [
      "short connector name",
      { "run.googleapis.com/vpc-access-connector": "staging-connector" },
      { connector: CONNECTOR },
    ],
    [
      "full connector name",
      { "run.googleapis.com/vpc-access-connector": "projects/other-proj/locations/europe-west1/connectors/c" },
      { connector: "projects/other-proj/locations/europe-west1/connectors/c" },
    ],
    ["all traffic egress", { "run.googleapis.com/vpc-access-egress": "all-traffic" }, { egress: "ALL_TRAFFIC" }],
    [
      "private egress",
      { "run.googleapis.com/vpc-access-egress": "private-ranges-only" },
      { egress: "PRIVATE_RANGES_ONLY" },
    ],
    [
      "one Cloud SQL instance",
      { "run.googleapis.com/cloudsql-instances": "netra-staging:us-central1:db" },
      { cloudSqlInstances: ["netra-staging:us-central1:db"] },
    ],
    [
      "several Cloud SQL instances",
      { "run.googleapis.com/cloudsql-instances": "netra-staging:us-central1:db, netra-prod:us-east1:main" },
      { cloudSqlInstances: ["netra-staging:us-central1:db", "netra-prod:us-east1:main"] },
    ],
    [
      "bare Cloud SQL instance name",
      { "run.googleapis.com/cloudsql-instances": "db" },
      { cloudSqlInstances: ["netra-staging:us-central1:db"] },
    ],
    ["min scale", { "autoscaling.knative.dev/minScale": "1" }, { minInstances: 1 }],
    ["min scale zero", { "autoscaling.knative.dev/minScale": "0" }, { minInstances: 0 }],
    ["max scale", { "autoscaling.knative.dev/maxScale": "20" }, { maxInstances: 20 }],
    ["startup CPU boost", { "run.googleapis.com/startup-cpu-boost": "true" }, { startupCpuBoost: true }],
    ["no startup CPU boost", { "run.googleapis.com/startup-cpu-boost": "false" }, { startupCpuBoost: false }],
    ["CPU always allocated", { "run.googleapis.com/cpu-throttling": "false" }, { cpuIdle: false }],
    ["CPU throttled", { "run.googleapis.com/cpu-throttling": "true" }, { cpuIdle: true }],
  ])("%s", (_name, annotations, expected) => {
    expect(annotated(annotations)).toEqual({ annotations: {}, ...expected });
  });

  it("passes user annotations through and keeps them out of the settings", () => {
    const result = annotated({
      "example.com/owner": "payments",
      "run.googleapis.com/vpc-access-egress": "all-traffic",
      note: "canary",
    });
    expect(result).toEqual({ annotations: { "example.com/owner": "payments", note: "canary" }, egress: "ALL_TRAFFIC" });
  });
});

describe("translateAnnotations: bad values name the annotation and what is expected", () => {
  it.each<[Record<string, string>, string]>([
    [
      { "run.googleapis.com/vpc-access-connector": "Bad_Name" },
      'spec.annotations["run.googleapis.com/vpc-access-connector"]: "Bad_Name" is not a connector name: expected a short name such as "staging-connector" or "projects/PROJECT/locations/REGION/connectors/NAME"',
    ],
    [
      { "run.googleapis.com/vpc-access-egress": "ALL_TRAFFIC" },
      'spec.annotations["run.googleapis.com/vpc-access-egress"]: "ALL_TRAFFIC" is not an egress setting: expected "all-traffic" or "private-ranges-only"',
    ],
    [
      { "run.googleapis.com/cloudsql-instances": "netra-staging:db" },
      'spec.annotations["run.googleapis.com/cloudsql-instances"]: "netra-staging:db" is not a Cloud SQL instance: expected comma-separated connection names "project:region:instance"',
    ],
    [
      { "autoscaling.knative.dev/minScale": "-1" },
      'spec.annotations["autoscaling.knative.dev/minScale"]: "-1" is not an instance count: expected a whole number of at least 0',
    ],
    [
      { "autoscaling.knative.dev/maxScale": "0" },
      'spec.annotations["autoscaling.knative.dev/maxScale"]: "0" is not an instance count: expected a whole number of at least 1',
    ],
    [
      { "autoscaling.knative.dev/maxScale": "ten" },
      'spec.annotations["autoscaling.knative.dev/maxScale"]: "ten" is not an instance count: expected a whole number of at least 1',
    ],
    [
      { "run.googleapis.com/cpu-throttling": "no" },
      'spec.annotations["run.googleapis.com/cpu-throttling"]: "no" is not a boolean: expected "true" or "false"',
    ],
    [
      { "run.googleapis.com/startup-cpu-boost": "1" },
      'spec.annotations["run.googleapis.com/startup-cpu-boost"]: "1" is not a boolean: expected "true" or "false"',
    ],
  ])("%j", (annotations, message) => {
    expect(() => annotated(annotations)).toThrow(ConfigError);
    expect(() => annotated(annotations)).toThrow(message);
  });
});

describe("translateAnnotations: other system annotations are refused", () => {
  it.each<[string, string]>([
    ["run.googleapis.com/ingress", "its setting is now Service.ingress, which driftguard does not manage"],
    ["run.googleapis.com/execution-environment", "its setting is now template.executionEnvironment"],
    ["run.googleapis.com/secrets", "its setting is now env valueSource.secretKeyRef or secret volumes"],
    ["autoscaling.knative.dev/target", "its setting is now template.maxInstanceRequestConcurrency"],
    ["run.googleapis.com/made-up", "Cloud Run v2 rejects annotations in the run.googleapis.com/ namespace; remove it"],
    ["autoscaling.knative.dev/panicWindow", "rejects annotations in the autoscaling.knative.dev/ namespace"],
    ["serving.knative.dev/creator", "rejects annotations in the serving.knative.dev/ namespace"],
    ["cloud.googleapis.com/location", "rejects annotations in the cloud.googleapis.com/ namespace"],
  ])("%s", (key, expected) => {
    const translate = () => annotated({ [key]: "x" });
    expect(translate).toThrow(`spec.annotations["${key}"]: `);
    expect(translate).toThrow(expected);
  });

  it("lists the annotations it does translate", () => {
    expect(() => annotated({ "run.googleapis.com/made-up": "x" })).toThrow(
      "driftguard translates only run.googleapis.com/vpc-access-connector, run.googleapis.com/vpc-access-egress, " +
        "run.googleapis.com/cloudsql-instances, autoscaling.knative.dev/minScale, autoscaling.knative.dev/maxScale, " +
        "run.googleapis.com/startup-cpu-boost, run.googleapis.com/cpu-throttling to their v2 fields",
    );
  });
});

describe("translateAnnotations: an annotation and an explicit field for one setting", () => {
  it.each<[string, Record<string, string>, Record<string, unknown>, string]>([
    [
      "connector vs connectorRef",
      { "run.googleapis.com/vpc-access-connector": "staging-connector" },
      { vpcAccess: { connectorRef: { name: "staging" } } },
      `spec.annotations["run.googleapis.com/vpc-access-connector"]: conflicts with spec.vpcAccess.connectorRef ("${CONNECTOR}" vs connectorRef staging); declare the setting in one place`,
    ],
    [
      "different connectors",
      { "run.googleapis.com/vpc-access-connector": "other" },
      { vpcAccess: { connector: CONNECTOR } },
      "conflicts with spec.vpcAccess.connector (projects/netra-staging/locations/us-central1/connectors/other vs " +
        CONNECTOR +
        ")",
    ],
    [
      "different egress",
      { "run.googleapis.com/vpc-access-egress": "all-traffic" },
      { vpcAccess: { connector: CONNECTOR, egress: "PRIVATE_RANGES_ONLY" } },
      "conflicts with spec.vpcAccess.egress (ALL_TRAFFIC vs PRIVATE_RANGES_ONLY)",
    ],
    [
      "different min scale",
      { "autoscaling.knative.dev/minScale": "2" },
      { scaling: { minInstances: 1 } },
      'spec.annotations["autoscaling.knative.dev/minScale"]: conflicts with spec.scaling.minInstances (2 vs 1)',
    ],
    [
      "different max scale",
      { "autoscaling.knative.dev/maxScale": "20" },
      { scaling: { maxInstances: 5 } },
      "conflicts with spec.scaling.maxInstances (20 vs 5)",
    ],
    [
      "different Cloud SQL instance",
      { "run.googleapis.com/cloudsql-instances": "netra-staging:us-central1:other" },
      { database: { cloudSqlInstance: "netra-staging:us-central1:db" } },
      "conflicts with spec.database.cloudSqlInstance (netra-staging:us-central1:other vs netra-staging:us-central1:db)",
    ],
    [
      "more Cloud SQL instances than the database",
      { "run.googleapis.com/cloudsql-instances": "netra-staging:us-central1:db,netra-staging:us-central1:x" },
      { database: { cloudSqlInstance: "netra-staging:us-central1:db" } },
      "conflicts with spec.database.cloudSqlInstance",
    ],
    [
      "min scale above the explicit maximum",
      { "autoscaling.knative.dev/minScale": "8" },
      { scaling: { maxInstances: 5 } },
      'spec.annotations["autoscaling.knative.dev/minScale"]: minimum instances 8 exceed maximum instances 5',
    ],
    [
      "max scale below the explicit minimum",
      { "autoscaling.knative.dev/maxScale": "2" },
      { scaling: { minInstances: 3 } },
      'spec.annotations["autoscaling.knative.dev/maxScale"]: minimum instances 3 exceed maximum instances 2',
    ],
    [
      "min scale above max scale",
      { "autoscaling.knative.dev/minScale": "4", "autoscaling.knative.dev/maxScale": "3" },
      {},
      "minimum instances 4 exceed maximum instances 3",
    ],
  ])("%s is an error", (_name, annotations, fields, message) => {
    expect(() => annotated(annotations, fields)).toThrow(message);
  });

  it.each<[string, Record<string, string>, Record<string, unknown>]>([
    [
      "same connector",
      { "run.googleapis.com/vpc-access-connector": "staging-connector" },
      { vpcAccess: { connector: CONNECTOR } },
    ],
    [
      "same egress",
      { "run.googleapis.com/vpc-access-egress": "all-traffic" },
      { vpcAccess: { connector: CONNECTOR, egress: "ALL_TRAFFIC" } },
    ],
    [
      "same scaling",
      { "autoscaling.knative.dev/minScale": "1", "autoscaling.knative.dev/maxScale": "5" },
      { scaling: { minInstances: 1, maxInstances: 5 } },
    ],
    [
      "same instance",
      { "run.googleapis.com/cloudsql-instances": "db" },
      { database: { cloudSqlInstance: "netra-staging:us-central1:db" } },
    ],
  ])("%s twice is accepted", (_name, annotations, fields) => {
    expect(annotated(annotations, fields).annotations).toEqual({});
  });
});

describe("connectorFullName", () => {
  it.each([
    ["staging-connector", CONNECTOR],
    [CONNECTOR, CONNECTOR],
    ["c", "projects/netra-staging/locations/us-central1/connectors/c"],
  ])("%s", (name, expected) => {
    expect(connectorFullName(name, SERVICE, "field")).toBe(expected);
  });

  it.each([["projects/x/connectors/c"], [""], ["a-connector-name-longer-than-25"]])("rejects %j", (name) => {
    expect(() => connectorFullName(name, SERVICE, "spec.vpcAccess.connectorRef")).toThrow(
      `spec.vpcAccess.connectorRef: "${name}" is not a connector name`,
    );
  });
});
