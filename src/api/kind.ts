// What the CRD generator and the offline validator need to know about one driftguard.dev kind.

import type { z } from "zod";
import type { CrdRule } from "./rules.ts";

/** An additionalPrinterColumns entry of a CRD version. */
export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description: string;
  priority?: number;
}

export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: readonly string[];
  /** Namespaced unless stated (policies are cluster-scoped). */
  scope?: "Namespaced" | "Cluster";
  /** Top-level description of the resource, shown by `kubectl explain <kind>`. */
  description: string;
  spec: z.ZodType;
  status: z.ZodType;
  /** The whole object (apiVersion, kind, metadata, spec, status) for offline validation. */
  resource: z.ZodType;
  printerColumns: readonly PrinterColumn[];
  /** Cross-field rules; those with a CEL form are generated into the CRD as x-kubernetes-validations. */
  rules?: readonly CrdRule[];
}
