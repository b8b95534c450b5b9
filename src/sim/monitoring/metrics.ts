// The Serverless VPC Access connector metrics, built from the connectors' load samples.

import type { LoadSample } from "../vpcaccess/index.ts";
import type { SeriesIdentity } from "./filter.ts";
import {
  CONNECTOR_METRIC_FACTS,
  CONNECTOR_RESOURCE_LABELS,
  CONNECTOR_RESOURCE_TYPE,
  type MetricFacts,
} from "./google-facts.ts";
import type { Point, Series } from "./series.ts";

export const RESOURCE_TYPE = CONNECTOR_RESOURCE_TYPE;
export const RESOURCE_LABEL_KEYS = CONNECTOR_RESOURCE_LABELS;

export interface ConnectorMetric extends MetricFacts {
  /** The values one sample contributes: one per instance for a distribution, else one. */
  values: (sample: LoadSample) => number[];
}

const { cpuUtilizations, instances, sentBytes, receivedBytes, sentPackets, receivedPackets } = CONNECTOR_METRIC_FACTS;

export const CONNECTOR_METRICS: readonly ConnectorMetric[] = [
  { ...cpuUtilizations, values: (s) => s.cpuUtilizations },
  { ...instances, values: (s) => [s.instances] },
  { ...sentBytes, values: (s) => [s.sentBytes] },
  { ...receivedBytes, values: (s) => [s.receivedBytes] },
  { ...sentPackets, values: (s) => [s.sentPackets] },
  { ...receivedPackets, values: (s) => [s.receivedPackets] },
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
