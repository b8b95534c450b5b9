// The Cloud Run Admin API v2's request validation, reported as BadRequest field violations with the
// proto field paths Google uses ("service.template.containers[0].resources.limits.cpu").

import type { FieldViolation } from "../core/errors.ts";
import type { JsonObject } from "../core/module.ts";
import { parseDuration } from "../core/well-known.ts";
import { GiB, MiB, parseCpu, parseMemory } from "./quantities.ts";
import { checkAnnotations, checkEnvLimits, checkLabels } from "./validate-limits.ts";
import { validateProbe } from "./validate-probes.ts";
import {
  CLIENT_LABEL_PREFIX,
  MIN_CPU_FOR_MEMORY,
  MIN_MEMORY_FOR_CPU,
  RESERVED_ENV,
  SYSTEM_PREFIXES,
  WHOLE_CPUS,
} from "./google-facts.ts";

type Violations = FieldViolation[];

const asObject = (value: unknown): JsonObject =>
  value !== null && typeof value === "object" ? (value as JsonObject) : {};
const asList = (value: unknown): JsonObject[] => (Array.isArray(value) ? (value as JsonObject[]) : []);

/** Everything wrong with `service` (already defaulted); `field` is its path in the request ("service"). */
export function validateService(service: JsonObject, serviceId: string, field = "service"): Violations {
  const out: Violations = [];
  const template = asObject(service.template);
  checkSystemKeys(service.labels, `${field}.labels`, "labels", out);
  checkSystemKeys(service.annotations, `${field}.annotations`, "annotations", out);
  checkSystemKeys(template.labels, `${field}.template.labels`, "labels", out);
  checkSystemKeys(template.annotations, `${field}.template.annotations`, "annotations", out);
  const system = (key: string) => SYSTEM_PREFIXES.some((prefix) => key.startsWith(prefix));
  const client = (key: string) => system(key) || key.startsWith(CLIENT_LABEL_PREFIX);
  checkLabels(service.labels, `${field}.labels`, system, out);
  checkLabels(template.labels, `${field}.template.labels`, client, out);
  checkAnnotations(service.annotations, `${field}.annotations`, out);
  checkAnnotations(template.annotations, `${field}.template.annotations`, out);
  checkTemplate(template, serviceId, `${field}.template`, out);
  checkTraffic(asList(service.traffic), `${field}.traffic`, out);
  const minInstances = asObject(service.scaling).minInstanceCount;
  if (typeof minInstances === "number" && minInstances < 0) {
    out.push({ field: `${field}.scaling.min_instance_count`, description: "must be non-negative" });
  }
  return out;
}

function checkSystemKeys(map: unknown, field: string, kind: string, out: Violations): void {
  for (const key of Object.keys(asObject(map))) {
    if (SYSTEM_PREFIXES.some((prefix) => key.startsWith(prefix))) {
      out.push({ field: `${field}[${key}]`, description: `system ${kind} are not supported in Cloud Run API v2.` });
    }
  }
}

function checkTemplate(template: JsonObject, serviceId: string, field: string, out: Violations): void {
  if (
    typeof template.revision === "string" &&
    template.revision !== "" &&
    !template.revision.startsWith(`${serviceId}-`)
  ) {
    out.push({
      field: `${field}.revision`,
      description: `Revision name must be prefixed by the service name '${serviceId}-'.`,
    });
  }
  if (typeof template.timeout === "string") {
    const { seconds, nanos } = parseDuration(template.timeout);
    const total = Number(seconds) + nanos / 1e9;
    if (total <= 0 || total > 3600)
      out.push({ field: `${field}.timeout`, description: "must be between 1s and 3600s." });
  }
  const scaling = asObject(template.scaling);
  const min = typeof scaling.minInstanceCount === "number" ? scaling.minInstanceCount : 0;
  const max = typeof scaling.maxInstanceCount === "number" ? scaling.maxInstanceCount : undefined;
  if (min < 0) out.push({ field: `${field}.scaling.min_instance_count`, description: "must be non-negative." });
  if (max !== undefined && max < min) {
    out.push({
      field: `${field}.scaling.max_instance_count`,
      description: `must be greater than or equal to min_instance_count (${min}).`,
    });
  }
  const concurrency = template.maxInstanceRequestConcurrency;
  if (typeof concurrency === "number" && (concurrency < 1 || concurrency > 1000)) {
    out.push({ field: `${field}.max_instance_request_concurrency`, description: "must be between 1 and 1000." });
  }
  const containers = asList(template.containers);
  if (containers.length === 0)
    out.push({ field: `${field}.containers`, description: "at least one container is required." });
  if (containers.length > 10)
    out.push({ field: `${field}.containers`, description: "at most 10 containers are allowed." });
  const volumes = checkVolumes(asList(template.volumes), `${field}.volumes`, out);
  containers.forEach((container, i) => {
    checkContainer(
      container,
      `${field}.containers[${i}]`,
      volumes,
      typeof concurrency === "number" ? concurrency : 80,
      out,
    );
  });
}

