// The simulated APIs, in one list: the only place a new API is added to the simulator.

import { createCloudRunModule, type CloudRunModule } from "./cloudrun/index.ts";
import type { SimContext, SimModule } from "./core/module.ts";
import { createMonitoringModule, type MonitoringModule } from "./monitoring/index.ts";
import { CONNECTOR_METRICS_SAMPLE_PERIOD_SECONDS } from "./vpcaccess/google-facts.ts";
import { createVpcAccessModule, type VpcAccessModule } from "./vpcaccess/index.ts";

export interface SimModules {
  cloudRun: CloudRunModule;
  vpcAccess: VpcAccessModule;
  monitoring: MonitoringModule;
}

export interface ModuleOptions {
  /** Seconds between connector load samples (and Monitoring points); default Google's 60. */
  samplePeriodSeconds?: number;
  /** Seconds after sampling before Monitoring shows a point; default Google's 180. */
  monitoringDelaySeconds?: number;
}

/** Every module with its key (the key names its part of a snapshot). */
export function moduleEntries(modules: SimModules): Array<[keyof SimModules, SimModule]> {
  return [
    ["cloudRun", modules.cloudRun],
    ["vpcAccess", modules.vpcAccess],
    ["monitoring", modules.monitoring],
  ];
}

export function createModules(ctx: SimContext, options: ModuleOptions = {}): SimModules {
  const cloudRun = createCloudRunModule(ctx);
  const vpcAccess = createVpcAccessModule(ctx, {
    samplePeriodSeconds: options.samplePeriodSeconds ?? CONNECTOR_METRICS_SAMPLE_PERIOD_SECONDS,
  });
  const monitoring = createMonitoringModule(
    ctx,
    vpcAccess,
    options.monitoringDelaySeconds === undefined ? {} : { ingestDelaySeconds: options.monitoringDelaySeconds },
  );
  return { cloudRun, vpcAccess, monitoring };
}
