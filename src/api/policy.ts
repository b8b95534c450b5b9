// ServiceConfigPolicy: guardrails over declared values. Cluster-scoped; selects namespaces by label and
// states floors, ceilings, required values and a startup budget over CloudRunServiceConfig and
// VpcConnectorConfig fields, each rule with a severity. What the fields mean and which values compare
// with which is checked by src/policy/compile.ts, which reports problems on the policy's own status.

import { z } from "zod";
import { API_VERSION, Conditions, ObjectMeta, ObservedGeneration, StringMap, duration, timestamp } from "./common.ts";
import type { KindDefinition } from "./kind.ts";

const Severity = z
  .enum(["Deny", "Warn"])
  .default("Deny")
  .meta({ description: "Deny: the spec is not applied (PolicyViolation). Warn: applied, reported. Default Deny." });

const PolicyValue = z.union([z.int(), z.string().min(1)]).meta({
  description: 'A value of the field\'s type: a duration ("75s"), an integer (20), a quantity ("2", "4Gi") or a word.',
  "x-kubernetes-int-or-string": true,
});

const LabelSelectorRequirement = z
  .strictObject({
    key: z.string().min(1).meta({ description: "Label key." }),
    operator: z
      .enum(["In", "NotIn", "Exists", "DoesNotExist"])
      .meta({ description: "In, NotIn, Exists or DoesNotExist." }),
    values: z.array(z.string()).optional().meta({ description: "Values for In and NotIn; empty otherwise." }),
  })
  .meta({ description: "A label requirement (metav1.LabelSelectorRequirement)." });

const NamespaceSelector = z
  .strictObject({
    matchLabels: StringMap.optional().meta({
      description: "Labels a namespace must carry, e.g. environment: production.",
    }),
    matchExpressions: z
      .array(LabelSelectorRequirement)
      .optional()
      .meta({ description: "Further label requirements; all must hold." }),
  })
  .meta({ description: "Namespaces whose objects the policy judges. An empty selector selects every namespace." });

export const PolicyRule = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a DNS label such as db-initialization-floor")
      .meta({ description: "Name of the rule, quoted in every violation message." }),
    kind: z
      .enum(["CloudRunServiceConfig", "VpcConnectorConfig"])
      .default("CloudRunServiceConfig")
      .meta({ description: "Kind whose spec the rule reads. Default CloudRunServiceConfig." }),
    field: z.string().min(1).meta({
      description: 'Spec field the rule reads, e.g. "database.timeouts.initialization" or "scaling.maxInstances".',
    }),
    min: PolicyValue.optional().meta({ description: "Floor: the declared value must be at least this." }),
    max: PolicyValue.optional().meta({ description: "Ceiling: the declared value must be at most this." }),
    equals: PolicyValue.optional().meta({ description: "Required value: the declared value must be exactly this." }),
    oneOf: z
      .array(z.string().min(1))
      .optional()
      .meta({ description: "Allowed values: the declared value must be one of these." }),
    required: z
      .boolean()
      .default(false)
      .meta({ description: "The field must be declared. Otherwise a rule judges only declared values." }),
    severity: Severity,
    message: z.string().max(512).optional().meta({ description: "Why the rule exists, appended to violations." }),
  })
  .meta({ description: "One guardrail over one spec field: min, max, equals and oneOf may be combined." });
export type PolicyRule = z.output<typeof PolicyRule>;

export const StartupBudget = z
  .strictObject({
    allowances: z
      .record(
        z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, "must be a name such as vpcScaling"),
        duration("An allowance."),
      )
      .meta({
        description: "Named parts of the time an instance may need to start, e.g. vpcScaling: 30s, cloudSql: 25s.",
      }),
    severity: Severity,
  })
  .meta({
    description:
      "The sum of the allowances must fit in the startup probe's window (initialDelaySeconds + failureThreshold × " +
      "periodSeconds) and in database.timeouts.initialization, where the spec declares them.",
  });

const ServiceConfigPolicySpec = z
  .strictObject({
    namespaceSelector: NamespaceSelector.default({}),
    rules: z.array(PolicyRule).default([]).meta({ description: "Guardrails over single fields." }),
    startupBudget: StartupBudget.optional(),
  })
  .meta({ description: "Which namespaces the policy applies to and what it demands of their specs." });
export type ServiceConfigPolicySpec = z.output<typeof ServiceConfigPolicySpec>;

const ServiceConfigPolicyStatus = z
  .strictObject({
    observedGeneration: ObservedGeneration,
    conditions: Conditions,
    selector: z
      .string()
      .optional()
      .meta({ description: 'The namespace selector as text, e.g. "environment=production".' }),
    ruleCount: z.int().nonnegative().optional().meta({ description: "Number of rules, the startup budget included." }),
    namespaces: z.int().nonnegative().optional().meta({ description: "Namespaces the policy selects now." }),
    violations: z
      .int()
      .nonnegative()
      .optional()
      .meta({ description: "Objects that violate a rule now (Deny or Warn)." }),
    problems: z
      .array(z.string())
      .optional()
      .meta({ description: "Why the policy is not in force (an unknown field, a contradiction); empty when valid." }),
    lastChangeTime: timestamp("When what the policy finds last changed").optional(),
  })
  .meta({ description: "Whether the policy is in force and what it currently finds." });

export const ServiceConfigPolicy = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("ServiceConfigPolicy"),
  metadata: ObjectMeta,
  spec: ServiceConfigPolicySpec,
  status: ServiceConfigPolicyStatus.optional(),
});
export type ServiceConfigPolicy = z.output<typeof ServiceConfigPolicy>;

export { ServiceConfigPolicySpec };

export const serviceConfigPolicyKind: KindDefinition = {
  kind: "ServiceConfigPolicy",
  plural: "serviceconfigpolicies",
  singular: "serviceconfigpolicy",
  shortNames: ["scp"],
  scope: "Cluster",
  description:
    "ServiceConfigPolicy states guardrails over declared values (floors, ceilings, required values, a startup " +
    "budget) for the CloudRunServiceConfig and VpcConnectorConfig objects in the namespaces it selects. A Deny " +
    "rule stops driftguard from applying a spec; a Warn rule is reported. validate and plan apply the same rules.",
  spec: ServiceConfigPolicySpec,
  status: ServiceConfigPolicyStatus,
  resource: ServiceConfigPolicy,
  printerColumns: [
    { name: "Selector", type: "string", jsonPath: ".status.selector", description: "Namespaces selected." },
    { name: "Rules", type: "integer", jsonPath: ".status.ruleCount", description: "Number of rules." },
    { name: "Namespaces", type: "integer", jsonPath: ".status.namespaces", description: "Namespaces selected now." },
    { name: "Violations", type: "integer", jsonPath: ".status.violations", description: "Objects in violation now." },
    {
      name: "Ready",
      type: "string",
      jsonPath: '.status.conditions[?(@.type=="Ready")].status',
      description: "The policy is valid and in force.",
    },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Age of the resource." },
  ],
};
