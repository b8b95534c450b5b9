import { describe, expect, it } from "vitest";
import { BudgetIndex, type MemberFacts } from "./admission.ts";

const DB = "netra-staging:us-central1:db";
const LIMIT = { maxConnections: 200, safetyMargin: 0.8, limit: 160 };

/** A member on DB asking for (size + 0) × 4, created at `at` (ms). */
function member(key: string, size: number, at: number, extra: Partial<MemberFacts> = {}): MemberFacts {
  return {
    key,
    order: `${String(at).padStart(15, "0")} ${key}`,
    instance: DB,
    counted: true,
    contribution: { key, poolSize: size, maxOverflow: 0, maxInstances: 4, demand: size * 4 },
    limit: LIMIT,
    ...extra,
  };
}

/** Registers members as a watch would, then lets each one's pass find its service and ask. */
function indexOf(...members: MemberFacts[]): BudgetIndex {
  const index = new BudgetIndex();
  for (const m of members) index.update(m);
  return index;
}

function pass(index: BudgetIndex, key: string) {
  index.found(key);
  return index.admit(key);
}

describe("BudgetIndex", () => {
  it("admits first come first served and refuses the config that would push the instance over, with the numbers", () => {
    const index = indexOf(member("a/one", 15, 1), member("a/two", 15, 2));
    expect(pass(index, "a/one")).toEqual({ outcome: "admitted", grant: 60, limit: 160 });
    expect(pass(index, "a/two")).toEqual({ outcome: "admitted", grant: 60, limit: 160 });
    index.update(member("b/newcomer", 15, 3));
    const refused = pass(index, "b/newcomer");
    expect(refused).toMatchObject({ outcome: "refused", grant: 0, requested: 60, limit: 160 });
    expect(refused.outcome === "refused" && refused.message).toBe(
      `Cloud SQL instance ${DB}: b/newcomer asks for (15 + 0) × 4 = 60 connections; 2 admitted configs hold 120 ` +
        "(a/one 60, a/two 60), so 180 would exceed the budget floor(200 × 0.8) = 160. Admitted configs keep " +
        "their share; this one is admitted when the instance has room",
    );
    // The admitted ones keep their admission, pass after pass.
    expect(pass(index, "a/one")).toMatchObject({ outcome: "admitted", grant: 60 });
    expect(pass(index, "a/two")).toMatchObject({ outcome: "admitted", grant: 60 });
  });

  it("refuses an admitted config's raise but keeps what it holds", () => {
    const index = indexOf(member("a/one", 15, 1), member("a/two", 15, 2));
    pass(index, "a/one");
    pass(index, "a/two");
    index.update(member("a/two", 30, 2));
    expect(pass(index, "a/two")).toMatchObject({ outcome: "refused", grant: 60, requested: 120 });
    expect(pass(index, "a/one")).toMatchObject({ outcome: "admitted", grant: 60 });
  });

  it("re-admits waiting configs by event when a peer lowers its pool, and only those", () => {
    const index = indexOf(member("a/one", 15, 1), member("a/two", 15, 2), member("a/three", 15, 3));
    for (const key of ["a/one", "a/two", "a/three"]) pass(index, key);
    index.update(member("other/elsewhere", 1, 4, { instance: "netra-staging:us-central1:other" }));
    const requeued: string[][] = [];
    index.onRequeue((keys) => requeued.push(keys));
    // a/one lowers to 5 × 4 = 20: 20 + 60 + 60 = 140 fits.
    expect(index.update(member("a/one", 5, 1))).toEqual(["a/three"]);
    expect(pass(index, "a/three")).toMatchObject({ outcome: "admitted", grant: 60 });
    expect(requeued).toEqual([]);
  });

  it.each([
    ["paused, invalid or denied", { counted: false }],
    ["on another instance", { instance: "netra-staging:us-central1:other" }],
  ])("does not count a config that is %s, nor its limit", (_, extra) => {
    const index = indexOf(
      member("a/one", 30, 1),
      member("t/intruder", 40, 0, { ...extra, limit: { ...LIMIT, limit: 1 } }),
    );
    pass(index, "t/intruder");
    expect(pass(index, "a/one")).toEqual({ outcome: "admitted", grant: 120, limit: 160 });
  });

  it("frees the share of a config that stops counting, and of one whose service does not exist", () => {
    const index = indexOf(member("a/one", 30, 1), member("a/two", 15, 2));
    pass(index, "a/one");
    expect(pass(index, "a/two").outcome).toBe("refused");
    expect(index.update(member("a/one", 30, 1, { counted: false }))).toEqual(["a/two"]);
    expect(pass(index, "a/two").outcome).toBe("admitted");

    const missing = indexOf(member("a/one", 30, 1), member("a/two", 15, 2));
    pass(missing, "a/one");
    pass(missing, "a/two");
    const requeued: string[][] = [];
    missing.onRequeue((keys) => requeued.push(keys));
    missing.missing("a/one");
    expect(requeued).toEqual([["a/two"]]);
    expect(pass(missing, "a/two").outcome).toBe("admitted");
    expect(missing.admit("a/one")).toEqual({ outcome: "unbudgeted" });
  });

  it("never counts a config whose service was not found, however early it was created", () => {
    const index = indexOf(member("t/ghost", 40, 0), member("a/one", 40, 1));
    index.missing("t/ghost");
    expect(pass(index, "a/one")).toMatchObject({ outcome: "admitted", grant: 160 });
  });

  it("lets the config created first go first among those waiting at the same time", () => {
    const index = indexOf(member("a/holder", 20, 0), member("a/late", 15, 9), member("a/early", 15, 5));
    pass(index, "a/holder");
    index.found("a/late");
    index.found("a/early");
    // 80 held, 80 free: both want 60, so only the earlier one fits, whoever asks first.
    expect(index.admit("a/late").outcome).toBe("refused");
    expect(index.admit("a/early")).toMatchObject({ outcome: "admitted", grant: 60 });
  });

  it("honours a grant recorded in status the first time it sees a config (restart, new leader)", () => {
    const index = new BudgetIndex();
    index.update(member("b/newcomer", 15, 0));
    index.update(member("a/one", 30, 5, { recorded: { instance: DB, admitted: 120 } }));
    // The newcomer, though created earlier and asking first after the restart, does not displace it.
    expect(pass(index, "b/newcomer").outcome).toBe("refused");
    expect(pass(index, "a/one")).toMatchObject({ outcome: "admitted", grant: 120 });
    // A record for another instance is not a grant here.
    const moved = new BudgetIndex();
    moved.update(member("a/one", 30, 5, { recorded: { instance: "netra-staging:us-central1:old", admitted: 120 } }));
    moved.update(member("b/newcomer", 40, 0));
    expect(pass(moved, "b/newcomer")).toMatchObject({ outcome: "admitted", grant: 160 });
  });

  it("keeps admissions when a newcomer declares a smaller limit, and refuses the newcomer", () => {
    const index = indexOf(member("a/one", 30, 1));
    pass(index, "a/one");
    index.update(member("b/strict", 1, 2, { limit: { maxConnections: 100, safetyMargin: 0.5, limit: 50 } }));
    expect(pass(index, "b/strict")).toMatchObject({ outcome: "refused", limit: 50 });
    expect(pass(index, "a/one")).toMatchObject({ outcome: "admitted", grant: 120, limit: 50 });
  });

  it("admits everything on an instance without a declared limit", () => {
    const index = indexOf(member("a/one", 300, 1, { limit: undefined }));
    expect(pass(index, "a/one")).toEqual({ outcome: "unbudgeted" });
    expect(index.grantOf("a/one")).toEqual({ instance: DB, admitted: 1200 });
  });

  it("names the largest holders only: the message stays short with 800 services on one instance", () => {
    const wide = { maxConnections: 20_000, safetyMargin: 1, limit: 20_000 };
    const members = Array.from({ length: 800 }, (_, i) => member(`team-${i}/svc-${i}`, 5, i, { limit: wide }));
    const index = indexOf(...members);
    for (const m of members) pass(index, m.key);
    index.update(member("late/svc", 1_500, 10_000, { limit: wide }));
    const refused = pass(index, "late/svc");
    const message = refused.outcome === "refused" ? refused.message : "";
    expect(message).toContain("800 admitted configs hold 16000 (team-0/svc-0 20, team-1/svc-1 20, ");
    expect(message).toContain("and 795 more), so 22000 would exceed the budget floor(20000 × 1) = 20000");
    expect(message.length).toBeLessThan(1_024);
  });
});
