// The subset of the Cloud Monitoring filter language a connector controller needs:
//   metric.type = "..." AND resource.type = "..." AND resource.labels.connector_name = one_of("a", "b")
// Comparisons are `=` or `!=` against a quoted string or starts_with / ends_with / one_of, joined by AND.
// Anything else is rejected with INVALID_ARGUMENT naming what is supported, never silently ignored.

import { SimError } from "../core/errors.ts";
import { UNKNOWN_METRIC_TEXT } from "./google-facts.ts";

export type Selector =
  { kind: "metric.type" } | { kind: "resource.type" } | { kind: "project" } | { kind: "resource.label"; key: string };

export type MatchOp = "equals" | "starts_with" | "ends_with" | "one_of";

export interface Comparison {
  selector: Selector;
  negated: boolean;
  op: MatchOp;
  values: string[];
}

/** What a filter is evaluated against: one time series' identity. */
export interface SeriesIdentity {
  metricType: string;
  resourceType: string;
  project: string;
  resourceLabels: Record<string, string>;
}

const SUPPORTED =
  'comparisons "metric.type", "resource.type", "project" or "resource.labels.<key>" with = or != against a quoted string, ' +
  'starts_with("..."), ends_with("...") or one_of("...", ...), joined by AND';

type Token = { type: "word" | "string" | "symbol"; text: string; at: number };

function invalid(message: string): SimError {
  const description = `${message}; supported: ${SUPPORTED}`;
  return SimError.invalidArgument(`Invalid filter: ${description}`, [{ field: "filter", description }]);
}

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const ch = filter[i] ?? "";
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"') {
      let text = "";
      let j = i + 1;
      for (; j < filter.length && filter[j] !== '"'; j++) text += filter[j] === "\\" ? (filter[++j] ?? "") : filter[j];
      if (j >= filter.length) throw invalid(`unterminated string starting at offset ${i}`);
      tokens.push({ type: "string", text, at: i });
      i = j + 1;
    } else if (filter.startsWith("!=", i)) {
      tokens.push({ type: "symbol", text: "!=", at: i });
      i += 2;
    } else if ("=(),".includes(ch)) {
      tokens.push({ type: "symbol", text: ch, at: i });
      i++;
    } else {
      const word = /^[A-Za-z0-9_./-]+/.exec(filter.slice(i))?.[0];
      if (!word) throw invalid(`unexpected ${JSON.stringify(ch)} at offset ${i}`);
      tokens.push({ type: "word", text: word, at: i });
      i += word.length;
    }
  }
  return tokens;
}

function parseSelector(token: Token | undefined, resourceLabelKeys: readonly string[]): Selector {
  if (token?.type !== "word") throw invalid(`expected a selector at ${token ? `offset ${token.at}` : "the end"}`);
  const text = token.text;
  if (text === "metric.type" || text === "resource.type" || text === "project") return { kind: text };
  const label = /^resource\.labels?\.(.+)$/.exec(text)?.[1];
  if (label !== undefined) {
    if (!resourceLabelKeys.includes(label)) {
      throw invalid(`unknown resource label ${JSON.stringify(label)} (known: ${resourceLabelKeys.join(", ")})`);
    }
    return { kind: "resource.label", key: label };
  }
  if (/^metric\.labels?\./.test(text)) throw invalid(`${text}: these metrics have no metric labels`);
  if (text === "OR" || text === "NOT") throw invalid(`${text} is not supported`);
  throw invalid(`unsupported selector ${JSON.stringify(text)}`);
}

class Parser {
  readonly #tokens: Token[];
  readonly #labelKeys: readonly string[];
  #pos = 0;

  constructor(tokens: Token[], labelKeys: readonly string[]) {
    this.#tokens = tokens;
    this.#labelKeys = labelKeys;
  }

  parse(): Comparison[] {
    const comparisons = [this.#comparison()];
    while (this.#pos < this.#tokens.length) {
      const token = this.#next();
      if (token?.type !== "word" || token.text !== "AND") {
        throw invalid(`expected AND at offset ${token?.at ?? "end"}, found ${JSON.stringify(token?.text)}`);
      }
      comparisons.push(this.#comparison());
    }
    return comparisons;
  }

  #next(): Token | undefined {
    return this.#tokens[this.#pos++];
  }

  #expect(text: string): void {
    const token = this.#next();
    if (token?.type !== "symbol" || token.text !== text) {
      throw invalid(`expected ${JSON.stringify(text)} at ${token ? `offset ${token.at}` : "the end"}`);
    }
  }

