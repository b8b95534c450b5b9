// CloudRunServiceConfig (crsc): the declared configuration of one Cloud Run service. The controller owns only
// the fields set here and never touches the image, traffic or anything else the spec is silent about.

import { z } from "zod";
import {
  API_VERSION,
  CONNECTOR_NAME_PATTERN,
  ENV_VAR_NAME_PATTERN,
  GcpProject,
  GcpRegion,
  GCP_PROJECT_PATTERN,
  GCP_REGION_PATTERN,
  ManagementPolicy,
  ObjectMeta,
  duration,
  integer,
} from "./common.ts";
import { CloudRunServiceConfigStatus } from "./cloudrun-status.ts";
import { DatabaseSpec } from "./database.ts";
import type { KindDefinition } from "./kind.ts";
import {
  ANNOTATIONS_MAX_BYTES,
  AnnotationKey,
  annotationsSize,
  ENV_LIMITS,
  EnvValue,
  LABEL_LIMITS,
  LabelKey,
  LabelValue,
  cpuQuantity,
  memoryQuantity,
} from "./limits.ts";
import { addRuleIssues } from "./rules.ts";
import { CLOUD_RUN_RULES, cloudRunSpecRules } from "./rules-cloudrun.ts";

export const CLOUD_RUN_SERVICE_NAME_PATTERN = /^[a-z]([-a-z0-9]{0,47}[a-z0-9])?$/;
export const CONNECTOR_FULL_NAME_PATTERN = new RegExp(
  `^projects/${GCP_PROJECT_PATTERN.source.slice(1, -1)}/locations/${GCP_REGION_PATTERN.source.slice(1, -1)}` +
    `/connectors/${CONNECTOR_NAME_PATTERN.source.slice(1, -1)}$`,
);

const ServiceRef = z
  .strictObject({
    project: GcpProject,
    region: GcpRegion,
    name: z
      .string()
      .regex(CLOUD_RUN_SERVICE_NAME_PATTERN, "must be a Cloud Run service name (a-z 0-9 -, starting with a letter)")
      .meta({ description: 'Cloud Run service name, e.g. "netra-backend-staging".' }),
  })
  .meta({ description: "The Cloud Run service this resource configures." });

const Scaling = z
  .strictObject({
    minInstances: integer("Instances kept warm even without traffic", 0, 1000).optional(),
    maxInstances: integer(
      "Upper bound on instances; bounds the service's database connection demand",
      1,
      1000,
    ).optional(),
  })
  .meta({ description: "Instance autoscaling bounds of the service. minInstances must not exceed maxInstances." });

const Resources = z
  .strictObject({
    cpu: cpuQuantity('CPU limit of the container: 1, 2, 4, 6 or 8, or "80m" to "1000m".').optional(),
    memory: memoryQuantity('Memory limit of the container, "128Mi" to "32Gi", e.g. "4Gi" or "512Mi".').optional(),
  })
  .meta({
    description:
      "Resource limits of the container. Cloud Run ties memory to vCPU: above 4Gi needs 2, above 8Gi 4, above 16Gi " +
      "6 and above 24Gi 8 vCPU; 4 vCPU need 2Gi and 6 or 8 vCPU 4Gi; below 1 vCPU at most 1Gi (512Mi below 0.5).",
  });

const VpcAccess = z
  .strictObject({
    connectorRef: z
      .strictObject({
        name: z.string().min(1).meta({ description: "Name of a VpcConnectorConfig in the same namespace." }),
      })
      .optional()
      .meta({ description: "The connector managed by a VpcConnectorConfig in this namespace." }),
    connector: z
      .string()
      .regex(CONNECTOR_FULL_NAME_PATTERN, 'must be "projects/PROJECT/locations/REGION/connectors/NAME"')
      .optional()
      .meta({ description: 'Full connector name "projects/PROJECT/locations/REGION/connectors/NAME".' }),
    egress: z
      .enum(["ALL_TRAFFIC", "PRIVATE_RANGES_ONLY"])
      .optional()
      .meta({ description: "Which outbound traffic goes through the connector: ALL_TRAFFIC or PRIVATE_RANGES_ONLY." }),
  })
  .meta({
    description: "Serverless VPC Access of the service. Set exactly one of connectorRef or connector.",
    oneOf: [{ required: ["connectorRef"] }, { required: ["connector"] }],
  });

const probePort = integer("Port to probe; defaults to the container port", 1, 65535).optional();

