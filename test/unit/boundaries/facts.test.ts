// The controller and the simulator each state the connector facts they need from Google's sources; they
// share no constant. Where both state the same fact, this test keeps the two statements in agreement.

import { describe, expect, it } from "vitest";
import { MACHINE_CAPACITY_MBPS } from "../../../src/autoscale/decide.ts";
import { MACHINE_TYPES } from "../../../src/api/common.ts";
import { EXPECTED_MBPS_PER_INSTANCE } from "../../../src/sim/vpcaccess/google-facts.ts";

describe("connector facts stated on both sides", () => {
  it("agree on the machine types and each one's per-instance throughput", () => {
    expect(Object.keys(EXPECTED_MBPS_PER_INSTANCE).sort()).toEqual([...MACHINE_TYPES].sort());
    expect({ ...MACHINE_CAPACITY_MBPS }).toEqual({ ...EXPECTED_MBPS_PER_INSTANCE });
  });
});
