// The Argo CD health script over the states driftguard reports. The objects here are the edge cases a
// live controller rarely shows (no status yet, a generation not yet observed); the states the real
// controller produces are checked in test/integration/gitops/argocd-health.test.ts.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderHealthPatch } from "../../scripts/argocd-health-patch.ts";
import { argoHealth, HEALTH_SCRIPT, luaAvailable, toLua } from "../support/argocd-health.ts";

const object = (generation: number, status?: object, extra: { annotations?: object; spec?: object } = {}) => ({
  apiVersion: "driftguard.dev/v1alpha1",
  kind: "CloudRunServiceConfig",
  metadata: { name: "api", namespace: "staging", generation, annotations: extra.annotations },
  spec: extra.spec ?? { managementPolicy: "Enforce" },
  status,
});
const cond = (type: string, status: string, reason: string, message = `${reason} message`, observedGeneration = 1) => ({
  type,
  status,
  reason,
  message,
  observedGeneration,
});
const observedWith = (ready: object, synced: object, generation = 1) => ({
  observedGeneration: generation,
  conditions: [ready, synced],
});

describe.skipIf(!luaAvailable)("Argo CD health script (lua5.1)", () => {
  it("is Progressing before driftguard has written any status", () => {
    expect(argoHealth(object(1))).toEqual({
      status: "Progressing",
      message: "Waiting for driftguard to report status",
    });
  });

  it("is Progressing while a new generation is not yet observed, even if the old one was Ready", () => {
    const status = observedWith(cond("Ready", "True", "UpToDate"), cond("Synced", "True", "UpToDate"));
    expect(argoHealth(object(2, status)).status).toBe("Progressing");
    expect(argoHealth(object(2, status)).message).toContain("generation 2");
    expect(argoHealth(object(1, status)).status).toBe("Healthy");
  });

  it("falls back to the Ready condition's observedGeneration when status has none", () => {
    const status = { conditions: [cond("Ready", "True", "UpToDate", "ok", 3)] };
    expect(argoHealth(object(3, status)).status).toBe("Healthy");
    expect(argoHealth(object(4, status)).status).toBe("Progressing");
  });

  it.each([
    "InvalidSpec",
    "PolicyViolation",
    "ConnectionBudgetExceeded",
    "ReplacementRequired",
    "RevisionFailed",
    "ProjectNotAllowed",
    "PermissionDenied",
    "InvalidArgument",
  ])("is Degraded with the condition's message for %s", (reason) => {
    const status = observedWith(cond("Ready", "False", reason, `${reason}: numbers`), cond("Synced", "False", reason));
    expect(argoHealth(object(1, status))).toEqual({ status: "Degraded", message: `${reason}: ${reason}: numbers` });
  });

  it.each(["Updating", "DependencyNotReady", "Scaling", "QuotaExceeded", "Unavailable", "ConnectorUpdating"])(
    "is Progressing for %s",
    (reason) => {
      const status = observedWith(cond("Ready", "False", reason), cond("Synced", "True", reason));
      expect(argoHealth(object(1, status)).status).toBe("Progressing");
    },
  );

  it("is Degraded when a failed generation is held back, even though Ready only says drift", () => {
    const status = observedWith(cond("Ready", "False", "DriftDetected"), cond("Synced", "False", "RetryBackoff"));
    expect(argoHealth(object(1, status)).status).toBe("Degraded");
  });

  it("is Suspended when paused, by annotation or by the Paused reason", () => {
    const ready = observedWith(cond("Ready", "True", "UpToDate"), cond("Synced", "True", "UpToDate"));
    expect(argoHealth(object(1, ready, { annotations: { "driftguard.dev/paused": "true" } })).status).toBe("Suspended");
    const paused = observedWith(cond("Ready", "True", "UpToDate"), cond("Synced", "False", "Paused", "paused"));
    expect(argoHealth(object(1, paused))).toEqual({ status: "Suspended", message: "paused" });
    expect(argoHealth(object(1, ready, { annotations: { "driftguard.dev/paused": "false" } })).status).toBe("Healthy");
  });

  it("tells Observe-only drift (Degraded: nobody will fix it) from Enforce drift (Progressing: being fixed)", () => {
    const drift = observedWith(cond("Ready", "False", "DriftDetected"), cond("Synced", "False", "DriftDetected"));
    expect(argoHealth(object(1, drift, { spec: { managementPolicy: "Observe" } })).status).toBe("Degraded");
    expect(argoHealth(object(1, drift, { spec: { managementPolicy: "Enforce" } })).status).toBe("Progressing");
  });

  it("is Degraded when a Stalled condition is True", () => {
    const status = {
      observedGeneration: 1,
      conditions: [cond("Ready", "False", "Updating"), cond("Stalled", "True", "Stuck", "gave up")],
    };
    expect(argoHealth(object(1, status))).toEqual({ status: "Degraded", message: "Stuck: gave up" });
  });

  it("carries any text through the JSON-to-Lua conversion unchanged", () => {
    const message = 'quotes " and \\ backslash, newline\nand ünïcode → 25s';
    const status = observedWith(cond("Ready", "True", "UpToDate", message), cond("Synced", "True", "UpToDate"));
    expect(argoHealth(object(1, status)).message).toBe(message);
    expect(toLua([1, "a"])).toBe('{1, "a"}');
  });
});

// Named in the summary where the interpreter is missing, never passed silently.
if (!luaAvailable) it.skip("Argo CD health script: lua5.1 is not installed (npm run setup installs it)", () => {});

describe("the argocd-cm patch shipped in deploy/argocd", () => {
  it("carries exactly health.lua for each driftguard kind, and is regenerated from it", () => {
    const lua = readFileSync(HEALTH_SCRIPT, "utf8");
    const shipped = readFileSync(new URL("../../deploy/argocd/argocd-cm-health.yaml", import.meta.url), "utf8");
    expect(shipped).toBe(renderHealthPatch(lua));
    const patch = parse(shipped) as { kind: string; metadata: { name: string }; data: Record<string, string> };
    expect(patch).toMatchObject({ kind: "ConfigMap", metadata: { name: "argocd-cm" } });
    expect(Object.keys(patch.data).sort()).toEqual([
      "resource.customizations.health.driftguard.dev_CloudRunServiceConfig",
      "resource.customizations.health.driftguard.dev_VpcConnectorConfig",
    ]);
    for (const script of Object.values(patch.data)) expect(script).toBe(`${lua.trimEnd()}\n`);
  });
});

// The status documents the real controller wrote in test/integration/controller/kstatus.test.ts, one per
// state, judged by the script as Argo CD would judge the live objects.
describe.skipIf(!luaAvailable)("Argo CD health of the captured status documents", () => {
  const fixtures = new URL("../fixtures/status/", import.meta.url);
  it.each([
    ["cloudrun-ready.json", "Healthy"],
    ["cloudrun-updating.json", "Progressing"],
    ["cloudrun-dependency-not-ready.json", "Progressing"],
    ["cloudrun-paused.json", "Suspended"],
    ["cloudrun-observe-drift.json", "Degraded"],
    ["cloudrun-invalid-spec.json", "Degraded"],
    ["cloudrun-revision-failed.json", "Degraded"],
    ["cloudrun-update-rejected.json", "Degraded"],
    ["connector-ready.json", "Healthy"],
    ["connector-replacement-required.json", "Degraded"],
  ])("%s is %s", (file, expected) => {
    const object = JSON.parse(readFileSync(new URL(file, fixtures), "utf8")) as unknown;
    expect(argoHealth(object).status).toBe(expected);
  });
});
