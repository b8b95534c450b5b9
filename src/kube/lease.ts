// The pure part of Lease-based leader election: reading and writing the Lease record, and client-go's
// rule for when a replica may take the lease. Times are epoch milliseconds in code and MicroTime on the wire.

import { V1MicroTime, type V1Lease } from "@kubernetes/client-node";

/** The Lease spec fields leader election uses; times in epoch milliseconds. */
export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: number;
  renewTime: number;
  leaseTransitions: number;
}

export interface LeaseView {
  record: LeaseRecord;
  /** When this replica first saw the lease in its current version (local clock). */
  observedAt: number;
}

export type LeaseDecision = { write: LeaseRecord } | { heldBy: string };

/**
 * Acquire attempts wait 1 to JITTER retry periods, so replicas started together spread out; as in client-go,
 * the renew deadline must exceed JITTER retry periods.
 */
export const JITTER = 1.2;

/** What to write to hold the lease at `now`, or who holds it when it is not ours to take. */
export function decideLease(
  current: LeaseView | undefined,
  identity: string,
  leaseDurationSeconds: number,
  now: number,
): LeaseDecision {
  if (current === undefined) {
    return {
      write: { holderIdentity: identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
    };
  }
  const { record, observedAt } = current;
  if (record.holderIdentity === identity) return { write: { ...record, leaseDurationSeconds, renewTime: now } };
  if (record.holderIdentity !== "" && observedAt + record.leaseDurationSeconds * 1000 > now) {
    return { heldBy: record.holderIdentity };
  }
  return {
    write: {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: record.leaseTransitions + 1,
    },
  };
}

/**
 * Whether a leader whose last successful renewal started at `renewedAt` may still act at `now` (both on a
 * monotonic clock): only within the renew deadline, which is shorter than the lease duration others wait.
 */
export function holdsLease(renewedAt: number, now: number, renewDeadlineMs: number): boolean {
  return now - renewedAt < renewDeadlineMs;
}

/** The record that hands the lease back: no holder, so any replica may take it at once (ReleaseOnCancel). */
export function releasedRecord(record: LeaseRecord, now: number): LeaseRecord {
  return { ...record, holderIdentity: "", leaseDurationSeconds: 1, acquireTime: now, renewTime: now };
}

/** Reads the spec of a Lease as the API server sent it (the client leaves MicroTime fields as strings). */
export function readLeaseRecord(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  const time = (value: unknown) =>
    typeof value === "string" ? Date.parse(value) || 0 : value instanceof Date ? value.getTime() : 0;
  return {
    holderIdentity: spec.holderIdentity ?? "",
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: time(spec.acquireTime),
    renewTime: time(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

/**
 * The spec to send. MicroTime is "2006-01-02T15:04:05.000000Z": the client serialises a plain Date with
 * toISOString() (three fractional digits, not MicroTime's format), but its V1MicroTime prints six.
 */
export function leaseSpec(record: LeaseRecord): NonNullable<V1Lease["spec"]> {
  return {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    acquireTime: new V1MicroTime(record.acquireTime),
    renewTime: new V1MicroTime(record.renewTime),
    leaseTransitions: record.leaseTransitions,
  };
}

export function validateTimings(leaseDurationMs: number, renewDeadlineMs: number, retryPeriodMs: number): void {
  for (const [field, value] of Object.entries({ leaseDurationMs, renewDeadlineMs, retryPeriodMs })) {
    if (!(value > 0) || !Number.isFinite(value)) {
      throw new RangeError(`leader election: ${field} must be a positive duration, got ${value}`);
    }
  }
  if (leaseDurationMs <= renewDeadlineMs) {
    throw new RangeError(
      `leader election: the lease duration (${leaseDurationMs}ms) must be longer than the renew deadline (${renewDeadlineMs}ms)`,
    );
  }
  if (renewDeadlineMs <= JITTER * retryPeriodMs) {
    throw new RangeError(
      `leader election: the renew deadline (${renewDeadlineMs}ms) must be longer than ${JITTER} × the retry period (${retryPeriodMs}ms)`,
    );
  }
  if (leaseDurationMs < 1000) {
    throw new RangeError(`leader election: the lease duration must be at least 1s, got ${leaseDurationMs}ms`);
  }
}
