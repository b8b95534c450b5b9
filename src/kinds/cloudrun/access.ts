// Reads and writes one owned target of a v2 Service, in whatever form the @google-cloud/run client returns it
// (nulls for unset messages, Long or string int64s, enum numbers or names). Values read are the effective
// ones where the meaning depends on the neighbourhood: a probe without a port probes the container port.

import type { protos } from "@google-cloud/run";
import { ConfigError, type ContainerField, type FieldTarget, type TemplateField } from "./fields.ts";
import { durationSeconds } from "./normalise.ts";

export type IService = protos.google.cloud.run.v2.IService;
export type IContainer = protos.google.cloud.run.v2.IContainer;
type IProbe = protos.google.cloud.run.v2.IProbe;
type IRevisionTemplate = protos.google.cloud.run.v2.IRevisionTemplate;

/** Index of the managed container: the one named `name`, or the first. Throws a ConfigError listing the others. */
export function containerIndex(service: IService, name: string | undefined): number {
  const containers = service.template?.containers ?? [];
  if (name === undefined) {
    if (containers.length > 0) return 0;
    throw new ConfigError("spec.container", `service ${service.name ?? ""} has no containers`);
  }
  const index = containers.findIndex((container) => container.name === name);
  if (index >= 0) return index;
  const names = containers.map((container, i) => container.name || `(unnamed #${i})`);
  throw new ConfigError(
    "spec.container",
    `container "${name}" not found in service ${service.name ?? ""}; its containers are: ${names.join(", ") || "none"}`,
  );
}

/** The raw live value of a target (see normaliseLive for how it is compared). */
export function readTarget(service: IService, container: IContainer, target: FieldTarget): unknown {
  const template = service.template;
  switch (target.scope) {
    case "labels":
      return service.labels?.[target.key];
    case "annotations":
      return service.annotations?.[target.key];
    case "template":
      return readTemplate(template, target.field);
    case "container":
      return readContainer(container, target.field);
    case "env": {
      const entry = container.env?.find((env) => env.name === target.name);
      if (entry == null) return undefined;
      // A variable taken from Secret Manager is not a literal: return the source so it never equals one.
      return entry.valueSource != null ? { valueSource: entry.valueSource } : (entry.value ?? "");
    }
    case "cloudSqlVolume": {
      const volume = template?.volumes?.find((candidate) => candidate.name === target.volume);
      if (volume == null) return undefined;
      return volume.cloudSqlInstance != null ? (volume.cloudSqlInstance.instances ?? []) : volume;
    }
    case "volumeMount": {
      const mount = container.volumeMounts?.find((candidate) => candidate.name === target.volume);
      // Cloud SQL mounts may leave the path empty, meaning /cloudsql, the only path allowed for them.
      return mount == null ? undefined : mount.mountPath || "/cloudsql";
    }
  }
}

/** Sets a target on a (copied) service to a declared value; creates what is missing, keeps everything else. */
export function writeTarget(service: IService, index: number, target: FieldTarget, value: string): void {
  const template = (service.template ??= {});
  switch (target.scope) {
    case "labels":
      service.labels = { ...service.labels, [target.key]: value };
      return;
    case "annotations":
      service.annotations = { ...service.annotations, [target.key]: value };
      return;
    case "template":
      writeTemplate(template, target.field, value);
      return;
    case "cloudSqlVolume": {
      const volumes = (template.volumes ??= []);
      const volume = { name: target.volume, cloudSqlInstance: { instances: value.split(",") } };
      const existing = volumes.findIndex((candidate) => candidate.name === target.volume);
      if (existing >= 0) volumes[existing] = volume;
      else volumes.push(volume);
      return;
    }
    case "container":
    case "env":
    case "volumeMount":
      break;
  }
  const container = template.containers?.[index];
  if (container == null) throw new RangeError(`service has no container at index ${index}`);
  if (target.scope === "container") {
    writeContainer(container, target.field, value);
  } else if (target.scope === "env") {
    const entry = container.env?.find((env) => env.name === target.name);
    if (entry == null) (container.env ??= []).push({ name: target.name, value });
    else {
      entry.value = value;
      delete entry.valueSource;
    }
  } else {
    const mount = container.volumeMounts?.find((candidate) => candidate.name === target.volume);
    if (mount == null) (container.volumeMounts ??= []).push({ name: target.volume, mountPath: value });
    else mount.mountPath = value;
  }
}

