// The CloudRunServiceConfig kind: reads the live service through the Cloud Run Admin API v2 client,
// compares the owned fields (render -> normalise -> diff, all pure) and writes exactly the difference
// with the etag it just read. Cluster-wide rules hold back only the fields they are about: a config refused
// room on its Cloud SQL instance does not raise its connection demand, and one whose connector config is
// not Ready does not move to another connector; everything else is still healed (see held-back.ts).

import type { ServicesClient } from "@google-cloud/run";
import { operationsProtos, type CallOptions } from "google-gax";
import {
  cloudRunServiceConfigKind,
  CloudRunServiceConfigSpec,
  type CloudRunServiceConfigSpec as Spec,
} from "../../api/cloudrun.ts";
import { GROUP, VERSION } from "../../api/common.ts";
import { classifyGoogleError } from "../../gcp/errors.ts";
import type { CallGuard } from "../../gcp/guard.ts";
import type {
  Blocked,
  KindContext,
  KindIndex,
  ManagedKind,
  ManagedObject,
  Observation,
  ObjectLookup,
  OperationState,
  ProjectReference,
  ResourceType,
} from "../kind.ts";
import { connectorResource, connectorReadiness, type ConnectorReadiness } from "../connector/resource.ts";
import { parseSpecWith } from "../spec.ts";
import type { IService } from "./access.ts";
import { BudgetIndex, type Admission } from "./admission.ts";
import { diffService } from "./diff.ts";
import { ConfigError, type DesiredService } from "./fields.ts";
import { partitionDiffs } from "./held-back.ts";
import { MemberReader } from "./members.ts";
import { serviceProjectReferences } from "./references.ts";
import { renderDesired } from "./render.ts";
import { buildUpdate } from "./update.ts";

export const cloudRunResource: ResourceType = {
  group: GROUP,
  version: VERSION,
  plural: cloudRunServiceConfigKind.plural,
  kind: cloudRunServiceConfigKind.kind,
};

/**
 * The client libraries retry UNAVAILABLE for up to a minute inside one call, out of sight of the call guard:
 * its rate limit, quota pause and circuit breaker would see one slow call instead of an outage. The reconciler
 * retries with its own backoff, so each call goes out exactly once.
 */
const NO_RETRY: CallOptions = { retry: null };

/** What observe read, carried to update so the write uses exactly that etag. */
interface Carried {
  live: IService;
  desired: DesiredService;
}

export interface CloudRunKindOptions {
  /**
   * Whether a peer's namespace may target every project its spec references; a peer that may not does not
   * count against any Cloud SQL instance. Without it every peer is allowed.
   */
  peerAllowed?: (namespace: string, references: ProjectReference[]) => boolean;
  /** What peers' references are resolved against (a connectorRef's connector). */
  lookup?: ObjectLookup;
}

export class CloudRunKind implements ManagedKind<Spec> {
  readonly resource = cloudRunResource;
  readonly dependsOn = [connectorResource];
  readonly index: KindIndex;
  #services: ServicesClient;
  #guard: CallGuard;
  #carried = new WeakMap<Observation, Carried>();
  /** What admit rendered, for observe in the same pass (the pass's context is the key) if the connector held. */
  #renderedInPass = new WeakMap<KindContext<Spec>, { variant: string; desired: DesiredService }>();
  #budget = new BudgetIndex();
  #members: MemberReader;

