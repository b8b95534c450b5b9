// startSimulator: every simulated API on a gRPC port and a REST port (127.0.0.1 only), sharing one
// state, one request log and one set of fault rules. Never contacts Google.

import { SimControl } from "./control/control.ts";
import { controlRoutes } from "./control/routes.ts";
import { Dispatcher, type CallObserver } from "./core/dispatch.ts";
import { FaultInjector } from "./core/faults.ts";
import { startGrpcServer, type GrpcServer } from "./core/grpc-server.ts";
import type { JsonObject, SimContext } from "./core/module.ts";
import { createOperationsApi } from "./core/operations-api.ts";
import { OperationStore } from "./core/operations.ts";
import { loadSimProtos } from "./core/protos.ts";
import { RequestLog } from "./core/request-log.ts";
import { startRestServer, type RestServer } from "./core/rest-server.ts";
import { annotatedRoutes, declaredRoutes } from "./core/routes.ts";
import { createModules, moduleEntries, type SimModules } from "./modules.ts";

export interface SimulatorOptions {
  /** 0 or absent: any free port. */
  grpcPort?: number;
  restPort?: number;
  /** Seed document: YAML text or an already parsed object. */
  seed?: string | JsonObject;
  /** How long mutations' long-running operations take; default 50 ms. */
  operationLatencyMs?: number;
  /** Seconds between connector load samples; default Google's 60. */
  samplePeriodSeconds?: number;
  /** Seconds after sampling before Monitoring shows a connector point; default Google's 180. */
  monitoringDelaySeconds?: number;
  /** Clock for timestamps and load samples; default Date.now. */
  now?: () => number;
  /** Sees every call served, with its caller (e.g. the audit-log publisher in sim/audit). */
  observe?: CallObserver;
}

export interface Simulator {
  readonly grpcPort: number;
  readonly restPort: number;
  /** In-process control: the same operations as the REST control API. */
  readonly control: SimControl;
  /** The simulated APIs, for in-process inspection. */
  readonly modules: SimModules;
  stop(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const root = loadSimProtos();
  const ctx: SimContext = {
    operations: new OperationStore(options.operationLatencyMs ?? 50),
    now: options.now ?? Date.now,
  };
  const modules = createModules(ctx, {
    ...(options.samplePeriodSeconds === undefined ? {} : { samplePeriodSeconds: options.samplePeriodSeconds }),
    ...(options.monitoringDelaySeconds === undefined ? {} : { monitoringDelaySeconds: options.monitoringDelaySeconds }),
  });
  const operationsApi = createOperationsApi(ctx);
  const log = new RequestLog();
  const faults = new FaultInjector();
  const control = new SimControl(modules, ctx, faults, log);
  if (options.seed !== undefined) control.seed(options.seed);

  const apis = moduleEntries(modules).map(([, module]) => module);
  const services = [...apis.flatMap((m) => m.services), ...operationsApi.services];
  const dispatcher = new Dispatcher(log, faults, ctx.now, options.observe);
  const routes = [
    ...annotatedRoutes(root, services),
    ...declaredRoutes(root, [...apis.flatMap((m) => m.restRoutes ?? []), ...operationsApi.restRoutes], "google"),
    ...declaredRoutes(root, [...apis.flatMap((m) => m.controlRoutes ?? []), ...controlRoutes(control)], "control"),
  ];
  let grpc: GrpcServer | undefined;
  let rest: RestServer | undefined;
  try {
    grpc = await startGrpcServer(root, services, dispatcher, options.grpcPort ?? 0);
    rest = await startRestServer(routes, dispatcher, options.restPort ?? 0);
  } catch (err) {
    await grpc?.stop();
    ctx.operations.clear();
    throw new Error(`simulator failed to start: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const servers = { grpc, rest };
  return {
    grpcPort: servers.grpc.port,
    restPort: servers.rest.port,
    control,
    modules,
    async stop() {
      ctx.operations.clear();
      await Promise.all([servers.grpc.stop(), servers.rest.stop()]);
    },
  };
}
