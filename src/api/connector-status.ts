// status of VpcConnectorConfig: the live size, the last utilization sample and the autoscaler's last decision.

import { z } from "zod";
import { Conditions, DriftList, ObservedGeneration, ReconcileBookkeeping, timestamp } from "./common.ts";
import { LastDrift, LastSyncTime } from "./drift-status.ts";

const count = (description: string) => z.int().nonnegative().optional().meta({ description });
const ratio = (description: string) => z.number().nonnegative().optional().meta({ description });

const ConnectorSize = (description: string) =>
  z
    .strictObject({
      machineType: z.string().optional().meta({ description: "Machine type." }),
      minInstances: count("Minimum instances."),
      maxInstances: count("Maximum instances."),
    })
    .optional()
    .meta({ description });

const LiveConnector = z
  .strictObject({
    machineType: z.string().optional().meta({ description: "Machine type of the live connector." }),
    minInstances: count("Minimum instances of the live connector."),
    maxInstances: count("Maximum instances of the live connector."),
    instances: count("Instances currently running, when reported."),
  })
  .optional()
  .meta({ description: "The connector as last read from Google Cloud." });

const Utilization = z
  .strictObject({
    cpu: ratio("CPU utilization of the connector instances; 1 means fully used."),
    throughput: ratio("Throughput as a share of the current capacity; 1 means fully used, above 1 is possible."),
    sampledAt: timestamp("When the metrics were sampled").optional(),
  })
  .optional()
  .meta({ description: "Latest utilization sample from Cloud Monitoring." });

const SampleSummary = z
  .strictObject({
    count: count("Samples considered."),
    mean: ratio("Mean utilization over the samples."),
    max: ratio("Highest utilization among the samples."),
  })
  .optional()
  .meta({ description: "Summary of the utilization samples behind the decision." });

const Decision = z
  .strictObject({
    action: z.enum(["ScaleUp", "ScaleDown", "Hold"]).optional().meta({ description: "ScaleUp, ScaleDown or Hold." }),
    reason: z.string().optional().meta({ description: "Why the autoscaler decided this." }),
    from: ConnectorSize("Size before the decision."),
    to: ConnectorSize("Size after the decision."),
    samples: SampleSummary,
    threshold: ratio("Threshold the samples were compared with."),
    at: timestamp("When the decision was made").optional(),
  })
  .optional()
  .meta({ description: "The autoscaler's most recent decision." });

const AutoscalingStatus = z
  .strictObject({
    lastScaleTime: timestamp("When the connector was last resized by autoscaling").optional(),
    lastDecision: Decision,
    raised: ConnectorSize("Size autoscaling has raised the connector to, above the spec; absent when not raised."),
  })
  .optional()
  .meta({ description: "State of utilization-driven scaling." });

export const VpcConnectorConfigStatus = z
  .strictObject({
    observedGeneration: ObservedGeneration,
    conditions: Conditions,
    state: z
      .string()
      .optional()
      .meta({ description: "Connector state reported by Google Cloud: READY, CREATING, UPDATING, DELETING or ERROR." }),
    live: LiveConnector,
    utilization: Utilization,
    utilizationPercent: z
      .string()
      .regex(/^[0-9]+%$/)
      .optional()
      .meta({ description: 'Higher of cpu and throughput utilization as a percentage, e.g. "73%".' }),
    autoscaling: AutoscalingStatus,
    lastSyncTime: LastSyncTime("connector"),
    drift: DriftList,
    lastDrift: LastDrift,
    driftCount: count("Number of entries in drift."),
    driftCorrections: count("How many times drift has been written back since the resource was created."),
    ...ReconcileBookkeeping,
    message: z.string().optional().meta({ description: "Human-readable summary of the last sync." }),
  })
  .meta({ description: "Observed state of the connector, written by the controller." });
export type VpcConnectorConfigStatus = z.output<typeof VpcConnectorConfigStatus>;
