// A cluster without driftguard's CRDs: a second, real kube-apiserver started without them. `driftguard run`
// (a real process) and `driftguard plan --cluster` say which CRD is missing and exit non-zero, instead of
// waiting forever for a list that cannot succeed.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Envtest } from "../../support/envtest.ts";
import { startDriftguard } from "../../support/driftguard-process.ts";
import { runPlanCli } from "./plan-cli.ts";

const MISSING = "CRD cloudrunserviceconfigs.driftguard.dev is not installed";

describe("a cluster without the CRDs", () => {
  const bare = new Envtest();
  beforeAll(() => bare.start());
  afterAll(() => bare.stop());

  it("makes driftguard run exit 1, naming the CRD", async () => {
    const p = startDriftguard(["run", `--kubeconfig=${bare.kubeconfigPath}`, "--health-port=0"]);
    const timer = setTimeout(() => p.child.kill("SIGKILL"), 60_000);
    const result = await p.exited;
    clearTimeout(timer);
    expect(result, p.output()).toEqual({ code: 1, signal: null });
    expect(p.stderr()).toContain(MISSING);
  });

  it("makes plan --cluster exit 1, naming the CRD", async () => {
    const result = await runPlanCli(["--cluster", `--kubeconfig=${bare.kubeconfigPath}`, "--gcp-access-token=x"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(MISSING);
  });
});
