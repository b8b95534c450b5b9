import { describe, expect, it } from "vitest";
import { QuotaPauses } from "./quota-pause.ts";

describe("QuotaPauses", () => {
  it("honours RetryInfo as given, however many calls were refused", () => {
    const pauses = new QuotaPauses();
    // Four workers' calls, all sent before the first refusal came back.
    for (const at of [0, 5, 10, 15]) pauses.rejected("p", 0, at, 30_000);
    expect(pauses.remainingMs("p", 15)).toBe(30_000);
    // The probe after the pause is refused again with the same RetryInfo: the same 30s, not more.
    expect(pauses.rejected("p", 30_100, 30_150, 30_000).pauseMs).toBe(30_000);
    expect(pauses.rejected("p", 60_200, 60_250, 30_000).pauseMs).toBe(30_000);
  });

  it("escalates without RetryInfo once per episode step, not once per refused call", () => {
    const pauses = new QuotaPauses({ baseMs: 1000, maxMs: 8000 });
    for (const at of [0, 1, 2, 3, 4, 5]) pauses.rejected("p", 0, at);
    expect(pauses.remainingMs("p", 5)).toBe(1000);
    // A call sent after the pause ended and refused again: the next step.
    expect(pauses.rejected("p", 1100, 1110)).toEqual({ pauseMs: 2000, newStep: true });
    // Calls that went out together with that probe belong to its step.
    expect(pauses.rejected("p", 1100, 1120)).toEqual({ pauseMs: 2000, newStep: false });
    expect(pauses.rejected("p", 3200, 3210).pauseMs).toBe(4000);
    expect(pauses.rejected("p", 7300, 7310).pauseMs).toBe(8000);
    expect(pauses.rejected("p", 15_400, 15_410).pauseMs).toBe(8000);
  });

  it("caps RetryInfo at the longest pause", () => {
    const pauses = new QuotaPauses({ maxMs: 60_000 });
    expect(pauses.rejected("p", 0, 0, 24 * 3600_000).pauseMs).toBe(60_000);
  });

  it("ends the episode on the first success and starts the next one from the base", () => {
    const pauses = new QuotaPauses({ baseMs: 1000 });
    pauses.rejected("p", 0, 0);
    pauses.rejected("p", 1500, 1500);
    expect(pauses.succeeded("p", 3600)).toBe(true);
    expect(pauses.succeeded("p", 3700)).toBe(false);
    expect(pauses.remainingMs("p", 3700)).toBe(0);
    expect(pauses.rejected("p", 5000, 5000).pauseMs).toBe(1000);
  });

  it("keeps RetryInfo's pause when a call that was in flight with the refused one succeeds", () => {
    const pauses = new QuotaPauses();
    pauses.rejected("p", 900, 1000, 30_000);
    // Sent at 950, before the refusal came back: it says nothing about the quota now.
    expect(pauses.succeeded("p", 950)).toBe(false);
    expect(pauses.remainingMs("p", 1100)).toBe(29_900);
    // The first call sent once the pause is over ends the episode.
    expect(pauses.succeeded("p", 31_000)).toBe(true);
    expect(pauses.remainingMs("p", 31_000)).toBe(0);
  });

  it("keeps projects apart", () => {
    const pauses = new QuotaPauses();
    pauses.rejected("busy", 0, 0, 30_000);
    expect(pauses.remainingMs("quiet", 1)).toBe(0);
    expect(pauses.paused(1)).toEqual(["busy"]);
    expect(pauses.paused(30_000)).toEqual([]);
  });

  it("rejects impossible bounds", () => {
    expect(() => new QuotaPauses({ baseMs: 0 })).toThrow(/0 < baseMs <= maxMs/);
    expect(() => new QuotaPauses({ baseMs: 10, maxMs: 5 })).toThrow(/0 < baseMs <= maxMs/);
  });
});
