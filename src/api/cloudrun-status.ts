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
    ...ReconcileBookkeeping,
    message: z.string().optional().meta({ description: "Human-readable summary of the last sync." }),
  })
  .meta({ description: "Observed state of the Cloud Run service, written by the controller." });
export type CloudRunServiceConfigStatus = z.output<typeof CloudRunServiceConfigStatus>;
