// Probe limits of Cloud Run services: startup probes may wait at most 240s, liveness probes 3600s;
// a probe's timeout cannot exceed its period, and it has exactly one check (HTTP, TCP or gRPC).

import type { FieldViolation } from "../core/errors.ts";
import type { JsonObject } from "../core/module.ts";
import { PROBE_LIMITS } from "./google-facts.ts";

const LIMITS = PROBE_LIMITS;

export function validateProbe(
  probe: JsonObject,
  kind: keyof typeof LIMITS,
  field: string,
  out: FieldViolation[],
): void {
  const limits = LIMITS[kind];
  const period = numberOr(probe.periodSeconds, 10);
  const timeout = numberOr(probe.timeoutSeconds, 1);
  const initialDelay = numberOr(probe.initialDelaySeconds, 0);
  const failureThreshold = numberOr(probe.failureThreshold, 3);
  if (period < 1 || period > limits.period) {
    out.push({ field: `${field}.period_seconds`, description: `must be between 1 and ${limits.period}.` });
  }
  if (timeout < 1 || timeout > period) {
    out.push({ field: `${field}.timeout_seconds`, description: `must be between 1 and period_seconds (${period}).` });
  }
  if (initialDelay < 0 || initialDelay > limits.initialDelay) {
    out.push({ field: `${field}.initial_delay_seconds`, description: `must be between 0 and ${limits.initialDelay}.` });
  }
  if (failureThreshold < 1) out.push({ field: `${field}.failure_threshold`, description: "must be at least 1." });
  const checks = ["httpGet", "tcpSocket", "grpc"].filter((check) => probe[check] !== undefined);
  if (checks.length !== 1) {
    out.push({ field, description: "exactly one of http_get, tcp_socket or grpc must be set." });
  }
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" ? value : fallback;
}
