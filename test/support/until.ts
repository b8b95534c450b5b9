// Polling for integration tests: waiting for what another process or a controller does in its own time.

import { setTimeout as sleep } from "node:timers/promises";

/**
 * Polls `probe` every 50 ms until it returns something other than undefined or false, and returns that. A
 * probe that throws counts as not yet (a port not listening, a Lease not created); the timeout's error
 * names the last such failure.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let failure: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      failure = err;
    }
    if (Date.now() > deadline) {
      const last = failure === undefined ? "" : ` (last failure: ${describeFailure(failure)})`;
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${last}`);
    }
    await sleep(50);
  }
}

function describeFailure(failure: unknown): string {
  return failure instanceof Error ? failure.message : JSON.stringify(failure);
}
