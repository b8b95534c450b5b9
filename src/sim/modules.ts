// The simulated APIs, in one list: the only place a new API is added to the simulator.

import { createCloudRunModule, type CloudRunModule } from "./cloudrun/index.ts";
import type { SimContext, SimModule } from "./core/module.ts";
import { createMonitoringModule } from "./monitoring/index.ts";
import { createVpcAccessModule, type VpcAccessModule } from "./vpcaccess/index.ts";

export interface SimModules {
  cloudRun: CloudRunModule;
  vpcAccess: VpcAccessModule;
  monitoring: SimModule;
}

export interface ModuleOptions {
  /** Seconds between connector load samples (and Monitoring points). */
  samplePeriodSeconds?: number;
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
  const vpcAccess = createVpcAccessModule(
    ctx,
    options.samplePeriodSeconds === undefined ? {} : { samplePeriodSeconds: options.samplePeriodSeconds },
  );
  const monitoring = createMonitoringModule(ctx, vpcAccess);
  return { cloudRun, vpcAccess, monitoring };
}
