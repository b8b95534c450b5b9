// What every scenario gets: the cluster, the simulator and its request log, the process set, and a
// progress printer.

import type { Simulator } from "../../src/sim/simulator.ts";
import type { BenchCluster } from "./cluster.ts";
import type { GcpEndpoints, ProcessSet } from "./processes.ts";
import type { SimWitness } from "./witness.ts";

export interface BenchContext {
  cluster: BenchCluster;
  sim: Simulator;
  witness: SimWitness;
  processes: ProcessSet;
  gcp: GcpEndpoints;
  progress(line: string): void;
}
