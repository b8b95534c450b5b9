// The CloudRunServiceConfig kind: reads the live service through the Cloud Run Admin API v2 client,
// compares the owned fields (render -> normalise -> diff, all pure) and writes exactly the difference
// with the etag it just read. Cluster-wide rules (connection budget, connector dependency) are checked
// in `admit`, before any Google call.

import type { ServicesClient } from "@google-cloud/run";
import { operationsProtos, type CallOptions } from "google-gax";
import {
  cloudRunServiceConfigKind,
  CloudRunServiceConfigSpec,
  type CloudRunServiceConfigSpec as Spec,
} from "../../api/cloudrun.ts";
import { GROUP, PAUSED_ANNOTATION, VERSION } from "../../api/common.ts";
import type { CallGuard } from "../../gcp/guard.ts";
import type {
  Blocked,
  KindContext,
  ManagedKind,
  ManagedObject,
  Observation,
  ObjectLookup,
  OperationState,
  ResourceType,
} from "../kind.ts";
import { connectorResource, connectorReadiness } from "../connector/resource.ts";
import { parseSpecWith } from "../spec.ts";
import type { IService } from "./access.ts";
import { checkConnectionBudget } from "./budget.ts";
import { diffService } from "./diff.ts";
import { ConfigError, type DesiredService } from "./fields.ts";
import { renderDesired } from "./render.ts";
import { buildUpdate } from "./update.ts";

export const cloudRunResource: ResourceType = {
  group: GROUP,
  version: VERSION,
  plural: cloudRunServiceConfigKind.plural,
  kind: cloudRunServiceConfigKind.kind,
};

/**
 * How often a config held back by other objects looks again without an event of its own: a peer on the
 * same Cloud SQL instance lowering its pool changes that peer, not this object. (A connector becoming
 * Ready re-queues its dependents at once; the timer is only the safety net there.) The re-check reads
 * only the local cache and makes no Google call.
 */
export const ADMISSION_RECHECK_MS = 5_000;

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

export class CloudRunKind implements ManagedKind<Spec> {
  readonly resource = cloudRunResource;
  readonly dependsOn = [connectorResource];
  #services: ServicesClient;
  #guard: CallGuard;
  #carried = new WeakMap<Observation, Carried>();
  #peerSpecs = new WeakMap<object, Spec | null>();

  constructor(services: ServicesClient, guard: CallGuard) {
    this.#services = services;
    this.#guard = guard;
  }

  parseSpec(raw: unknown) {
    return parseSpecWith(CloudRunServiceConfigSpec, raw);
  }

  targetProject(spec: Spec): string {
    return spec.service.project;
  }

  targetName(spec: Spec): string {
    return `projects/${spec.service.project}/locations/${spec.service.region}/services/${spec.service.name}`;
  }

  admit(ctx: KindContext<Spec>): Blocked | undefined {
    const instance = ctx.spec.database?.cloudSqlInstance;
    if (instance !== undefined) {
      // Only peers on the same Cloud SQL instance share its budget.
      const members = ctx.lookup.list(cloudRunResource).flatMap((object) => {
        if (object.metadata?.annotations?.[PAUSED_ANNOTATION] === "true") return [];
        const spec = this.#peerSpec(object.spec);
        if (spec?.database?.cloudSqlInstance !== instance) return [];
        return [{ key: `${object.metadata?.namespace}/${object.metadata?.name}`, spec }];
      });
      const budget = checkConnectionBudget(members, ctx.key);
      if (budget && !budget.withinBudget) {
        return { reason: "ConnectionBudgetExceeded", message: budget.message, retryAfterMs: ADMISSION_RECHECK_MS };
      }
    }
    const ref = ctx.spec.vpcAccess?.connectorRef;
    if (ref) {
      const readiness = connectorReadiness(ctx.lookup, ctx.object.metadata?.namespace ?? "", ref.name);
      if (!readiness.ready) {
        return { reason: "DependencyNotReady", message: readiness.message, retryAfterMs: ADMISSION_RECHECK_MS };
      }
    }
    // A spec that cannot be rendered (e.g. an unsupported system annotation) is refused before any Google call.
    try {
      const connectorName = this.#resolvedConnector(ctx);
      renderDesired(ctx.spec, connectorName ? { connectorName } : {});
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
    const [live] = await this.#guard.call("getService", () => this.#services.getService({ name }, NO_RETRY), name);
    const status = {
      latestReadyRevision: shortRevision(live.latestReadyRevision),
      latestCreatedRevision: shortRevision(live.latestCreatedRevision),
    };
    let desired: DesiredService;
    let diffs;
    try {
      const connectorName = this.#resolvedConnector(ctx);
      desired = renderDesired(ctx.spec, connectorName ? { connectorName } : {});
      diffs = diffService(desired, live);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return { diffs: [], status, blocked: { reason: "InvalidSpec", message: err.message } };
    }
    const observation: Observation = { diffs, status };
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

  /**
   * A peer's validated spec for the connection budget. Every reconcile looks at every peer, so parsing
   * them all each time would cost O(n) schema checks per pass; specs are cached per spec object, which
   * sources replace whenever the object changes.
   */
  #peerSpec(raw: unknown): Spec | undefined {
    if (typeof raw !== "object" || raw === null) return undefined;
    let cached = this.#peerSpecs.get(raw);
    if (cached === undefined) {
      const parsed = CloudRunServiceConfigSpec.safeParse(raw);
      cached = parsed.success ? parsed.data : null;
      this.#peerSpecs.set(raw, cached);
    }
    return cached ?? undefined;
  }

  #resolvedConnector(ctx: KindContext<Spec>): string | undefined {
    const ref = ctx.spec.vpcAccess?.connectorRef;
    if (!ref) return undefined;
    return connectorReadiness(ctx.lookup, ctx.object.metadata?.namespace ?? "", ref.name).fullName;
  }
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
