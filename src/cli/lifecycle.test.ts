import { describe, expect, it } from "vitest";
import { watchesStale } from "./lifecycle.ts";

const silentFor = (ms: number) => ({ apiSilentForMs: () => ms });

describe("watchesStale", () => {
  it("fails liveness for stale watches while the API server answers", () => {
    expect(watchesStale(true, silentFor(1_000), 15_000)).toBe(true);
    expect(watchesStale(true, undefined, 15_000)).toBe(true);
  });

  it("does not fail liveness while the API server itself is unreachable", () => {
    expect(watchesStale(true, silentFor(15_000), 15_000)).toBe(false);
    expect(watchesStale(true, silentFor(600_000), 15_000)).toBe(false);
  });

  it("is false when the watches are fresh", () => {
    expect(watchesStale(false, silentFor(0), 15_000)).toBe(false);
    expect(watchesStale(false, undefined, 15_000)).toBe(false);
  });
});
