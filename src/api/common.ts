// Building blocks shared by every driftguard.dev kind: durations, quantities, Google Cloud target references,
// conditions and drift records. Every schema carries a description because the CRDs (and so `kubectl explain`)
// are generated from these schemas.

import { z } from "zod";
import { DURATION_PATTERN, formatDuration, formatSeconds, parseDuration } from "./duration.ts";

export { DURATION_PATTERN, formatDuration, formatSeconds, parseDuration };

export const GROUP = "driftguard.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;

/** "true" stops every action on the object; status says Paused. */
export const PAUSED_ANNOTATION = "driftguard.dev/paused";
/** Any change of its value reconciles the object at once. */
export const RECONCILE_REQUESTED_AT_ANNOTATION = "driftguard.dev/reconcile-requested-at";

export const GCP_PROJECT_PATTERN = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
export const GCP_REGION_PATTERN = /^[a-z]+-[a-z]+[0-9]+$/;
export const CONNECTOR_NAME_PATTERN = /^[a-z]([-a-z0-9]{0,23}[a-z0-9])?$/;
export const ENV_VAR_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
// The same grammar as Kubernetes resource.Quantity: a decimal number with an optional SI, binary or exponent suffix.
export const QUANTITY_PATTERN =
  /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;

/** Serverless VPC Access connector machine types, smallest first. */
export const MACHINE_TYPES = ["f1-micro", "e2-micro", "e2-standard-4"] as const;
export type MachineType = (typeof MACHINE_TYPES)[number];

export const ManagementPolicy = z
  .enum(["Enforce", "Observe"])
  .default("Enforce")
  .meta({
    description:
      "Enforce (default): detect drift and write the declared values back. Observe: detect and report drift in " +
      "status and events, but never write to Google Cloud.",
  });
export type ManagementPolicy = z.output<typeof ManagementPolicy>;

/**
 * A duration string field, e.g. `duration("How long to wait", { min: "1s", max: "3600s" })`. The bounds are
 * checked here (the CRD can only check the format) and are stated in the description.
 */
export function duration(description: string, bounds: { min?: string; max?: string } = {}) {
  const minMs = bounds.min === undefined ? undefined : parseDuration(bounds.min);
  const maxMs = bounds.max === undefined ? undefined : parseDuration(bounds.max);
  const limits = [bounds.min && `at least ${bounds.min}`, bounds.max && `at most ${bounds.max}`].filter(Boolean);
  return z
    .string()
    .regex(DURATION_PATTERN, 'must be a duration such as "75s", "1m30s", "500ms" or "1h"')
    .superRefine((text, ctx) => {
      if (!DURATION_PATTERN.test(text)) return;
      const ms = parseDuration(text);
      if (minMs !== undefined && ms < minMs) {
        ctx.addIssue({ code: "custom", message: `must be at least ${bounds.min}, got ${text}` });
      }
      if (maxMs !== undefined && ms > maxMs) {
        const seconds = formatSeconds(ms);
        const got = seconds === text ? text : `${text} (${seconds})`;
        ctx.addIssue({ code: "custom", message: `must be at most ${bounds.max}, got ${got}` });
      }
    })
    .meta({
      description: `${description} A duration such as "75s", "1m30s", "500ms" or "1h"${
        limits.length > 0 ? `, ${limits.join(" and ")}` : ""
      }.`,
    });
}

/** A Kubernetes quantity ("4", "1000m", "4Gi", "512Mi"); like resource requests, an integer is accepted too. */
export function quantity(description: string) {
  const expected = 'must be a Kubernetes quantity such as "4", "1000m", "4Gi" or "512Mi"';
  return z
    .union([z.int().nonnegative(), z.string().regex(QUANTITY_PATTERN, expected)], { error: expected })
    .meta({ description, "x-kubernetes-int-or-string": true });
}

/** Integer with inclusive bounds and a description that states them. */
export function integer(description: string, min: number, max?: number) {
  const base = z.int().min(min);
  const bounded = max === undefined ? base : base.max(max);
  const range = max === undefined ? `at least ${min}` : `${min} to ${max}`;
  return bounded.meta({ description: `${description} (${range}).` });
}

export const GcpProject = z
  .string()
  .regex(GCP_PROJECT_PATTERN, 'must be a Google Cloud project ID such as "netra-staging" (6-30 chars, a-z 0-9 -)')
  .meta({ description: 'Google Cloud project ID, e.g. "netra-staging".' });

export const GcpRegion = z
  .string()
  .regex(GCP_REGION_PATTERN, 'must be a Google Cloud region such as "us-central1"')
  .meta({ description: 'Google Cloud region, e.g. "us-central1".' });