const StartupProbe = z
  .strictObject({
    httpGet: z
      .strictObject({
        path: z
          .string()
          .regex(/^\//, 'must start with "/"')
          .default("/")
          .meta({ description: 'HTTP path to GET, e.g. "/health".' }),
        port: probePort,
      })
      .optional()
      .meta({ description: "Probe with an HTTP GET; any status from 200 to 399 passes." }),
    tcpSocket: z
      .strictObject({ port: probePort })
      .optional()
      .meta({ description: "Probe by opening a TCP connection." }),
    initialDelaySeconds: integer("Seconds before the first probe", 0, 240).default(0),
    periodSeconds: integer("Seconds between probes", 1, 240).default(10),
    timeoutSeconds: integer("Seconds before one probe times out; at most periodSeconds", 1, 240).default(1),
    failureThreshold: integer("Consecutive failures before the instance is restarted", 1).default(3),
  })
  .meta({
    description:
      "Startup probe of the container. Set exactly one of httpGet or tcpSocket. initialDelaySeconds + " +
      "failureThreshold × periodSeconds must cover spec.database.timeouts.initialization.",
    oneOf: [{ required: ["httpGet"] }, { required: ["tcpSocket"] }],
  });

const envVarKey = z
  .string()
  .regex(
    ENV_VAR_NAME_PATTERN,
    "must be a valid environment variable name (letters, digits and _, not starting with a digit)",
  );

const CloudRunSpecFields = z.strictObject({
  service: ServiceRef,
  managementPolicy: ManagementPolicy,
  resyncInterval: duration("How often the live service is re-read to detect drift.", { min: "1s" }).default("60s"),
  container: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a container name (a DNS label)")
    .optional()
    .meta({ description: "Name of the container the settings apply to; defaults to the first container." }),
  requestTimeout: duration("Maximum time a request may take before Cloud Run answers 504.", {
    min: "1s",
    max: "3600s",
  }).optional(),
  scaling: Scaling.optional(),
  resources: Resources.optional(),
  vpcAccess: VpcAccess.optional(),
  startupProbe: StartupProbe.optional(),
  env: z
    .record(envVarKey, EnvValue)
    .optional()
    .meta({
      description:
        "Plain environment variables of the container, by name. Other variables are left alone. At most " +
        `${ENV_LIMITS.maxVariables} (Cloud Run's limit per container, counting those spec.database writes).`,
      maxProperties: ENV_LIMITS.maxVariables,
    }),
  labels: z
    .record(LabelKey, LabelValue)
    .refine((map) => Object.keys(map).length <= LABEL_LIMITS.maxLabels, {
      message: `at most ${LABEL_LIMITS.maxLabels} labels (Google's limit per resource)`,
    })
    .optional()
    .meta({
      description:
        "Labels of the Cloud Run service, by Google's rules: at most 64; keys 1-63 characters and values at most 63, " +
        "of lowercase (also international) letters, digits, _ and -; keys start with a letter.",
      maxProperties: LABEL_LIMITS.maxLabels,
    }),
  annotations: z
    .record(AnnotationKey, z.string())
    .refine((map) => annotationsSize(map) <= ANNOTATIONS_MAX_BYTES, {
      message: `keys and values must total at most ${ANNOTATIONS_MAX_BYTES} bytes (Kubernetes' annotation limit)`,
    })
    .optional()
    .meta({
      description:
        "Annotations of the service. v1-style run.googleapis.com/* and autoscaling.knative.dev/* keys are accepted " +
        "and translated to the equivalent Cloud Run v2 fields.",
    }),
  database: DatabaseSpec.optional(),
});
export type CloudRunServiceConfigSpec = z.output<typeof CloudRunSpecFields>;

export const CloudRunServiceConfigSpec = CloudRunSpecFields.superRefine((spec, ctx) =>
  addRuleIssues(ctx, cloudRunSpecRules(spec)),
).meta({ description: "Declared configuration of the Cloud Run service." });

export { CloudRunServiceConfigStatus };

export const CloudRunServiceConfig = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("CloudRunServiceConfig"),
  metadata: ObjectMeta,
  spec: CloudRunServiceConfigSpec,
  status: CloudRunServiceConfigStatus.optional(),
});
export type CloudRunServiceConfig = z.output<typeof CloudRunServiceConfig>;

const condition = (type: string) => `.status.conditions[?(@.type=="${type}")].status`;

export const cloudRunServiceConfigKind: KindDefinition = {
  kind: "CloudRunServiceConfig",
  plural: "cloudrunserviceconfigs",
  singular: "cloudrunserviceconfig",
  shortNames: ["crsc"],
  description:
    "CloudRunServiceConfig declares settings of a Cloud Run service (timeouts, scaling, resources, VPC access, " +
    "startup probe, environment, database settings). driftguard keeps the live service at these values and " +
    "reports any drift in status.",
  spec: CloudRunServiceConfigSpec,
  status: CloudRunServiceConfigStatus,
  resource: CloudRunServiceConfig,
  rules: CLOUD_RUN_RULES,
  printerColumns: [
    { name: "Service", type: "string", jsonPath: ".spec.service.name", description: "Cloud Run service name." },
    { name: "Policy", type: "string", jsonPath: ".spec.managementPolicy", description: "Enforce or Observe." },
    { name: "Ready", type: "string", jsonPath: condition("Ready"), description: "The service matches the spec." },
    { name: "Synced", type: "string", jsonPath: condition("Synced"), description: "The last sync succeeded." },
    { name: "Drift", type: "integer", jsonPath: ".status.driftCount", description: "Fields found drifted." },
    {
      name: "Last-Sync",
      type: "date",
      jsonPath: ".status.lastSyncTime",
      description: "Last check of the live service.",
    },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Age of the resource." },
  ],
};
