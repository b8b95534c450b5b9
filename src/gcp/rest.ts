// One HTTP exchange with a Google REST endpoint, bounded in time from the request to the last byte of the
// answer. google-gax's REST fallback drops the per-call deadline a gRPC call would carry (its fetch stub
// ignores the `deadline` gax hands it), and fetch on its own waits for undici's 300 s, so without this bound a
// hung call would hold a worker for minutes.

/**
 * The bound on one REST exchange unless the caller names its own. The official clients give the calls
 * driftguard makes at most 60 s: every VPC Access method (timeout_millis in @google-cloud/vpc-access's
 * vpc_access_service_client_config.json), the longest Cloud Run rpc timeout (max_rpc_timeout_millis in
 * @google-cloud/run's services_client_config.json) and GetOperation (google-gax's
 * operations_client_config.json).
 */
export const DEFAULT_REST_TIMEOUT_MS = 60_000;

/** Statuses whose answer has no body (the Fetch standard's null body statuses). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** A REST call that got no complete answer in time; classified as DEADLINE_EXCEEDED (retryable). */
export class RestTimeoutError extends Error {
  constructor(method: string, url: string, timeoutMs: number) {
    super(`${method} ${url}: no answer within ${timeoutMs} ms`);
    this.name = "TimeoutError";
  }
}

/**
 * Sends one request with `headers` and returns the whole answer, read within `timeoutMs`. The caller's own
 * signal (gax's cancel) still aborts it; an HTTP error status is returned, not thrown, for the caller to decode.
 */
export async function sendRest(
  input: string | URL,
  init: RequestInit,
  headers: Headers,
  timeoutMs: number,
): Promise<Response> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
  try {
    const response = await fetch(input, { ...init, headers, signal });
    // A peer that sends its headers and then stalls holds a call as surely as one that sends nothing.
    const body = await response.arrayBuffer();
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  } catch (err) {
    if (deadline.aborted && !init.signal?.aborted) {
      throw new RestTimeoutError(init.method ?? "GET", String(input), timeoutMs);
    }
    throw err;
  }
}
