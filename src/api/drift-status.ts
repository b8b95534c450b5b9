// Status fields about drift that both kinds share: when the live resource was last compared, and the
// last drift seen, which outlives healing (status.drift is emptied once the live values are restored).

import { z } from "zod";
import { timestamp } from "./common.ts";

export const LastSyncTime = (resource: string) =>
  timestamp(
    `When the controller last read the ${resource} from Google Cloud and compared it with the spec. A pass that ` +
      "changes status sets it; a quiet resync refreshes it once it is older than 5 minutes, so status writes stay " +
      "rare. Older than resyncInterval plus 5 minutes means the live state has not been read since",
  ).optional();

export const LastDrift = z
  .strictObject({
    detectedAt: timestamp("When the drift was detected"),
    fields: z
      .array(
        z
          .strictObject({
            field: z.string().meta({ description: "Path of the drifted field in the spec." }),
            desired: z.string().meta({ description: "Declared value, as text (long values shortened)." }),
            live: z.string().optional().meta({ description: "Value found in Google Cloud; absent when unset there." }),
          })
          .meta({ description: "One drifted field." }),
      )
      .max(20)
      .meta({ description: "The fields that drifted (at most 20; fieldCount says how many there were)." }),
    fieldCount: z.int().nonnegative().meta({ description: "How many fields drifted." }),
    actor: z
      .strictObject({
        principal: z.string().meta({ description: "Who made the change, as Cloud Audit Logs record it." }),
        tool: z.string().optional().meta({ description: 'The tool they used, e.g. "gcloud", when recognisable.' }),
        kind: z.enum(["user", "serviceAccount", "unknown"]).meta({ description: "user, serviceAccount or unknown." }),
        changedAt: timestamp("When the change was made, per the audit log"),
      })
      .optional()
      .meta({ description: "Who changed the live resource, when an audit log feed names them." }),
  })
  .optional()
  .meta({ description: "The most recent drift: when, what and (when known) who. Kept after the drift is healed." });
