// The REST control API under /control (separate from every Google surface): a thin HTTP face on SimControl.
// Module-specific routes (Cloud Run out-of-band patches, connector load) come from the modules themselves.

import { SimError } from "../core/errors.ts";
import type { FaultRule } from "../core/faults.ts";
import type { JsonObject, RestRoute, UnaryHandler } from "../core/module.ts";
import type { SimControl, SimSnapshot } from "./control.ts";

const CONTROL = "driftguard.sim.Control";

export function controlRoutes(control: SimControl): RestRoute[] {
  const route = (
    httpMethod: RestRoute["httpMethod"],
    pattern: string,
    name: string,
    handler: UnaryHandler,
  ): RestRoute => ({
    httpMethod,
    pattern,
    bodyField: "*",
    method: `${CONTROL}/${name}`,
    handler: (req) => guard(() => handler(req)),
  });
  return [
    route("POST", "/control/seed", "Seed", (req) => {
      control.seed(typeof req.yaml === "string" ? req.yaml : req);
      return {};
    }),
    route("POST", "/control/faults", "AddFault", (req) => {
      control.addFault(req as unknown as FaultRule);
      return { faults: control.faults() };
    }),
    route("GET", "/control/faults", "ListFaults", () => ({ faults: control.faults() })),
    route("DELETE", "/control/faults", "ClearFaults", () => {
      control.clearFaults();
      return {};
    }),
    route("GET", "/control/requests", "ListRequests", (req) => ({
      requests: control.requests({
        ...(typeof req.method === "string" ? { method: req.method } : {}),
        ...(typeof req.resource === "string" ? { resource: req.resource } : {}),
      }),
    })),
    route("DELETE", "/control/requests", "ClearRequests", () => {
      control.clearRequests();
      return {};
    }),
    route("POST", "/control/operationLatency", "SetOperationLatency", (req) => {
      control.setOperationLatency(Number(req.ms));
      return {};
    }),
    route("POST", "/control/monitoringDelay", "SetMonitoringDelay", (req) => {
      control.setMonitoringDelay(req.seconds as number);
      return { seconds: control.monitoringDelay() };
    }),
    route("GET", "/control/monitoringDelay", "GetMonitoringDelay", () => ({ seconds: control.monitoringDelay() })),
    route("POST", "/control/snapshot", "Snapshot", () => ({ snapshot: control.snapshot() })),
    route("POST", "/control/restore", "Restore", (req) => {
      control.restore(req.snapshot as SimSnapshot);
      return {};
    }),
    route("POST", "/control/reset", "Reset", () => {
      control.reset();
      return {};
    }),
  ];
}

/** Plain errors from bad control input become INVALID_ARGUMENT with the message that names the field. */
async function guard(run: () => JsonObject | Promise<JsonObject>): Promise<JsonObject> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof SimError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new SimError("INVALID_ARGUMENT", message);
  }
}
