// Who changed a Google resource, as Cloud Audit Logs record it. The reconciler asks for it when it
// finds drift, so Events and status can name the actor; without an audit feed nothing is known.

export type ActorKind = "user" | "serviceAccount" | "unknown";

export interface DriftAttribution {
  /** authenticationInfo.principalEmail of the audit entry. */
  principal: string;
  /** A short tool name from requestMetadata.callerSuppliedUserAgent (e.g. "gcloud"), when recognisable. */
  tool?: string;
  /** The audit entry's timestamp (RFC 3339). */
  at: string;
  actorKind: ActorKind;
}

export interface AttributionLookup {
  /** The latest out-of-band change recorded for the object with this key ("namespace/name"), if any. */
  lastChange(key: string): DriftAttribution | undefined;
}

export const noAttribution: AttributionLookup = { lastChange: () => undefined };