export function timestamp(description: string) {
  return z.iso.datetime({ offset: true }).meta({ description: `${description} (RFC 3339 time).` });
}

export const StringMap = z.record(z.string(), z.string());

/** metav1.Condition, as written by the controller. */
export const Condition = z
  .strictObject({
    type: z
      .string()
      .max(316)
      .regex(
        /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/,
      )
      .meta({ description: "Condition type in CamelCase: Ready or Synced." }),
    status: z
      .enum(["True", "False", "Unknown"])
      .meta({ description: "Whether the condition holds: True, False or Unknown." }),
    reason: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
      .meta({ description: "Machine-readable CamelCase reason for the last transition, e.g. UpToDate." }),
    message: z.string().max(32768).meta({ description: "Human-readable details about the last transition." }),
    lastTransitionTime: timestamp("When the condition last changed status"),
    observedGeneration: z
      .int()
      .nonnegative()
      .optional()
      .meta({ description: "metadata.generation the condition was computed from." }),
  })
  .meta({ description: "One aspect of the resource's current state (metav1.Condition)." });
export type Condition = z.output<typeof Condition>;

export const Conditions = z
  .array(Condition)
  .optional()
  .meta({
    description:
      "Ready: the target matches the spec (Unknown while paused). Synced: the last reconcile reached Google Cloud " +
      "successfully. Reconciling (kstatus): present and True while work towards the spec is under way. Stalled " +
      "(kstatus): present and True when the spec cannot be reached until something is changed.",
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["type"],
  });

export const DriftEntry = z
  .strictObject({
    field: z.string().meta({ description: 'Path of the drifted field in the spec, e.g. "database.timeouts.pool".' }),
    desired: z.string().meta({ description: "Declared value, as text." }),
    live: z.string().optional().meta({ description: "Value found in Google Cloud, as text; absent when unset there." }),
    detectedAt: timestamp("When this difference was first seen"),
  })
  .meta({ description: "One field whose live value differs from the declared value." });
export type DriftEntry = z.output<typeof DriftEntry>;

export const DriftList = z
  .array(DriftEntry)
  .optional()
  .meta({ description: "Fields found different from the spec at the last sync; empty when in sync." });

export const ObservedGeneration = z
  .int()
  .nonnegative()
  .optional()
  .meta({ description: "metadata.generation of the spec the status describes." });

/** The metadata an offline manifest needs; the API server validates the rest. */
export const ObjectMeta = z.looseObject({
  name: z
    .string()
    .max(253)
    .regex(
      /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
      "must be a lowercase DNS subdomain name",
    ),
  namespace: z
    .string()
    .max(63)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a lowercase DNS label")
    .optional(),
});

const PendingOperation = z
  .strictObject({
    name: z.string().meta({ description: "Full name of the Google long-running operation." }),
    generation: z.int().nonnegative().meta({ description: "metadata.generation the update was made for." }),
    startedAt: timestamp("When the update was sent"),
    fields: z
      .array(
        z
          .strictObject({
            field: z.string().meta({ description: "Path of the field being changed." }),
            desired: z.string().meta({ description: "Value being written." }),
            live: z.string().optional().meta({ description: "Value before the update; absent when unset." }),
          })
          .meta({ description: "One field the update changes." }),
      )
      .meta({ description: "Fields the update changes." }),
    correctedDrift: z.boolean().meta({ description: "True when the update restores drifted fields." }),
  })
  .optional()
  .meta({ description: "Update still in flight; no new update starts until it ends." });

const FAILED_GENERATION =
  "metadata.generation whose rollout failed; not pushed again until the spec changes or a long backoff passes.";

/** Status fields the reconciler keeps for every kind, so a restarted or new leader resumes where it was. */
export const ReconcileBookkeeping = {
  syncedGeneration: z
    .int()
    .nonnegative()
    .optional()
    .meta({ description: "metadata.generation the live resource was last confirmed to match." }),
  pendingOperation: PendingOperation,
  failedGeneration: z.int().nonnegative().optional().meta({ description: FAILED_GENERATION }),
  failedAt: timestamp("When the rollout of failedGeneration failed").optional(),
  lastFailure: z
    .strictObject({
      generation: z.int().nonnegative().meta({ description: "metadata.generation of the failed update." }),
      reason: z.enum(["UpdateRejected", "UpdateFailed", "OperationDropped"]).optional().meta({
        description:
          "UpdateRejected: Google refused the values (INVALID_ARGUMENT); UpdateFailed: the operation failed; OperationDropped: the operation was lost or never finished.",
      }),
      message: z.string().meta({ description: "Why Google rejected or failed the update." }),
      at: timestamp("When the failure was seen"),
    })
    .optional()
    .meta({ description: "The last update Google rejected or failed." }),
};
