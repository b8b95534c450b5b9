// Control-API routes that drive the connectors' load model: offered load (step or ramp), noise, and a read
// of the model's current state. Served under /control on the REST port, never part of a Google surface.

import { SimError, type FieldViolation } from "../core/errors.ts";
import type { JsonObject, RestRoute, SimContext } from "../core/module.ts";
import type { Noise } from "./load-model.ts";
import { parseConnectorName, type ConnectorStore } from "./store.ts";

const CONNECTOR = "{name=projects/*/locations/*/connectors/*}";
const METHOD_PREFIX = "driftguard.sim.control.VpcAccessLoad";

type LoadChange = { mbps: number } | { fromMbps: number; toMbps: number; seconds: number };

function fail(violations: FieldViolation[]): never {
  throw SimError.invalidArgument(violations.map((v) => `${v.field} ${v.description}`).join("; "), violations);
}

function nonNegative(value: unknown, field: string, violations: FieldViolation[]): number {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  violations.push({ field, description: `must be a non-negative number, got ${JSON.stringify(value)}` });
  return 0;
}

/** Optional `packetBytes` of a load body: the traffic's mean packet size, 64..9000 bytes (jumbo frames). */
export function parsePacketBytes(body: JsonObject): number | undefined {
  const { packetBytes } = body;
  if (packetBytes === undefined) return undefined;
  if (typeof packetBytes === "number" && Number.isFinite(packetBytes) && packetBytes >= 64 && packetBytes <= 9000)
    return packetBytes;
  fail([{ field: "packetBytes", description: `must be a number from 64 to 9000, got ${JSON.stringify(packetBytes)}` }]);
}

/**
 * `{mbps}` sets the load now; `{ramp: {fromMbps, toMbps, seconds}}` moves it linearly; either may carry
 * `packetBytes`, and `{packetBytes}` alone changes only the packet size.
 */
export function parseLoadChange(body: JsonObject): LoadChange {
  const violations: FieldViolation[] = [];
  if (body.mbps !== undefined && body.ramp !== undefined) {
    fail([{ field: "mbps", description: "give exactly one of mbps or ramp {fromMbps, toMbps, seconds}" }]);
  }
  if (body.mbps !== undefined) {
    const mbps = nonNegative(body.mbps, "mbps", violations);
    if (violations.length > 0) fail(violations);
    return { mbps };
  }
  const ramp = typeof body.ramp === "object" && body.ramp !== null ? (body.ramp as JsonObject) : {};
  const change = {
    fromMbps: nonNegative(ramp.fromMbps, "ramp.fromMbps", violations),
    toMbps: nonNegative(ramp.toMbps, "ramp.toMbps", violations),
    seconds: nonNegative(ramp.seconds, "ramp.seconds", violations),
  };
  if (change.seconds === 0 && violations.length === 0)
    violations.push({ field: "ramp.seconds", description: "must be greater than 0" });
  if (violations.length > 0) fail(violations);
  return change;
}

/** `{amplitude, seed?}`: amplitude 0..1 is the relative jitter; the seed makes runs repeatable. */
export function parseNoise(body: JsonObject): Noise {
  const violations: FieldViolation[] = [];
  const { amplitude, seed = 1 } = body;
  if (typeof amplitude !== "number" || !(amplitude >= 0 && amplitude <= 1)) {
    violations.push({
      field: "amplitude",
      description: `must be a number from 0 to 1, got ${JSON.stringify(amplitude)}`,
    });
  }
  if (!Number.isSafeInteger(seed))
    violations.push({ field: "seed", description: `must be an integer, got ${JSON.stringify(seed)}` });
  if (violations.length > 0) fail(violations);
  return { amplitude: amplitude as number, seed: seed as number };
}

export function loadControlRoutes(ctx: SimContext, store: ConnectorStore): RestRoute[] {
  const describe = (name: string) => ({ name, ...store.get(name).load.describe(ctx.now()) });
  const target = (request: JsonObject) => {
    parseConnectorName(request.name);
    return String(request.name);
  };
  return [
    {
      httpMethod: "POST",
      pattern: `/control/v1/connectors/${CONNECTOR}:load`,
      bodyField: "*",
      method: `${METHOD_PREFIX}/SetLoad`,
      handler: (request) => {
        const name = target(request);
        const packetBytes = parsePacketBytes(request);
        const onlyPackets = packetBytes !== undefined && request.mbps === undefined && request.ramp === undefined;
        const change = onlyPackets ? undefined : parseLoadChange(request);
        const { load } = store.get(name);
        if (packetBytes !== undefined) load.setPacketBytes(ctx.now(), packetBytes);
        if (change) load.setLoad(ctx.now(), change);
        return describe(name);
      },
    },
    {
      httpMethod: "POST",
      pattern: `/control/v1/connectors/${CONNECTOR}:noise`,
      bodyField: "*",
      method: `${METHOD_PREFIX}/SetNoise`,
      handler: (request) => {
        const name = target(request);
        store.get(name).load.setNoise(ctx.now(), parseNoise(request));
        return describe(name);
      },
    },
    {
      httpMethod: "GET",
      pattern: `/control/v1/connectors/${CONNECTOR}:load`,
      method: `${METHOD_PREFIX}/GetLoad`,
      handler: (request) => describe(target(request)),
    },
    {
      httpMethod: "GET",
      pattern: "/control/v1/connectors",
      method: `${METHOD_PREFIX}/ListLoads`,
      handler: () => ({ connectors: store.list().map((record) => describe(record.name)) }),
    },
  ];
}
