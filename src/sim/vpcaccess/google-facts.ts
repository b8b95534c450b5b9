// What Google says about Serverless VPC Access connectors, each fact with its source. The simulator's
// rules and load model read these; nothing here is shared with (or copied from) the controller.

/**
 * Machine types a connector may run on, with the throughput one instance is expected to carry (Mbps).
 * Source: https://cloud.google.com/vpc/docs/serverless-vpc-access#scaling, "Throughput range in Mbps" per
 * machine type for 2 to 10 instances: f1-micro 100-500, e2-micro 200-1000, e2-standard-4 3200-16000,
 * i.e. 50, 100 and 1600 Mbps per instance. The simulator uses these as each instance's real capacity.
 */
export const EXPECTED_MBPS_PER_INSTANCE = { "f1-micro": 50, "e2-micro": 100, "e2-standard-4": 1600 } as const;
export type MachineType = keyof typeof EXPECTED_MBPS_PER_INSTANCE;

/**
 * What the API reports (and accepts) as min_throughput / max_throughput per instance, whatever the machine
 * type: the field "refers to the expected throughput when using an e2-micro machine type" (REST reference,
 * https://cloud.google.com/vpc/docs/reference/vpcaccess/rest/v1/projects.locations.connectors, Connector
 * .minThroughput / .maxThroughput). Google's Terraform provider tests confirm it against the real API on an
 * e2-standard-4: min/max_throughput 400/800 gives min/max_instances 4/8, and instances 5/7 give throughput
 * 500/700 (hashicorp/terraform-provider-google, google/services/vpcaccess/resource_vpc_access_connector_test.go,
 * TestAccVPCAccessConnector_vpcAccessConnectorThroughput_usingThroughputOrInstancesLimits).
 */
export const REPORTED_MBPS_PER_INSTANCE = 100;

/**
 * Instance ranges: min 2..9 and max 3..10, min below max, and on update "greater than or equal to the
 * currently set" value. Source: gcloud's own command definition (google-cloud-sdk 528.0.0,
 * lib/surface/compute/networks/vpc_access/connectors/update.yaml, --min-instances / --max-instances help).
 */
export const MIN_INSTANCES_RANGE = { low: 2, high: 9 } as const;
export const MAX_INSTANCES_RANGE = { low: 3, high: 10 } as const;

/**
 * Defaults when a create names neither instances nor throughput: e2-micro (proto: "Default is e2-micro"),
 * min_throughput 200 and max_throughput 300 (proto: "Default and min is 200", "Default is 300, max is
 * 1000"), i.e. 2 and 3 instances. Source: google/cloud/vpcaccess/v1/vpc_access.proto, Connector fields, as
 * shipped in @google-cloud/vpc-access. Field reports since 2024 show the API now refusing such a create
 * ("A Connector must specify either max_throughput or max_instances.", INVALID_ARGUMENT in the operation;
 * e.g. GoogleCloudPlatform/cloud-foundation-fabric pull request 2706); the simulator still applies the
 * proto's defaults.
 */
export const CREATE_DEFAULTS = { machineType: "e2-micro", minInstances: 2, maxInstances: 3 } as const;

/**
 * The fields PATCH may change. Source: update.yaml above (the three flags gcloud maps onto the PATCH) and
 * the Terraform provider, which updates exactly these in place (GoogleCloudPlatform/magic-modules,
 * mmv1/products/vpcaccess/Connector.yaml: every other field is immutable).
 */
export const UPDATABLE_FIELDS = ["machineType", "minInstances", "maxInstances"] as const;

/**
 * min_instances and max_instances change together. gcloud's help for `connectors update` says of
 * --min-instances "`--max-instances` must be provided" and of --max-instances "`--min-instances` must be
 * provided" (update.yaml above), and Google's Terraform provider, when only one of them changed, adds the
 * other to both the body and the update mask before sending the PATCH (magic-modules
 * mmv1/templates/terraform/pre_update/vpc_access_connector_instances.go.tmpl, generated into
 * resource_vpc_access_connector.go: "Overwrite the previously set mask."). The API's exact rejection text is
 * not recorded anywhere we could find; the simulator rejects with INVALID_ARGUMENT (the stricter reading).
 */
export const PAIRED_INSTANCE_FIELDS = ["minInstances", "maxInstances"] as const;
export const UNPAIRED_INSTANCES_MESSAGE =
  "min_instances and max_instances must be updated together: name both in update_mask and give both values";

/**
 * Connector metrics are "Sampled every 60 seconds" (https://cloud.google.com/monitoring/api/metrics_gcp_p_z#gcp-vpcaccess):
 * the load model takes one sample per period.
 */
export const CONNECTOR_METRICS_SAMPLE_PERIOD_SECONDS = 60;

/**
 * How Serverless VPC Access adds instances is not published beyond "scales out the number of instances as
 * traffic increases" and "does not scale in" (https://cloud.google.com/vpc/docs/serverless-vpc-access#scaling).
 * The utilization at which it adds one is unknown; the simulator's load model adds one once the expected
 * per-instance load would pass this fraction. A modelling choice, not a Google figure.
 */
export const MODEL_SCALE_OUT_UTILIZATION = 0.8;
