// Every GCP project a CloudRunServiceConfig reaches, for the namespace's allowed-projects guard: the
// service's own, the connector's (declared, from a v1 annotation, or through a connectorRef) and each Cloud
// SQL instance's. Read from the rendered fields, so whatever reaches Google is what is checked.

import type { CloudRunServiceConfigSpec } from "../../api/cloudrun.ts";
import type { ObjectLookup, ProjectReference } from "../kind.ts";
import { connectorResource } from "../connector/resource.ts";
import { ConfigError } from "./fields.ts";
import { renderDesired } from "./render.ts";

/** `projects/P/...` -> P. */
const RESOURCE_PROJECT = /^projects\/([^/]+)\//;

export function serviceProjectReferences(
  spec: CloudRunServiceConfigSpec,
  lookup: ObjectLookup,
  namespace: string,
): ProjectReference[] {
  const references: ProjectReference[] = [{ field: "spec.service.project", project: spec.service.project }];
  const ref = spec.vpcAccess?.connectorRef;
  let connectorName: string | undefined;
  if (ref) {
    const target = (lookup.get(connectorResource, namespace, ref.name)?.spec as ConnectorSpecShape | undefined)
      ?.connector;
    if (target?.project) {
      references.push({ field: "spec.vpcAccess.connectorRef", project: target.project });
      if (target.region && target.name) {
        connectorName = `projects/${target.project}/locations/${target.region}/connectors/${target.name}`;
      }
    }
  }
  return [...references, ...renderedReferences(spec, ref !== undefined, connectorName)];
}

/**
 * The references read from the rendered fields, remembered per spec object (one per version of a config:
 * sources replace it when the spec changes) and connector: the tenancy guard and the budget index ask on
 * every pass, and rendering is the costly part. The lists are small and frozen.
 */
const renderedBySpec = new WeakMap<object, Map<string, readonly ProjectReference[]>>();

function renderedReferences(
  spec: CloudRunServiceConfigSpec,
  hasRef: boolean,
  connectorName: string | undefined,
): readonly ProjectReference[] {
  const variant = connectorName ?? (hasRef ? "(not resolved)" : "");
  let byVariant = renderedBySpec.get(spec);
  const known = byVariant?.get(variant);
  if (known) return known;
  const withoutRef = hasRef ? { ...spec, vpcAccess: { ...spec.vpcAccess, connectorRef: undefined } } : spec;
  let fields;
  try {
    fields = renderDesired(hasRef && !connectorName ? withoutRef : spec, connectorName ? { connectorName } : {}).fields;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // Refused as InvalidSpec later; what can be read from the spec is still checked.
    return declaredReferences(spec);
  }
  const references: ProjectReference[] = [];
  for (const field of fields) {
    if (field.target.scope === "template" && field.target.field === "vpcAccess.connector") {
      const project = RESOURCE_PROJECT.exec(field.value)?.[1];
      if (project && field.source !== "vpcAccess.connectorRef")
        references.push({ field: `spec.${field.source}`, project });
    }
    if (field.target.scope === "cloudSqlVolume") {
      for (const instance of field.value.split(",")) {
        references.push({ field: `spec.${field.source}`, project: instance.split(":")[0] ?? instance });
      }
    }
  }
  const frozen = Object.freeze(references.map((r) => Object.freeze(r)));
  if (!byVariant) renderedBySpec.set(spec, (byVariant = new Map<string, readonly ProjectReference[]>()));
  byVariant.set(variant, frozen);
  return frozen;
}

function declaredReferences(spec: CloudRunServiceConfigSpec): ProjectReference[] {
  const references: ProjectReference[] = [];
  const connector = spec.vpcAccess?.connector;
  const project = connector === undefined ? undefined : RESOURCE_PROJECT.exec(connector)?.[1];
  if (project) references.push({ field: "spec.vpcAccess.connector", project });
  const instance = spec.database?.cloudSqlInstance;
  if (instance) references.push({ field: "spec.database.cloudSqlInstance", project: instance.split(":")[0] ?? "" });
  return references;
}

interface ConnectorSpecShape {
  connector?: { project?: string; region?: string; name?: string };
}
