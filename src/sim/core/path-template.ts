// google.api.http path templates ("/v2/{service.name=projects/*/locations/*/services/*}:wait") compiled
// to matchers. `*` is one segment, `**` any number; a `{field}` without a pattern is one segment.

export interface PathTemplate {
  /** Field paths of the variables, in order, as written (snake_case allowed): ["service.name"]. */
  variables: string[];
  /** Variable values by field path when `path` (still percent-encoded) matches, else undefined. */
  match(path: string): Record<string, string> | undefined;
  /** Literal characters in the template: more specific routes are tried first. */
  specificity: number;
}

const SEGMENT = "[^/:]+";
const ANY_SEGMENTS = "[^:]+";

export function compilePathTemplate(template: string): PathTemplate {
  const variables: string[] = [];
  let regex = "";
  let specificity = 0;
  const pattern = /\{([^}=]+)(?:=([^}]+))?\}/g;
  let last = 0;
  for (const found of template.matchAll(pattern)) {
    const literal = template.slice(last, found.index);
    regex += escape(literal);
    specificity += literal.length;
    variables.push(found[1] ?? "");
    regex += `(${segmentsRegex(found[2] ?? "*")})`;
    specificity += (found[2] ?? "").replace(/\*/g, "").length;
    last = found.index + found[0].length;
  }
  const tail = template.slice(last);
  regex += escape(tail);
  specificity += tail.length;
  const compiled = new RegExp(`^${regex}$`);
  return {
    variables,
    specificity,
    match(path) {
      const result = compiled.exec(path);
      if (!result) return undefined;
      return Object.fromEntries(variables.map((name, i) => [name, decodeURIComponent(result[i + 1] ?? "")]));
    },
  };
}

function segmentsRegex(pattern: string): string {
  return pattern
    .split("/")
    .map((segment) => (segment === "**" ? ANY_SEGMENTS : segment === "*" ? SEGMENT : escape(segment)))
    .join("/");
}

function escape(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
