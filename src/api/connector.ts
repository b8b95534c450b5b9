// VpcConnectorConfig (vpcc): the declared size of one Serverless VPC Access connector, and the policy by which
// driftguard raises it when utilization stays high.

import { z } from "zod";
import {
  API_VERSION,
  CONNECTOR_NAME_PATTERN,
  GcpProject,
  GcpRegion,
  MACHINE_TYPES,
  ManagementPolicy,
  ObjectMeta,
  duration,
  integer,
} from "./common.ts";
import { VpcConnectorConfigStatus } from "./connector-status.ts";
import type { KindDefinition } from "./kind.ts";
import { addRuleIssues } from "./rules.ts";
import { VPC_CONNECTOR_RULES, vpcConnectorSpecRules } from "./rules-connector.ts";

export const MachineTypeSchema = z
  .enum(MACHINE_TYPES)
  .meta({ description: "Connector machine type: f1-micro, e2-micro or e2-standard-4." });

const ConnectorRef = z
  .strictObject({
    project: GcpProject,
    region: GcpRegion,
    name: z
      .string()
      .regex(CONNECTOR_NAME_PATTERN, "must be a connector name (1-25 chars, a-z 0-9 -, starting with a letter)")
      .meta({ description: 'Connector name, e.g. "staging-connector".' }),
  })
  .meta({ description: "The Serverless VPC Access connector this resource configures." });

const fraction = (description: string, fallback: number) =>
  z
    .number()
    .gt(0)
    .lte(1)
    .default(fallback)
    .meta({ description: `${description} (fraction of capacity, greater than 0, at most 1; default ${fallback}).` });

export const ConnectorAutoscaling = z
  .strictObject({
    enabled: z.boolean().default(true).meta({ description: "Raise the connector when utilization stays high." }),
    pollInterval: duration("How often utilization metrics are read.", { min: "1s" }).default("30s"),
    metricsDelay: duration(
      "How far Cloud Monitoring's connector metrics may lag: utilization is judged up to this long ago, and " +
        "only data older than that (plus two poll intervals) counts as stale. Google makes samples visible up " +
        "to about 3 minutes after they are taken, and so does the bundled simulator.",
      { min: "0s" },
    ).default("3m"),
    scaleUpThreshold: fraction("Utilization above which the connector is raised", 0.7),
    targetUtilization: fraction("Utilization a raise aims for", 0.6),
    scaleDownThreshold: fraction("Utilization below which a raised connector may come back down", 0.3),
    stabilizationWindow: duration("How long utilization must stay past a threshold before acting.", {
      min: "0s",
    }).default("60s"),
    cooldown: duration("Minimum time between two scaling actions.", { min: "0s" }).default("300s"),
    maxStep: integer("Most instances added or removed in one action", 1).default(2),
    ceiling: integer("Most instances autoscaling may raise maxInstances to; at least spec.maxInstances", 3, 10).default(
      10,
    ),
    machineTypeLadder: z
      .array(MachineTypeSchema)
      .max(MACHINE_TYPES.length)
      .default([])
      .meta({
        description:
          "Machine types autoscaling may step up through once the ceiling is reached, smallest first; empty " +
          "keeps the machine type fixed.",
      }),
    raiseMinInstances: z
      .boolean()
      .default(false)
      .meta({
        description:
          "Also raise minInstances with sustained load, for warm capacity. Off by default: a connector never " +
          "scales in, so a raised minimum is paid for until the connector is replaced, and Google already adds " +
          "instances between minInstances and maxInstances by itself; autoscaling raises maxInstances (then the " +
          "machine type) instead.",
      }),
  })
  .prefault({})
  .meta({
    description:
      "Utilization-driven scaling of the connector. scaleDownThreshold < targetUtilization < scaleUpThreshold.",
  });

const VpcConnectorSpecFields = z.strictObject({
  connector: ConnectorRef,
  managementPolicy: ManagementPolicy,
  resyncInterval: duration("How often the live connector is re-read to detect drift.", { min: "1s" }).default("60s"),
  machineType: MachineTypeSchema.optional(),
  minInstances: integer("Fewest connector instances", 2, 9).optional(),
  maxInstances: integer("Most connector instances; greater than minInstances", 3, 10).optional(),
  autoscaling: ConnectorAutoscaling,
});
export type VpcConnectorConfigSpec = z.output<typeof VpcConnectorSpecFields>;

export const VpcConnectorConfigSpec = VpcConnectorSpecFields.superRefine((spec, ctx) =>
  addRuleIssues(ctx, vpcConnectorSpecRules(spec)),
).meta({ description: "Declared configuration of the Serverless VPC Access connector." });

export { VpcConnectorConfigStatus };

export const VpcConnectorConfig = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("VpcConnectorConfig"),
  metadata: ObjectMeta,
  spec: VpcConnectorConfigSpec,
  status: VpcConnectorConfigStatus.optional(),
});
export type VpcConnectorConfig = z.output<typeof VpcConnectorConfig>;

export const vpcConnectorConfigKind: KindDefinition = {
  kind: "VpcConnectorConfig",
  plural: "vpcconnectorconfigs",
  singular: "vpcconnectorconfig",
  shortNames: ["vpcc"],
  description:
    "VpcConnectorConfig declares the size of a Serverless VPC Access connector (machine type, min and max " +
    "instances). driftguard keeps the live connector at that size and raises it when utilization stays high.",
  spec: VpcConnectorConfigSpec,
  status: VpcConnectorConfigStatus,
  resource: VpcConnectorConfig,
  rules: VPC_CONNECTOR_RULES,
  printerColumns: [
    { name: "Connector", type: "string", jsonPath: ".spec.connector.name", description: "Connector name." },
    // Declared and live side by side: autoscaling raises the live size above the spec, and a column that
    // showed only one of them would pass it off as the other.
    { name: "Spec-Machine", type: "string", jsonPath: ".spec.machineType", description: "Declared machine type." },
    {
      name: "Live-Machine",
      type: "string",
      jsonPath: ".status.live.machineType",
      description: "Machine type of the live connector.",
    },
    { name: "Spec-Min", type: "integer", jsonPath: ".spec.minInstances", description: "Declared minimum instances." },
    {
      name: "Live-Min",
      type: "integer",
      jsonPath: ".status.live.minInstances",
      description: "Minimum instances of the live connector.",
    },
    { name: "Spec-Max", type: "integer", jsonPath: ".spec.maxInstances", description: "Declared maximum instances." },
    {
      name: "Live-Max",
      type: "integer",
      jsonPath: ".status.live.maxInstances",
      description: "Maximum instances of the live connector (autoscaling may have raised it above the spec).",
    },
    {
      name: "Utilization",
      type: "string",
      jsonPath: ".status.utilizationPercent",
      description: "Last sampled utilization.",
    },
    {
      name: "Ready",
      type: "string",
      jsonPath: '.status.conditions[?(@.type=="Ready")].status',
      description: "The connector matches the spec.",
    },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Age of the resource." },
  ],
};
