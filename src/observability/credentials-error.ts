// Errors about files that hold credentials (kubeconfigs, access-token files, service-account keys) must
// never echo the file's content: YAML parsers quote the offending lines, JSON.parse quotes the first bytes,
// and either may be a bearer token or a private key. These errors say where the problem is and what kind
// it is, and carry no `cause`, so no logger or message chain can print the original.

export class CredentialsFileError extends Error {
  readonly file: string;

  constructor(what: string, file: string, problem: string) {
    super(`cannot load ${what} ${file}: ${problem} (the file's content is not shown: it holds credentials)`);
    this.name = "CredentialsFileError";
    this.file = file;
  }
}

/** A content-free description of why a credentials file could not be read or parsed. */
export function describeCredentialsProblem(err: unknown): string {
  if (typeof err !== "object" || err === null) return "it could not be read";
  const e = err as { code?: unknown; reason?: unknown; mark?: { line?: unknown; column?: unknown }; name?: unknown };
  if (typeof e.code === "string" && /^E[A-Z]+$/.test(e.code)) return `it could not be read (${e.code})`;
  // js-yaml (used by the Kubernetes client): `reason` and `mark` describe the error without quoting.
  if (e.name === "YAMLException" || typeof e.reason === "string") {
    const where =
      typeof e.mark?.line === "number" && typeof e.mark.column === "number"
        ? ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}`
        : "";
    const reason = typeof e.reason === "string" && isContentFree(e.reason) ? `: ${e.reason}` : "";
    return `it is not valid YAML${where}${reason}`;
  }
  if (err instanceof SyntaxError) {
    const position = /position (\d+)/.exec(err.message);
    return `it is not valid JSON${position ? ` at position ${position[1]}` : ""}`;
  }
  // The Kubernetes client's structural checks name a field, never a value ("users[0].name is missing").
  const message = err instanceof Error ? err.message : "";
  return /^\w+\[\d+\](\.\w+)* is missing$/.test(message) ? message : "its content is not valid";
}

/** Parser reasons are fixed phrases; anything quoting text or spanning lines may carry the file's content. */
function isContentFree(text: string): boolean {
  return text.length > 0 && text.length <= 120 && !/["'`<>!\n]/.test(text);
}