  constructor(services: ServicesClient, guard: CallGuard, options: CloudRunKindOptions = {}) {
    this.#services = services;
    this.#guard = guard;
    const { peerAllowed, lookup } = options;
    const empty: ObjectLookup = { list: () => [], get: () => undefined };
    this.#members = new MemberReader((namespace, spec) =>
      peerAllowed ? peerAllowed(namespace, this.referencedProjects(spec, lookup ?? empty, namespace)) : true,
    );
    this.index = {
      changed: (resource, key, object) => this.#changed(resource, key, object),
      onRequeue: (listener) => this.#budget.onRequeue(listener),
    };
  }

  parseSpec(raw: unknown) {
    return parseSpecWith(CloudRunServiceConfigSpec, raw);
  }

  referencedProjects(spec: Spec, lookup: ObjectLookup, namespace: string): ProjectReference[] {
    return serviceProjectReferences(spec, lookup, namespace);
  }

  targetName(spec: Spec): string {
    return `projects/${spec.service.project}/locations/${spec.service.region}/services/${spec.service.name}`;
  }

  /** A spec that cannot be rendered (e.g. an unsupported system annotation) is refused before any Google call. */
  admit(ctx: KindContext<Spec>): Blocked | undefined {
    try {
      this.#renderFor(ctx, this.#connector(ctx));
    } catch (err) {
      if (err instanceof ConfigError) return { reason: "InvalidSpec", message: err.message };
      throw err;
    }
    return undefined;
  }

  dependents(dependency: ManagedObject, lookup: ObjectLookup): string[] {
    const namespace = dependency.metadata?.namespace;
    return lookup
      .list(cloudRunResource)
      .filter((o) => o.metadata?.namespace === namespace)
      .filter((o) => (o.spec as Partial<Spec> | undefined)?.vpcAccess?.connectorRef?.name === dependency.metadata?.name)
      .map((o) => `${namespace}/${o.metadata?.name}`);
  }

  async observe(ctx: KindContext<Spec>): Promise<Observation> {
    const name = this.targetName(ctx.spec);
    // This pass passed every check the reconciler makes; the index learns the newest facts first.
    this.#budget.update(this.#members.facts(ctx.key, ctx.object));
    let live: IService;
    try {
      [live] = await this.#guard.call("getService", () => this.#services.getService({ name }, NO_RETRY), name);
    } catch (err) {
      // A config whose service does not exist holds no share of any instance.
      if (classifyGoogleError(err).reason === "NotFound") this.#budget.missing(ctx.key);
      throw err;
    }
    this.#budget.found(ctx.key);
    const status: Record<string, unknown> = {
      latestReadyRevision: shortRevision(live.latestReadyRevision),
      latestCreatedRevision: shortRevision(live.latestCreatedRevision),
    };
    const connector = this.#connector(ctx);
    let desired: DesiredService;
    let diffs;
    try {
      desired = this.#renderFor(ctx, connector);
      diffs = diffService(desired, live);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return { diffs: [], status, blocked: { reason: "InvalidSpec", message: err.message } };
    }
    const admission = this.#budget.admit(ctx.key);
    const grant = this.#budget.grantOf(ctx.key);
    status.connectionBudget = grant && {
      ...grant,
      ...(admission.outcome === "refused" ? { requested: admission.requested } : {}),
    };
    const database = ctx.spec.database;
    const { apply, hold } = partitionDiffs(desired, diffs, {
      ...(admission.outcome === "refused" && database ? { budget: { database, admitted: admission.grant > 0 } } : {}),
      connector: connector !== undefined && !connector.ready,
    });
    const observation: Observation = { diffs: apply, status };
    const blocked = heldBackBy(admission, connector, hold);
    if (blocked) observation.blocked = blocked;
    const failed = revisionFailure(live);
    if (failed) observation.notReady = { reason: "RevisionFailed", message: failed, terminal: true };
    this.#carried.set(observation, { live, desired });
    return observation;
  }

  async update(ctx: KindContext<Spec>, observation: Observation): Promise<string> {
    const carried = this.#carried.get(observation);
    if (!carried) throw new Error("update called without a fresh observation");
    const { service, updateMask } = buildUpdate(carried.live, carried.desired, observation.diffs);
    const name = this.targetName(ctx.spec);
    const [operation] = await this.#guard.call(
      "updateService",
      () => this.#services.updateService({ service, updateMask: { paths: updateMask } }, NO_RETRY),
      name,
    );
    if (!operation.name) throw new Error(`updateService for ${name} returned an operation without a name`);
    return operation.name;
  }

  async checkOperation(operationName: string): Promise<OperationState> {
    const [operation] = await this.#guard.call(
      "getOperation",
      () =>
        this.#services.operationsClient.getOperation(
          operationsProtos.google.longrunning.GetOperationRequest.create({ name: operationName }),
          NO_RETRY,
        ),
      operationName,
    );
    if (!operation.done) return { done: false };
    return operation.error ? { done: true, error: operation.error } : { done: true };
  }

  #changed(resource: ResourceType, key: string, object: ManagedObject | undefined): string[] {
    if (resource.kind !== cloudRunResource.kind) return [];
    if (object === undefined) return this.#budget.remove(key);
    return this.#budget.update(this.#members.facts(key, object));
  }

  /** The connector a connectorRef resolves to, and whether its config is Ready; undefined without a connectorRef. */
  #connector(ctx: KindContext<Spec>): ConnectorReadiness | undefined {
    const ref = ctx.spec.vpcAccess?.connectorRef;
    if (!ref) return undefined;
    return connectorReadiness(ctx.lookup, ctx.object.metadata?.namespace ?? "", ref.name);
  }

  #renderFor(ctx: KindContext<Spec>, connector: ConnectorReadiness | undefined): DesiredService {
    const variant = connector === undefined ? "(no connectorRef)" : (connector.fullName ?? "(not resolved)");
    const earlier = this.#renderedInPass.get(ctx);
    if (earlier?.variant === variant) return earlier.desired;
    const desired = this.#render(ctx.spec, connector);
    this.#renderedInPass.set(ctx, { variant, desired });
    return desired;
  }

  /** The owned fields; a connectorRef not resolved yet leaves the connector and egress unowned for now. */
  #render(spec: Spec, connector: ConnectorReadiness | undefined): DesiredService {
    if (connector === undefined) return renderDesired(spec);
    if (connector.fullName) return renderDesired(spec, { connectorName: connector.fullName });
    const { vpcAccess: _waiting, ...rest } = spec;
    return renderDesired(rest);
  }
}

