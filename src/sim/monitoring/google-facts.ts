// What Google says about Cloud Monitoring and the Serverless VPC Access connector metrics it serves, each
// fact with its source. Nothing here is shared with (or copied from) the controller.

/**
 * How long after sampling a connector point becomes readable. Google's metrics list gives, for every
 * `vpcaccess.googleapis.com/connector/*` metric, "Sampled every 60 seconds. After sampling, data is not
 * visible for up to 180 seconds." (https://cloud.google.com/monitoring/api/metrics_gcp_p_z#gcp-vpcaccess;
 * the same pair is what MetricDescriptor.metadata.sample_period / ingest_delay carry, google/api/metric.proto:
 * "Data points older than this age are guaranteed to be ingested and available to be read"). The simulator
 * holds every point back for the whole delay, the stricter reading of "up to". Configurable, because tests
 * and the demo run the simulated clock faster.
 */
export const CONNECTOR_INGEST_DELAY_SECONDS = 180;

/**
 * ListTimeSeries refuses shorter alignment periods: "The value must be at least 60 seconds."
 * Source: google/monitoring/v3/common.proto, Aggregation.alignment_period.
 */
export const MIN_ALIGNMENT_PERIOD_SECONDS = 60;

/**
 * "If page_size is empty or more than 100,000 results, the effective page_size is 100,000 results."
 * Source: google/monitoring/v3/metric_service.proto, ListTimeSeriesRequest.page_size.
 */
export const MAX_TIME_SERIES_PAGE_SIZE = 100_000;

/**
 * A filter naming no known metric type is answered with "Cannot find metric(s) that match type = ..."
 * (INVALID_ARGUMENT), the text Google's Monitoring API is commonly seen to return; the simulator appends
 * the metric types it knows.
 */
export const UNKNOWN_METRIC_TEXT = "Cannot find metric(s) that match type";

export type MetricKind = "GAUGE" | "DELTA";
export type ValueType = "DOUBLE" | "INT64" | "DISTRIBUTION";

export interface MetricFacts {
  type: string;
  kind: MetricKind;
  valueType: ValueType;
  unit: string;
}

/**
 * The connector metrics, with kind, value type and unit as the metrics list gives them
 * (https://cloud.google.com/monitoring/api/metrics_gcp_p_z#gcp-vpcaccess), all on the monitored resource
 * `vpc_access_connector` with labels project_id, location, connector_name
 * (https://cloud.google.com/monitoring/api/resources#tag_vpc_access_connector).
 * The packet counts' unit is not stated beyond a count; "1" is used.
 */
export const CONNECTOR_METRIC_FACTS = {
  cpuUtilizations: {
    type: "vpcaccess.googleapis.com/connector/cpu/utilizations",
    kind: "GAUGE",
    valueType: "DISTRIBUTION",
    unit: "10^2.%",
  },
  instances: { type: "vpcaccess.googleapis.com/connector/instances", kind: "GAUGE", valueType: "INT64", unit: "1" },
  sentBytes: {
    type: "vpcaccess.googleapis.com/connector/sent_bytes_count",
    kind: "DELTA",
    valueType: "INT64",
    unit: "By",
  },
  receivedBytes: {
    type: "vpcaccess.googleapis.com/connector/received_bytes_count",
    kind: "DELTA",
    valueType: "INT64",
    unit: "By",
  },
  sentPackets: {
    type: "vpcaccess.googleapis.com/connector/sent_packets_count",
    kind: "DELTA",
    valueType: "INT64",
    unit: "1",
  },
  receivedPackets: {
    type: "vpcaccess.googleapis.com/connector/received_packets_count",
    kind: "DELTA",
    valueType: "INT64",
    unit: "1",
  },
} as const satisfies Record<string, MetricFacts>;

export const CONNECTOR_RESOURCE_TYPE = "vpc_access_connector";
export const CONNECTOR_RESOURCE_LABELS = ["project_id", "location", "connector_name"] as const;

/**
 * Bucket layout of connector/cpu/utilizations. Google does not publish it; a Distribution keeps only
 * count, mean, sum of squared deviation and bucket counts (google/api/distribution.proto), so every
 * percentile Monitoring computes from it (ALIGN_PERCENTILE_99: "the 99th percentile of all data points in
 * the period", google/monitoring/v3/common.proto) is an estimate from bucket bounds, never the exact value
 * of a raw sample. The simulator uses 1% linear buckets over 0..1 and interpolates within a bucket; the
 * layout is a modelling choice.
 */
export const CPU_UTILIZATION_BUCKETS = { numFiniteBuckets: 100, width: 0.01, offset: 0 } as const;