  #string(): string {
    const token = this.#next();
    if (token?.type !== "string")
      throw invalid(`expected a quoted string at ${token ? `offset ${token.at}` : "the end"}`);
    return token.text;
  }

  #comparison(): Comparison {
    const selector = parseSelector(this.#next(), this.#labelKeys);
    const operator = this.#next();
    if (operator?.type !== "symbol" || (operator.text !== "=" && operator.text !== "!=")) {
      throw invalid(`expected = or != after the selector, found ${JSON.stringify(operator?.text ?? "end of filter")}`);
    }
    const negated = operator.text === "!=";
    const value = this.#tokens[this.#pos];
    if (value?.type === "string") return { selector, negated, op: "equals", values: [this.#string()] };
    const fn = this.#next();
    if (fn?.type !== "word" || !["starts_with", "ends_with", "one_of"].includes(fn.text)) {
      throw invalid(
        `expected a quoted string or a function after ${operator.text}, found ${JSON.stringify(fn?.text ?? "end")}`,
      );
    }
    this.#expect("(");
    const values = [this.#string()];
    while (this.#tokens[this.#pos]?.text === ",") {
      this.#pos++;
      values.push(this.#string());
    }
    this.#expect(")");
    if (fn.text !== "one_of" && values.length !== 1) throw invalid(`${fn.text} takes exactly one string`);
    return { selector, negated, op: fn.text as MatchOp, values };
  }
}

/** Parses a filter; `resourceLabelKeys` are the labels of the monitored resource type the API serves. */
export function parseFilter(filter: string, resourceLabelKeys: readonly string[]): Comparison[] {
  const tokens = tokenize(filter);
  if (tokens.length === 0) throw invalid("the filter is empty; it must at least name a metric.type");
  return new Parser(tokens, resourceLabelKeys).parse();
}

function valueOf(selector: Selector, series: SeriesIdentity): string {
  switch (selector.kind) {
    case "metric.type":
      return series.metricType;
    case "resource.type":
      return series.resourceType;
    case "project":
      return series.project;
    case "resource.label":
      return series.resourceLabels[selector.key] ?? "";
  }
}

export function matchesComparison(comparison: Comparison, value: string): boolean {
  const { op, values } = comparison;
  const hit =
    op === "equals"
      ? value === values[0]
      : op === "starts_with"
        ? value.startsWith(values[0] ?? "")
        : op === "ends_with"
          ? value.endsWith(values[0] ?? "")
          : values.includes(value);
  return hit !== comparison.negated;
}

export function matchesFilter(filter: Comparison[], series: SeriesIdentity): boolean {
  return filter.every((comparison) => matchesComparison(comparison, valueOf(comparison.selector, series)));
}

/** The one metric type the filter selects among `known`; Monitoring requires exactly one. */
export function selectMetricType(filter: Comparison[], known: readonly string[]): string {
  const typeComparisons = filter.filter((c) => c.selector.kind === "metric.type");
  if (typeComparisons.length === 0) throw invalid('the filter must name a metric type, e.g. metric.type = "..."');
  const matching = known.filter((type) => typeComparisons.every((c) => matchesComparison(c, type)));
  if (matching.length === 1 && matching[0] !== undefined) return matching[0];
  const asked = typeComparisons.map(
    (c) =>
      `${c.negated ? "!=" : "="} ${c.op === "equals" ? `"${c.values[0]}"` : `${c.op}(${c.values.map((v) => `"${v}"`).join(", ")})`}`,
  );
  const message =
    matching.length === 0
      ? `${UNKNOWN_METRIC_TEXT} ${asked.join(" AND ")}; known metric types: ${known.join(", ")}`
      : `The filter matches ${matching.length} metric types (${matching.join(", ")}); it must select exactly one`;
  throw SimError.invalidArgument(message, [{ field: "filter", description: message }]);
}