/** Why some fields wait, with the numbers; undefined when nothing is held back. */
function heldBackBy(
  admission: Admission,
  connector: ConnectorReadiness | undefined,
  hold: Array<{ field: string; desired: string; live: string }>,
): Blocked | undefined {
  const held =
    hold.length > 0
      ? ` Held back: ${hold.map((d) => `${d.field} ${d.live || "(unset)"} -> ${d.desired}`).join(", ")}; every other field is applied.`
      : "";
  if (admission.outcome === "refused") {
    return { reason: "ConnectionBudgetExceeded", message: `${admission.message}.${held}` };
  }
  if (connector && !connector.ready && (hold.length > 0 || !connector.fullName)) {
    const waiting = connector.fullName ? held : " spec.vpcAccess waits for it; every other field is applied.";
    return { reason: "DependencyNotReady", message: `${connector.message}.${waiting}` };
  }
  return undefined;
}

/** Cloud Run's message when the newest revision failed and traffic stayed on the previous one. */
function revisionFailure(live: IService): string | undefined {
  const condition = live.terminalCondition;
  const failed = condition?.state === "CONDITION_FAILED" || (condition?.state as unknown) === 3;
  if (!failed || live.reconciling) return undefined;
  const revision = shortRevision(live.latestCreatedRevision) ?? "the latest revision";
  const serving = shortRevision(live.latestReadyRevision);
  const reason = condition?.reason ? ` (${String(condition.reason)})` : "";
  return `Revision ${revision} failed${reason}: ${condition?.message ?? "no message"}${serving ? `; traffic stays on ${serving}` : ""}`;
}

function shortRevision(name: string | null | undefined): string | undefined {
  return name ? name.slice(name.lastIndexOf("/") + 1) : undefined;
}
