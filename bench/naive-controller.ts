// A deliberately naive baseline for the controller benchmark: every interval it lists the
// CloudRunServiceConfigs of one namespace and, for each, reads the service and writes every declared field
// back (GetService + UpdateService, no diff, no status, no etag retry). It exists only so the benchmark can
// compare driftguard's Google calls and drift-heal latency with the simplest loop that also "works".
// Run: node bench/naive-controller.ts --kubeconfig K --gcp-endpoint HOST:PORT --namespace NS [--interval 10s] [--workers 8]

import { ServicesClient } from "@google-cloud/run";
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { CloudRunServiceConfigSpec } from "../src/api/cloudrun.ts";
import { GROUP, VERSION } from "../src/api/common.ts";
import { parseDuration } from "../src/api/duration.ts";
import { clientOptions } from "../src/gcp/connection.ts";
import { containerIndex, writeTarget } from "../src/kinds/cloudrun/access.ts";
import { cloudRunResource } from "../src/kinds/cloudrun/kind.ts";
import { renderDesired } from "../src/kinds/cloudrun/render.ts";
import { maskPath } from "../src/kinds/cloudrun/update.ts";
import type { ManagedObject } from "../src/kinds/kind.ts";
import { mapConcurrent } from "./lib/stats.ts";

const { values } = parseArgs({
  options: {
    kubeconfig: { type: "string" },
    "gcp-endpoint": { type: "string" },
    namespace: { type: "string" },
    interval: { type: "string", default: "10s" },
    workers: { type: "string", default: "8" },
  },
});
const { kubeconfig, namespace } = values;
const endpoint = values["gcp-endpoint"];
if (!kubeconfig || !namespace || !endpoint) {
  throw new Error("--kubeconfig, --gcp-endpoint and --namespace are required");
}
const intervalMs = parseDuration(values.interval);
const workers = Number(values.workers);
if (!Number.isInteger(workers) || workers < 1)
  throw new Error(`--workers must be a positive integer, got ${values.workers}`);

const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const custom = kc.makeApiClient(CustomObjectsApi);
const services = new ServicesClient(clientOptions({ transport: "grpc", grpcEndpoint: endpoint, accessToken: "bench" }));

/** Reads the service and writes every declared field onto it, whether it differs or not. */
async function reapply(object: ManagedObject): Promise<void> {
  const spec = CloudRunServiceConfigSpec.parse(object.spec);
  const desired = renderDesired(spec);
  const { project, region, name } = spec.service;
  const [live] = await services.getService({ name: `projects/${project}/locations/${region}/services/${name}` });
  const service = structuredClone(live);
  const index = containerIndex(service, desired.container);
  for (const field of desired.fields) writeTarget(service, index, field.target, field.value);
  if (service.template) service.template.revision = "";
  const paths = [...new Set(desired.fields.map((field) => maskPath(field.target))), "template.revision"];
  await services.updateService({ service, updateMask: { paths } });
}

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => (stopping = true));

while (!stopping) {
  const started = Date.now();
  const list = (await custom.listNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: cloudRunResource.plural,
  })) as { items: ManagedObject[] };
  await mapConcurrent(list.items, workers, (object) =>
    reapply(object).catch((err: unknown) =>
      console.error(`${object.metadata?.name ?? "?"}: ${err instanceof Error ? err.message : String(err)}`),
    ),
  );
  const rest = intervalMs - (Date.now() - started);
  // Sleep in short steps so SIGTERM is honoured quickly.
  for (let waited = 0; waited < rest && !stopping; waited += 200) await sleep(Math.min(200, rest - waited));
}
await services.close();
