import { describe, expect, it } from "vitest";
import { DURATION_PATTERN, formatDuration, formatSeconds, parseDuration } from "./duration.ts";

describe("parseDuration", () => {
  it.each([
    ["75s", 75_000],
    ["1m30s", 90_000],
    ["500ms", 500],
    ["1h", 3_600_000],
    ["1.5s", 1500],
    ["2h45m", 9_900_000],
    ["0", 0],
    ["0s", 0],
    ["1500us", 1.5],
    ["1000000ns", 1],
  ])("parses %s as %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "75", "-5s", "1 m", "1d", "s", "1.s", "1m30", "75S"])("rejects %j with the expected format", (text) => {
    expect(() => parseDuration(text)).toThrow(/invalid duration .*expected e\.g\. "75s"/);
    expect(DURATION_PATTERN.test(text)).toBe(false);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [500, "500ms"],
    [75_000, "1m15s"],
    [90_000, "1m30s"],
    [3_600_000, "1h"],
    [3_661_500, "1h1m1.5s"],
    [7_200_000 + 5000, "2h5s"],
  ])("formats %d ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("round-trips through parseDuration", () => {
    for (const ms of [1, 999, 1000, 59_999, 60_000, 86_400_000, 123_456_789]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });

  it("rejects negative and non-finite values", () => {
    expect(() => formatDuration(-1)).toThrow(RangeError);
    expect(() => formatDuration(Number.NaN)).toThrow(RangeError);
  });
});

describe("formatSeconds", () => {
  it("writes whole and fractional seconds without float noise", () => {
    expect(formatSeconds(75_000)).toBe("75s");
    expect(formatSeconds(1500)).toBe("1.5s");
    expect(formatSeconds(100.1 * 3)).toBe("0.3003s");
  });
});
