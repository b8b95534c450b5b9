// The driftguard.dev/v1alpha1 API: schemas, types, rules, CRD generation and offline validation.

export * from "./common.ts";
export * from "./database.ts";
export * from "./cloudrun.ts";
export * from "./connector.ts";
export * from "./rules.ts";
export * from "./rules-cloudrun.ts";
export * from "./rules-connector.ts";
export * from "./crd.ts";
export * from "./kinds.ts";
export * from "./validate.ts";
export type { KindDefinition, PrinterColumn } from "./kind.ts";
export * from "./manifest-yaml.ts";
export * from "./limits.ts";
