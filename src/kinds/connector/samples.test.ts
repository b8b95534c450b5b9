import { describe, expect, it } from "vitest";
import { SampleStore } from "./samples.ts";

const sample = (at: number, cpu = 0.5) => ({ at, cpu, throughput: 0.1 });

describe("SampleStore", () => {
  it("keeps samples from the one at the window start onwards", () => {
    const store = new SampleStore();
    for (const at of [0, 10, 20, 30, 40]) store.record("ns/a", at, sample(at), 25);
    expect(store.samples("ns/a").map((s) => s.at)).toEqual([20, 30, 40]);
  });

  it("tracks the last read even when it produced no sample", () => {
    const store = new SampleStore();
    expect(store.sinceLastRead("ns/a", 100)).toBe(Infinity);
    store.record("ns/a", 100, undefined, 0);
    expect(store.sinceLastRead("ns/a", 130)).toBe(30);
    expect(store.samples("ns/a")).toEqual([]);
  });

  it("bounds samples per key and the number of keys, dropping the least recently read", () => {
    const store = new SampleStore({ maxKeys: 2, maxSamples: 3 });
    for (let at = 0; at < 10; at++) store.record("ns/a", at, sample(at), -1);
    expect(store.samples("ns/a").map((s) => s.at)).toEqual([7, 8, 9]);
    store.record("ns/b", 10, sample(10), -1);
    store.record("ns/a", 11, sample(11), -1);
    store.record("ns/c", 12, sample(12), -1);
    expect(store.samples("ns/b")).toEqual([]);
    expect(store.samples("ns/a").map((s) => s.at)).toEqual([8, 9, 11]);
    expect(store.samples("ns/c").map((s) => s.at)).toEqual([12]);
  });

  it("clears samples after a resize but remembers when it last read", () => {
    const store = new SampleStore();
    store.record("ns/a", 5, sample(5), 0);
    store.clearSamples("ns/a");
    expect(store.samples("ns/a")).toEqual([]);
    expect(store.sinceLastRead("ns/a", 6)).toBe(1);
  });
});
