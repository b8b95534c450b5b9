// The Serverless VPC Access connector metrics, built from the connectors' load samples.

import type { LoadSample } from "../vpcaccess/index.ts";
import type { SeriesIdentity } from "./filter.ts";
import type { MetricKind, Point, Series, ValueType } from "./series.ts";

export const RESOURCE_TYPE = "vpc_access_connector";
export const RESOURCE_LABEL_KEYS = ["project_id", "location", "connector_name"] as const;

export interface ConnectorMetric {
  type: string;
  kind: MetricKind;
  valueType: ValueType;
  unit: string;
  /** The values one sample contributes: one per instance for a distribution, else one. */
  values: (sample: LoadSample) => number[];
}

export const CONNECTOR_METRICS: readonly ConnectorMetric[] = [
  {
    type: "vpcaccess.googleapis.com/connector/cpu/utilizations",
    kind: "GAUGE",
    valueType: "DISTRIBUTION",
    unit: "10^2.%",
    values: (s) => s.cpuUtilizations,
  },
  {
    type: "vpcaccess.googleapis.com/connector/instances",
    kind: "GAUGE",
    valueType: "INT64",
    unit: "1",
    values: (s) => [s.instances],
  },
  {
    type: "vpcaccess.googleapis.com/connector/sent_bytes_count",
    kind: "DELTA",
    valueType: "INT64",
    unit: "By",
    values: (s) => [s.sentBytes],
  },
  {
    type: "vpcaccess.googleapis.com/connector/received_bytes_count",
    kind: "DELTA",
    valueType: "INT64",
    unit: "By",
    values: (s) => [s.receivedBytes],
  },
];

export interface ConnectorRef {
  project: string;
  location: string;
  connectorId: string;
}

export function connectorIdentity(metric: ConnectorMetric, connector: ConnectorRef): SeriesIdentity {
  return {
    metricType: metric.type,
    resourceType: RESOURCE_TYPE,
    project: connector.project,
    resourceLabels: {
      project_id: connector.project,
      location: connector.location,
      connector_name: connector.connectorId,
    },
  };
}

/** The raw series of one metric for one connector, newest point first. */
export function rawSeries(
  metric: ConnectorMetric,
  identity: SeriesIdentity,
  samples: LoadSample[],
  periodMs: number,
): Series {
  const points: Point[] = samples
    .map((sample) => ({
      startMs: metric.kind === "DELTA" ? sample.timeMs - periodMs : sample.timeMs,
      endMs: sample.timeMs,
      values: metric.values(sample),
    }))
    .reverse();
  return {
    identity,
    labels: { ...identity.resourceLabels },
    kind: metric.kind,
    valueType: metric.valueType,
    unit: metric.unit,
    points,
  };
}
