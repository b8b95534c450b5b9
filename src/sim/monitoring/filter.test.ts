import { describe, expect, it } from "vitest";
import { SimError } from "../core/errors.ts";
import { matchesFilter, parseFilter, selectMetricType, type SeriesIdentity } from "./filter.ts";

const KEYS = ["project_id", "location", "connector_name"];
const CPU = "vpcaccess.googleapis.com/connector/cpu/utilizations";
const INSTANCES = "vpcaccess.googleapis.com/connector/instances";

const series: SeriesIdentity = {
  metricType: CPU,
  resourceType: "vpc_access_connector",
  project: "p",
  resourceLabels: { project_id: "p", location: "us-central1", connector_name: "web-conn" },
};

function errorOf(fn: () => unknown): SimError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SimError) return err;
    throw err;
  }
  throw new Error("expected a SimError");
}

describe("parseFilter", () => {
  it("parses comparisons joined by AND", () => {
    const filter = parseFilter(
      `metric.type = "${CPU}" AND resource.type="vpc_access_connector" AND resource.labels.connector_name = "web-conn"`,
      KEYS,
    );
    expect(filter).toEqual([
      { selector: { kind: "metric.type" }, negated: false, op: "equals", values: [CPU] },
      { selector: { kind: "resource.type" }, negated: false, op: "equals", values: ["vpc_access_connector"] },
      {
        selector: { kind: "resource.label", key: "connector_name" },
        negated: false,
        op: "equals",
        values: ["web-conn"],
      },
    ]);
  });

  it("accepts the resource.label synonym, != and the functions", () => {
    const filter = parseFilter(
      'resource.label.location != "europe-west1" AND resource.labels.connector_name = one_of("a", "web-conn") AND ' +
        'metric.type = starts_with("vpcaccess.googleapis.com/") AND project = ends_with("p")',
      KEYS,
    );
    expect(filter.map((c) => [c.negated, c.op, c.values])).toEqual([
      [true, "equals", ["europe-west1"]],
      [false, "one_of", ["a", "web-conn"]],
      [false, "starts_with", ["vpcaccess.googleapis.com/"]],
      [false, "ends_with", ["p"]],
    ]);
    expect(matchesFilter(filter, series)).toBe(true);
  });

  it("unescapes quoted strings", () => {
    expect(parseFilter('resource.labels.location = "a\\"b"', KEYS)[0]?.values).toEqual(['a"b']);
  });

  it.each([
    ["", "empty"],
    ['metric.type = "x" OR resource.type = "y"', "expected AND"],
    ['NOT metric.type = "x"', "NOT is not supported"],
    ['metric.labels.instance = "x"', "no metric labels"],
    ['resource.labels.zone = "x"', 'unknown resource label "zone"'],
    ['metric.type > "x"', 'unexpected ">"'],
    ['metric.type "x"', "expected = or !="],
    ["metric.type = x", "expected a quoted string or a function"],
    ['metric.type = "x', "unterminated string"],
    ['metric.type = starts_with("a", "b")', "starts_with takes exactly one string"],
    ['metric.kind = "GAUGE"', 'unsupported selector "metric.kind"'],
  ])("rejects %j with a message saying what is wrong and what is supported", (filter, problem) => {
    const error = errorOf(() => parseFilter(filter, KEYS));
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message).toContain(problem);
    expect(error.message).toContain("supported:");
    expect(error.details[0]?.fieldViolations).toEqual([expect.objectContaining({ field: "filter" })]);
  });
});

describe("matchesFilter", () => {
  it("requires every comparison to hold", () => {
    expect(
      matchesFilter(parseFilter('resource.labels.connector_name = "web-conn" AND project = "p"', KEYS), series),
    ).toBe(true);
    expect(
      matchesFilter(parseFilter('resource.labels.connector_name = "web-conn" AND project = "q"', KEYS), series),
    ).toBe(false);
    expect(matchesFilter(parseFilter('resource.labels.connector_name = starts_with("api")', KEYS), series)).toBe(false);
  });
});

describe("selectMetricType", () => {
  const known = [CPU, INSTANCES];

  it("finds the single metric type", () => {
    expect(selectMetricType(parseFilter(`metric.type = "${INSTANCES}"`, KEYS), known)).toBe(INSTANCES);
    expect(selectMetricType(parseFilter('metric.type = ends_with("/cpu/utilizations")', KEYS), known)).toBe(CPU);
  });

  it("rejects a filter without a metric type, with an unknown one, or with several", () => {
    expect(errorOf(() => selectMetricType(parseFilter('project = "p"', KEYS), known)).message).toContain(
      "must name a metric type",
    );
    expect(errorOf(() => selectMetricType(parseFilter('metric.type = "a/b"', KEYS), known)).message).toContain(
      'Cannot find metric(s) that match type = "a/b"',
    );
    expect(
      errorOf(() => selectMetricType(parseFilter('metric.type = starts_with("vpcaccess")', KEYS), known)).message,
    ).toContain("must select exactly one");
  });
});
