// status of CloudRunServiceConfig: written only by the controller, through the status subresource.

import { z } from "zod";
import { Conditions, DriftList, ObservedGeneration, ReconcileBookkeeping } from "./common.ts";
import { LastDrift, LastSyncTime } from "./drift-status.ts";

export const CloudRunServiceConfigStatus = z
  .strictObject({
    observedGeneration: ObservedGeneration,
    conditions: Conditions,
    lastSyncTime: LastSyncTime("service"),
    drift: DriftList,
    lastDrift: LastDrift,
    driftCount: z.int().nonnegative().optional().meta({ description: "Number of entries in drift." }),
    driftCorrections: z
      .int()
      .nonnegative()
      .optional()
      .meta({ description: "How many times drift has been written back since the resource was created." }),
    latestReadyRevision: z.string().optional().meta({ description: "Latest revision of the service serving traffic." }),
    latestCreatedRevision: z.string().optional().meta({ description: "Latest revision created for the service." }),
    connectionBudget: z
      .strictObject({
        instance: z.string().meta({ description: 'Cloud SQL instance "project:region:instance".' }),
        admitted: z
          .int()
          .nonnegative()
          .meta({ description: "Connections this config is admitted to plan for; it keeps them while it counts." }),
        requested: z
          .int()
          .nonnegative()
          .optional()
          .meta({ description: "Connections the spec asks for, when more than admitted (waiting for room)." }),
      })
      .optional()
      .meta({
        description:
          "This config's share of its Cloud SQL instance's connection budget, first come first served. Kept " +
          "here so a restarted controller or a new leader honours the admissions already made.",
      }),
    ...ReconcileBookkeeping,
    message: z.string().optional().meta({ description: "Human-readable summary of the last sync." }),
  })
  .meta({ description: "Observed state of the Cloud Run service, written by the controller." });
export type CloudRunServiceConfigStatus = z.output<typeof CloudRunServiceConfigStatus>;
