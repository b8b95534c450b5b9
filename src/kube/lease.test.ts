import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1Lease } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { podNamespace } from "./leader.ts";
import {
  decideLease,
  holdsLease,
  leaseSpec,
  readLeaseRecord,
  releasedRecord,
  validateTimings,
  type LeaseRecord,
} from "./lease.ts";

const NOW = Date.parse("2024-05-01T12:00:00.250Z");
const held = (holderIdentity: string, extra: Partial<LeaseRecord> = {}): LeaseRecord => ({
  holderIdentity,
  leaseDurationSeconds: 15,
  acquireTime: NOW - 60_000,
  renewTime: NOW - 1_000,
  leaseTransitions: 3,
  ...extra,
});

describe("decideLease", () => {
  it("creates the lease when there is none", () => {
    expect(decideLease(undefined, "me", 15, NOW)).toEqual({
      write: { holderIdentity: "me", leaseDurationSeconds: 15, acquireTime: NOW, renewTime: NOW, leaseTransitions: 0 },
    });
  });

  it("renews its own lease, keeping the acquire time and transition count", () => {
    const decision = decideLease({ record: held("me"), observedAt: NOW - 1_000 }, "me", 15, NOW);
    expect(decision).toEqual({ write: { ...held("me"), renewTime: NOW } });
  });

  it("leaves a lease alone while its holder's last renewal is younger than the lease duration", () => {
    const decision = decideLease({ record: held("other"), observedAt: NOW - 14_999 }, "me", 15, NOW);
    expect(decision).toEqual({ heldBy: "other" });
  });

  it("takes over an expired lease and counts the transition", () => {
    const decision = decideLease({ record: held("other"), observedAt: NOW - 15_000 }, "me", 15, NOW);
    expect(decision).toEqual({
      write: { holderIdentity: "me", leaseDurationSeconds: 15, acquireTime: NOW, renewTime: NOW, leaseTransitions: 4 },
    });
  });

  it("judges expiry by when the lease was seen to change, not by the holder's clock", () => {
    // The holder's clock runs an hour behind, but this replica saw the lease change a second ago.
    const skewed = held("other", { renewTime: NOW - 3_600_000 });
    expect(decideLease({ record: skewed, observedAt: NOW - 1_000 }, "me", 15, NOW)).toEqual({ heldBy: "other" });
  });

  it("takes a released lease at once", () => {
    const released = releasedRecord(held("other"), NOW - 10);
    const decision = decideLease({ record: released, observedAt: NOW - 10 }, "me", 15, NOW);
    expect(decision).toMatchObject({ write: { holderIdentity: "me", leaseTransitions: 4 } });
  });

  it("uses the holder's lease duration, not its own, to judge expiry", () => {
    const short = held("other", { leaseDurationSeconds: 3 });
    expect(decideLease({ record: short, observedAt: NOW - 3_000 }, "me", 15, NOW)).toMatchObject({
      write: { holderIdentity: "me" },
    });
  });
});

describe("holdsLease", () => {
  it("holds only while less than the renew deadline has passed since the last renewal began", () => {
    expect(holdsLease(1_000, 1_000, 10_000)).toBe(true);
    expect(holdsLease(1_000, 10_999, 10_000)).toBe(true);
    expect(holdsLease(1_000, 11_000, 10_000)).toBe(false);
    // A process frozen for 25s wakes up with its last renewal far behind it.
    expect(holdsLease(1_000, 26_000, 10_000)).toBe(false);
    expect(holdsLease(-Infinity, 0, 10_000)).toBe(false);
  });
});

describe("releasedRecord", () => {
  it("clears the holder and shortens the lease but keeps the transition count", () => {
    expect(releasedRecord(held("me"), NOW)).toEqual({
      holderIdentity: "",
      leaseDurationSeconds: 1,
      acquireTime: NOW,
      renewTime: NOW,
      leaseTransitions: 3,
    });
  });
});

describe("lease wire format", () => {
  it("serialises MicroTime with six fractional digits", () => {
    const json = JSON.parse(JSON.stringify({ spec: leaseSpec(held("me")) })) as {
      spec: { acquireTime: string; renewTime: string };
    };
    expect(json.spec.renewTime).toBe("2024-05-01T11:59:59.250000Z");
    expect(json.spec.acquireTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it("reads back what it writes", () => {
    const record = held("me");
    const wire = JSON.parse(JSON.stringify({ spec: leaseSpec(record) })) as V1Lease;
    expect(readLeaseRecord(wire)).toEqual(record);
  });

  it("reads a lease with no spec fields as free", () => {
    expect(readLeaseRecord({ metadata: { name: "x" } })).toEqual({
      holderIdentity: "",
      leaseDurationSeconds: 0,
      acquireTime: 0,
      renewTime: 0,
      leaseTransitions: 0,
    });
  });
});

describe("validateTimings", () => {
  it("accepts client-go's defaults and short test timings", () => {
    expect(() => validateTimings(15_000, 10_000, 2_000)).not.toThrow();
    expect(() => validateTimings(3_000, 2_000, 500)).not.toThrow();
  });

  it.each([
    [10_000, 10_000, 2_000, /lease duration \(10000ms\) must be longer than the renew deadline/],
    [15_000, 2_000, 2_000, /renew deadline \(2000ms\) must be longer than 1.2 × the retry period/],
    [15_000, 10_000, 0, /retryPeriodMs must be a positive duration/],
    [900, 600, 100, /lease duration must be at least 1s/],
  ])("rejects lease %d, renew %d, retry %d", (lease, renew, retry, message) => {
    expect(() => validateTimings(lease, renew, retry)).toThrow(message);
  });
});

describe("podNamespace", () => {
  it("reads the service-account namespace file, and falls back to default", () => {
    const dir = mkdtempSync(join(tmpdir(), "driftguard-ns-"));
    writeFileSync(join(dir, "namespace"), "driftguard-system\n");
    expect(podNamespace(join(dir, "namespace"))).toBe("driftguard-system");
    expect(podNamespace(join(dir, "missing"))).toBe("default");
  });
});