function readTemplate(template: IRevisionTemplate | null | undefined, field: TemplateField): unknown {
  switch (field) {
    case "timeout":
      return template?.timeout;
    case "scaling.minInstanceCount":
      return template?.scaling?.minInstanceCount;
    case "scaling.maxInstanceCount":
      return template?.scaling?.maxInstanceCount;
    case "vpcAccess.connector":
      return template?.vpcAccess?.connector;
    case "vpcAccess.egress":
      return template?.vpcAccess?.egress;
  }
}

function writeTemplate(template: IRevisionTemplate, field: TemplateField, value: string): void {
  switch (field) {
    case "timeout": {
      const seconds = durationSeconds(value);
      if (seconds === undefined) throw new RangeError(`invalid duration ${JSON.stringify(value)} for template.timeout`);
      const whole = Math.trunc(seconds);
      template.timeout = { seconds: whole, nanos: Math.round((seconds - whole) * 1e9) };
      return;
    }
    case "scaling.minInstanceCount":
      template.scaling = { ...template.scaling, minInstanceCount: Number(value) };
      return;
    case "scaling.maxInstanceCount":
      template.scaling = { ...template.scaling, maxInstanceCount: Number(value) };
      return;
    case "vpcAccess.connector":
      template.vpcAccess = { ...template.vpcAccess, connector: value };
      return;
    case "vpcAccess.egress":
      template.vpcAccess = { ...template.vpcAccess, egress: value as "ALL_TRAFFIC" | "PRIVATE_RANGES_ONLY" };
      return;
  }
}

function readContainer(container: IContainer, field: ContainerField): unknown {
  const probe = container.startupProbe;
  // Cloud Run probes the first declared container port when a probe names none.
  const containerPort = container.ports?.[0]?.containerPort;
  switch (field) {
    case "resources.limits.cpu":
      return container.resources?.limits?.cpu;
    case "resources.limits.memory":
      return container.resources?.limits?.memory;
    case "resources.cpuIdle":
      return container.resources?.cpuIdle;
    case "resources.startupCpuBoost":
      return container.resources?.startupCpuBoost;
    case "startupProbe.type":
      return probe?.httpGet != null
        ? "httpGet"
        : probe?.tcpSocket != null
          ? "tcpSocket"
          : probe?.grpc != null
            ? "grpc"
            : undefined;
    case "startupProbe.initialDelaySeconds":
      return probe?.initialDelaySeconds;
    case "startupProbe.timeoutSeconds":
      return probe?.timeoutSeconds;
    case "startupProbe.periodSeconds":
      return probe?.periodSeconds;
    case "startupProbe.failureThreshold":
      return probe?.failureThreshold;
    case "startupProbe.httpGet.path":
      return probe?.httpGet?.path;
    case "startupProbe.httpGet.port":
      return probe?.httpGet?.port || containerPort;
    case "startupProbe.tcpSocket.port":
      return probe?.tcpSocket?.port || containerPort;
  }
}

function writeContainer(container: IContainer, field: ContainerField, value: string): void {
  const resources = () => (container.resources ??= {});
  const probe = (): IProbe => (container.startupProbe ??= {});
  switch (field) {
    case "resources.limits.cpu":
      resources().limits = { ...resources().limits, cpu: value };
      return;
    case "resources.limits.memory":
      resources().limits = { ...resources().limits, memory: value };
      return;
    case "resources.cpuIdle":
      resources().cpuIdle = value === "true";
      return;
    case "resources.startupCpuBoost":
      resources().startupCpuBoost = value === "true";
      return;
    case "startupProbe.type":
      probeAction(probe(), value === "httpGet" ? "httpGet" : "tcpSocket");
      return;
    case "startupProbe.initialDelaySeconds":
      probe().initialDelaySeconds = Number(value);
      return;
    case "startupProbe.timeoutSeconds":
      probe().timeoutSeconds = Number(value);
      return;
    case "startupProbe.periodSeconds":
      probe().periodSeconds = Number(value);
      return;
    case "startupProbe.failureThreshold":
      probe().failureThreshold = Number(value);
      return;
    case "startupProbe.httpGet.path":
      probeAction(probe(), "httpGet").path = value;
      return;
    case "startupProbe.httpGet.port":
      probeAction(probe(), "httpGet").port = Number(value);
      return;
    case "startupProbe.tcpSocket.port":
      probeAction(probe(), "tcpSocket").port = Number(value);
      return;
  }
}

// httpGet, tcpSocket and grpc are a oneof: switching the probe to one action removes the others.
function probeAction(probe: IProbe, action: "httpGet" | "tcpSocket"): { path?: string | null; port?: number | null } {
  for (const other of ["httpGet", "tcpSocket", "grpc"] as const) {
    if (other !== action) delete probe[other];
  }
  return (probe[action] ??= {});
}
