// Serverless VPC Access API (connectors) as a simulator module, with the load model Monitoring reads: v1 on
// gRPC and REST, and v1beta1 on REST, which is what `gcloud beta` and Google's Terraform provider call
// (test/fixtures/google-recordings/vpcaccess-v1beta1-*). Both versions share one set of connectors.

import { SimError } from "../core/errors.ts";
import type { JsonObject, RestRoute, SimContext, SimModule } from "../core/module.ts";
import { loadControlRoutes } from "./control.ts";
import { CONNECTOR_METRICS_SAMPLE_PERIOD_SECONDS } from "./google-facts.ts";
import type { LoadSample } from "./load-model.ts";
import { parseSeedConnectors } from "./seed.ts";
import { VpcAccessService, type ApiVersion } from "./service.ts";
import { ConnectorStore, parseConnectorName, type ConnectorName, type ConnectorRecordState } from "./store.ts";

export type { LoadSample } from "./load-model.ts";
export { MBPS_PER_INSTANCE, type MachineType } from "./rules.ts";

export const VPC_ACCESS_SERVICE = "google.cloud.vpcaccess.v1.VpcAccessService";
const V1BETA1_SERVICE = "google.cloud.vpcaccess.v1beta1.VpcAccessService";
/** Google samples connector metrics every 60 s (see google-facts.ts). */
export const DEFAULT_SAMPLE_PERIOD_SECONDS = CONNECTOR_METRICS_SAMPLE_PERIOD_SECONDS;

export interface VpcAccessModule extends SimModule {
  /** Seconds between load samples (and so between Monitoring points). */
  readonly samplePeriodSeconds: number;
  /** Every connector that exists now, by full resource name. */
  connectors(): Array<ConnectorName & { name: string }>;
  /** Load samples of a connector with startMs <= timeMs <= endMs, oldest first. */
  samples(name: string, startMs: number, endMs: number): LoadSample[];
}

export interface VpcAccessOptions {
  samplePeriodSeconds?: number;
}

export function createVpcAccessModule(ctx: SimContext, options: VpcAccessOptions = {}): VpcAccessModule {
  const samplePeriodSeconds = options.samplePeriodSeconds ?? DEFAULT_SAMPLE_PERIOD_SECONDS;
  const store = new ConnectorStore(samplePeriodSeconds * 1000);
  const service = new VpcAccessService(ctx, store);
  return {
    samplePeriodSeconds,
    services: [
      {
        name: VPC_ACCESS_SERVICE,
        methods: {
          CreateConnector: (request) => ({ ...service.create(request, "v1") }),
          GetConnector: (request) => service.get(request),
          ListConnectors: (request) => service.list(request),
          DeleteConnector: (request) => ({ ...service.delete(request, "v1") }),
        },
      },
    ],
    restRoutes: [patchRoute(service, "v1"), ...v1beta1Routes(service)],
    controlRoutes: loadControlRoutes(ctx, store),
    seed(document: JsonObject) {
      const seeds = parseSeedConnectors(document);
      const clash = seeds.find((seed) => store.list().some((record) => record.name === seed.name));
      if (clash) throw new SimError("ALREADY_EXISTS", `Seed connector ${clash.name} already exists`);
      for (const seed of seeds) {
        const { name, network, ipCidrRange, sizing, loadMbps } = seed;
        store.add({ name, network, ipCidrRange, state: "READY" }, sizing, ctx.now(), loadMbps);
      }
    },
    snapshot: () => ({ connectors: store.toJSON() }),
    restore(snapshot: JsonObject) {
      store.replaceAll(structuredClone(snapshot.connectors as ConnectorRecordState[]));
    },
    reset: () => store.clear(),
    connectors: () => store.list().map((record) => ({ name: record.name, ...parseConnectorName(record.name) })),
    samples: (name, startMs, endMs) => store.get(name).load.samples(ctx.now(), startMs, endMs),
  };
}

/** The REST API's in-place resize, which the published protos lack. */
function patchRoute(service: VpcAccessService, version: ApiVersion): RestRoute {
  return {
    httpMethod: "PATCH",
    pattern: `/${version}/{connector.name=projects/*/locations/*/connectors/*}`,
    bodyField: "connector",
    method: `google.cloud.vpcaccess.${version}.VpcAccessService/PatchConnector`,
    handler: (request) => ({ ...service.patch(request, version) }),
  };
}

/** v1beta1 REST: the v1 bindings under /v1beta1, typed with v1's messages (the same fields). */
function v1beta1Routes(service: VpcAccessService): RestRoute[] {
  const route = (
    httpMethod: RestRoute["httpMethod"],
    pattern: string,
    rpc: string,
    handler: RestRoute["handler"],
    bodyField?: string,
  ): RestRoute => ({
    httpMethod,
    pattern: `/v1beta1/${pattern}`,
    method: `${V1BETA1_SERVICE}/${rpc}`,
    typedAs: `${VPC_ACCESS_SERVICE}/${rpc}`,
    handler,
    ...(bodyField ? { bodyField } : {}),
  });
  return [
    route(
      "POST",
      "{parent=projects/*/locations/*}/connectors",
      "CreateConnector",
      (request) => ({ ...service.create(request, "v1beta1") }),
      "connector",
    ),
    route("GET", "{name=projects/*/locations/*/connectors/*}", "GetConnector", (request) => service.get(request)),
    route("GET", "{parent=projects/*/locations/*}/connectors", "ListConnectors", (request) => service.list(request)),
    route("DELETE", "{name=projects/*/locations/*/connectors/*}", "DeleteConnector", (request) => ({
      ...service.delete(request, "v1beta1"),
    })),
    patchRoute(service, "v1beta1"),
  ];
}