function checkContainer(
  container: JsonObject,
  field: string,
  volumes: Set<string>,
  concurrency: number,
  out: Violations,
): void {
  if (typeof container.image !== "string" || container.image === "")
    out.push({ field: `${field}.image`, description: "is required." });
  checkResources(asObject(container.resources), `${field}.resources`, concurrency, out);
  // A name may repeat, the last entry winning, as in Kubernetes' EnvVar list that Cloud Run's container
  // mirrors (google/cloud/run/v2/k8s.min.proto Container.env). Not recorded from Google: see
  // https://github.com/fluxcd/helm-controller/issues/1333 for the Kubernetes API server accepting repeats.
  checkEnvLimits(asList(container.env), `${field}.env`, out);
  asList(container.env).forEach((env, i) => {
    const name = typeof env.name === "string" ? env.name : "";
    const envField = `${field}.env[${i}].name`;
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) {
      out.push({
        field: envField,
        description: `'${name}' is not a valid environment variable name: it must consist of letters, digits, '_', '-' or '.', and must not start with a digit.`,
      });
    } else if (RESERVED_ENV.has(name)) {
      out.push({ field: envField, description: `'${name}' is a reserved environment variable name.` });
    }
  });
  asList(container.volumeMounts).forEach((mount, i) => {
    if (!volumes.has(typeof mount.name === "string" ? mount.name : "")) {
      out.push({
        field: `${field}.volume_mounts[${i}].name`,
        description: `volume '${String(mount.name)}' is not defined in template.volumes.`,
      });
    }
  });
  for (const probe of ["startupProbe", "livenessProbe"] as const) {
    if (container[probe] !== undefined)
      validateProbe(asObject(container[probe]), probe, `${field}.${snake(probe)}`, out);
  }
}

function checkResources(resources: JsonObject, field: string, concurrency: number, out: Violations): void {
  const limits = asObject(resources.limits) as Record<string, string>;
  const cpu = parseCpu(limits.cpu ?? "1");
  const memory = parseMemory(limits.memory ?? "512Mi");
  if (cpu === undefined || (cpu >= 1 && !WHOLE_CPUS.has(cpu)) || cpu < 0.08) {
    out.push({
      field: `${field}.limits.cpu`,
      description: `Invalid value '${limits.cpu}': CPU must be 1, 2, 4, 6 or 8, or a fraction between 0.08 and 1.`,
    });
    return;
  }
  if (memory === undefined || memory < 128 * MiB || memory > 32 * GiB) {
    out.push({
      field: `${field}.limits.memory`,
      description: `Invalid value '${limits.memory}': memory must be between 128Mi and 32Gi.`,
    });
    return;
  }
  const minMemory = MIN_MEMORY_FOR_CPU.find(([cores]) => cpu >= cores)?.[1] ?? 0;
  if (memory < minMemory) {
    out.push({
      field: `${field}.limits.memory`,
      description: `${limits.cpu} CPU requires at least ${minMemory / GiB}Gi of memory.`,
    });
  }
  const minCpu = MIN_CPU_FOR_MEMORY.find(([bytes]) => memory > bytes)?.[1] ?? 0;
  if (cpu < minCpu) {
    out.push({
      field: `${field}.limits.cpu`,
      description: `memory above ${limits.memory} requires at least ${minCpu} CPU.`,
    });
  }
  if (cpu < 1) {
    if (memory > (cpu < 0.5 ? 512 * MiB : GiB)) {
      out.push({
        field: `${field}.limits.memory`,
        description: `CPU below ${cpu < 0.5 ? "0.5" : "1"} allows at most ${cpu < 0.5 ? "512Mi" : "1Gi"} of memory.`,
      });
    }
    if (concurrency > 1)
      out.push({
        field: `${field}.limits.cpu`,
        description: "CPU below 1 requires max_instance_request_concurrency of 1.",
      });
    if (resources.cpuIdle === false)
      out.push({
        field: `${field}.cpu_idle`,
        description: "CPU below 1 requires CPU to be allocated only during requests.",
      });
  }
}

function checkVolumes(volumes: JsonObject[], field: string, out: Violations): Set<string> {
  const names = new Set<string>();
  volumes.forEach((volume, i) => {
    const name = typeof volume.name === "string" ? volume.name : "";
    if (names.has(name))
      out.push({ field: `${field}[${i}].name`, description: `volume name '${name}' is used more than once.` });
    names.add(name);
    const cloudSql = volume.cloudSqlInstance;
    if (cloudSql === undefined) return;
    const instances = asObject(cloudSql).instances;
    (Array.isArray(instances) ? (instances as unknown[]) : []).forEach((instance, j) => {
      if (typeof instance !== "string" || !/^[^:\s]+:[^:\s]+:[^:\s]+$/.test(instance)) {
        out.push({
          field: `${field}[${i}].cloud_sql_instance.instances[${j}]`,
          description: `'${String(instance)}' is not a Cloud SQL connection name of the form project:region:instance.`,
        });
      }
    });
  });
  return names;
}

function checkTraffic(traffic: JsonObject[], field: string, out: Violations): void {
  const total = traffic.reduce((sum, target) => sum + (typeof target.percent === "number" ? target.percent : 0), 0);
  if (traffic.length > 0 && total !== 100)
    out.push({ field, description: `traffic percentages must add up to 100, got ${total}.` });
  traffic.forEach((target, i) => {
    if (target.type === "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION" && !target.revision) {
      out.push({ field: `${field}[${i}].revision`, description: "is required for a REVISION traffic target." });
    }
  });
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
