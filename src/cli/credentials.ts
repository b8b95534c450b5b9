// Google's Application Default Credentials file, checked once at start: a broken key file otherwise fails
// every Google call later, and google-auth-library's JSON error quotes the file's first bytes (an access
// token or a key) into logs and status conditions.

import { readFileSync } from "node:fs";
import { CredentialsFileError, describeCredentialsProblem } from "../observability/credentials-error.ts";

const WHAT = "Google credentials (GOOGLE_APPLICATION_CREDENTIALS)";

/** Throws a content-free error when GOOGLE_APPLICATION_CREDENTIALS names a file that is not a JSON object. */
export function checkGoogleCredentialsFile(env: NodeJS.ProcessEnv = process.env): void {
  const file = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (!file) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new CredentialsFileError(WHAT, file, describeCredentialsProblem(err));
  }
  if (typeof parsed !== "object" || parsed === null || typeof (parsed as { type?: unknown }).type !== "string") {
    throw new CredentialsFileError(WHAT, file, 'it is not a credentials JSON object with a "type" field');
  }
}
