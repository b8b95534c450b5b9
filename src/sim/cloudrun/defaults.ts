// Server-side defaults, applied on every write the way Cloud Run does before it stores a service. What Get
// returns is what a controller must treat as "already converged". Quantities are kept as written: Google
// returns cpu "1000m" as "1000m" (recording: test/fixtures/google-recordings/cloudrun-v2-runservicebasic,
// interactions 1-12); that memory is kept as written too is not recorded but follows from the same
// string map (google/cloud/run/v2/k8s.min.proto ResourceRequirements.limits).

import type { JsonObject } from "../core/module.ts";
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_CPU,
  DEFAULT_MAX_INSTANCES,
  DEFAULT_MEMORY,
  DEFAULT_PORT,
  DEFAULT_TIMEOUT,
  FRACTIONAL_CPU_CONCURRENCY,
  LATEST,
} from "./google-facts.ts";
import { parseCpu } from "./quantities.ts";

export {
  DEFAULT_CONCURRENCY,
  DEFAULT_CPU,
  DEFAULT_MAX_INSTANCES,
  DEFAULT_MEMORY,
  DEFAULT_PORT,
  DEFAULT_TIMEOUT,
  FRACTIONAL_CPU_CONCURRENCY,
  LATEST,
};

/** A copy of `service` with Cloud Run's defaults filled in. */
export function withServiceDefaults(service: JsonObject, projectNumber: string): JsonObject {
  const result = structuredClone(service);
  result.launchStage ??= "GA";
  result.ingress ??= "INGRESS_TRAFFIC_ALL";
  if (!Array.isArray(result.traffic) || result.traffic.length === 0) result.traffic = [{ type: LATEST, percent: 100 }];
  const template = (result.template ?? {}) as JsonObject;
  result.template = template;
  template.timeout ??= DEFAULT_TIMEOUT;
  template.serviceAccount ??= `${projectNumber}-compute@developer.gserviceaccount.com`;
  const scaling = (template.scaling ?? {}) as JsonObject;
  scaling.maxInstanceCount ??= DEFAULT_MAX_INSTANCES;
  template.scaling = scaling;
  const containers = Array.isArray(template.containers) ? (template.containers as JsonObject[]) : [];
  template.containers = containers.map((container, index) =>
    withContainerDefaults(container, index === 0 || containers.length === 1),
  );
  template.maxInstanceRequestConcurrency ??=
    instanceCpu(template.containers as JsonObject[]) < 1 ? FRACTIONAL_CPU_CONCURRENCY : DEFAULT_CONCURRENCY;
  return result;
}

/** `serving`: the ingress container (the only one, or the first), which gets the default port and probe. */
function withContainerDefaults(container: JsonObject, serving: boolean): JsonObject {
  // cpu_idle is a plain proto3 bool, so false and unset look the same. Like Cloud Run, CPU is only
  // allocated during requests when the caller set no resources at all; a caller who sets resources must
  // ask for cpuIdle true explicitly to keep that behaviour.
  const declaredResources = container.resources !== undefined;
  const resources = (container.resources ?? {}) as JsonObject;
  const limits = { ...((resources.limits ?? {}) as Record<string, string>) };
  limits.cpu ??= DEFAULT_CPU;
  limits.memory ??= DEFAULT_MEMORY;
  resources.limits = limits;
  if (!declaredResources) resources.cpuIdle = true;
  const result: JsonObject = { ...container, resources };
  if (serving) {
    if (!Array.isArray(result.ports) || result.ports.length === 0)
      result.ports = [{ name: "http1", containerPort: DEFAULT_PORT }];
    const port = ((result.ports as JsonObject[])[0]?.containerPort as number | undefined) ?? DEFAULT_PORT;
    result.startupProbe ??= { timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1, tcpSocket: { port } };
  }
  withProbePorts(result);
  return result;
}

/**
 * A probe action without a port probes the container's port. google/cloud/run/v2/k8s.proto, HTTPGetAction,
 * TCPSocketAction and GRPCAction `port`: "If not specified, defaults to the exposed port of the container,
 * which is the value of container.ports[0].containerPort" (and 1 to 65535, so a proto3 0 means unset).
 * Whether Get echoes the resolved port for a caller's own probe is not documented; it is stored resolved,
 * as Cloud Run shows it on the default TCP startup probe, so what Get returns is the port actually probed.
 */
function withProbePorts(container: JsonObject): void {
  const containerPort = (container.ports as JsonObject[] | undefined)?.[0]?.containerPort;
  if (typeof containerPort !== "number") return;
  for (const kind of ["startupProbe", "livenessProbe"]) {
    const probe = container[kind] as JsonObject | undefined;
    for (const action of ["httpGet", "tcpSocket", "grpc"]) {
      const check = probe?.[action] as JsonObject | undefined;
      if (check && (check.port === undefined || check.port === 0)) check.port = containerPort;
    }
  }
}

/** CPU of an instance: the sum of its containers' limits (unparseable ones count as the default). */
function instanceCpu(containers: JsonObject[]): number {
  return containers.reduce((sum, container) => {
    const limits = ((container.resources as JsonObject | undefined)?.limits ?? {}) as Record<string, string>;
    return sum + (parseCpu(limits.cpu ?? DEFAULT_CPU) ?? 1);
  }, 0);
}
