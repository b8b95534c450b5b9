// Control-API routes for Cloud Run: out-of-band changes (a person running `gcloud run services update`,
// a CI deploy changing the image) and revision failures. Served under /control, never a Google surface.

import { SimError } from "../core/errors.ts";
import type { JsonObject, RestRoute } from "../core/module.ts";
import { loadSimProtos } from "../core/protos.ts";
import type { RevisionFailureRule, RevisionFailures } from "./failures.ts";
import { mergePatch, settableFields } from "./shape.ts";
import type { ServiceStore } from "./store.ts";

const CONTROL = "driftguard.sim.Control";
export const OUT_OF_BAND_ACTOR = "someone@example.com";

export function cloudRunControlRoutes(store: ServiceStore, failures: RevisionFailures): RestRoute[] {
  return [
    {
      httpMethod: "POST",
      pattern: "/control/cloudrun/{name=projects/*/locations/*/services/*}:patch",
      bodyField: "*",
      method: `${CONTROL}/PatchService`,
      handler: (req) => {
        const name = String(req.name);
        if (req.patch === null || typeof req.patch !== "object" || Array.isArray(req.patch)) {
          throw badControl(
            "patch",
            'expected an object of Service fields to change, e.g. {template: {timeout: "600s"}}',
          );
        }
        const actor = typeof req.actor === "string" && req.actor ? req.actor : OUT_OF_BAND_ACTOR;
        return patchService(store, name, req.patch as JsonObject, actor);
      },
    },
    {
      httpMethod: "POST",
      pattern: "/control/cloudrun/revisionFailures",
      bodyField: "*",
      method: `${CONTROL}/AddRevisionFailure`,
      handler: (req) => {
        failures.add(parseFailureRule(req));
        return { rules: failures.list() };
      },
    },
    {
      httpMethod: "GET",
      pattern: "/control/cloudrun/revisionFailures",
      method: `${CONTROL}/ListRevisionFailures`,
      handler: () => ({ rules: failures.list() }),
    },
    {
      httpMethod: "DELETE",
      pattern: "/control/cloudrun/revisionFailures",
      method: `${CONTROL}/ClearRevisionFailures`,
      handler: () => {
        failures.replace([]);
        return {};
      },
    },
  ];
}

/** Changes a service the way a person or a CI deploy would: new generation and etag, a new revision if the template changed. */
export function patchService(
  store: ServiceStore,
  name: string,
  patch: JsonObject,
  actor: string,
): { operation: string; service: JsonObject } {
  const desired = mergePatch(settableFields(store.get(name)), patch) as JsonObject;
  const operation = store.write(name, desired, { request: "PatchService", actor });
  return { operation: operation.name, service: store.get(name) };
}

function badControl(field: string, description: string): SimError {
  return SimError.invalidArgument(`Invalid ${field}: ${description}`, [{ field, description }]);
}

/** Checks a revision-failure rule from the control API. */
export function parseFailureRule(input: JsonObject): RevisionFailureRule {
  const reasons = Object.keys(loadSimProtos().lookupEnum("google.cloud.run.v2.Condition.CommonReason").values);
  const { service, templateMatch, reason, message, times } = input;
  if (service !== undefined && (typeof service !== "string" || service === ""))
    throw badControl("service", "expected a service id or full name");
  if (
    templateMatch !== undefined &&
    (templateMatch === null || typeof templateMatch !== "object" || Array.isArray(templateMatch))
  ) {
    throw badControl("templateMatch", "expected an object with the template fields to match");
  }
  if (typeof reason !== "string" || !reasons.includes(reason)) {
    throw badControl("reason", `expected a Condition.CommonReason name (${reasons.join(", ")})`);
  }
  if (typeof message !== "string" || message === "") throw badControl("message", "expected a non-empty message");
  if (times !== undefined && (typeof times !== "number" || !Number.isInteger(times) || times < 1)) {
    throw badControl("times", "expected a positive integer");
  }
  return {
    reason,
    message,
    ...(service !== undefined ? { service } : {}),
    ...(templateMatch !== undefined ? { templateMatch: templateMatch as JsonObject } : {}),
    ...(times !== undefined ? { times } : {}),
  };
}
