// The audit-feed kustomize component as an operator turns it on: an overlay of their own that adds it to a
// shipped overlay. Rendered with the machine's kubectl, from a copy of deploy/ (kustomize wants the overlay
// inside the tree it references).

import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { SUBSCRIPTION_NAME_PATTERN } from "../../../src/gcp/pubsub.ts";
import { kubectl } from "../../support/kube.ts";
import { DEPLOY, deploymentOf, type Manifest } from "./manifests.ts";

const scratch = mkdtempSync(join(tmpdir(), "driftguard-deploy-"));

async function renderWithAudit(overlay: string): Promise<Manifest[]> {
  cpSync(DEPLOY, join(scratch, "deploy"), { recursive: true });
  const dir = join(scratch, "deploy", "overlays", `${overlay}-audit`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "kustomization.yaml"),
    [
      "apiVersion: kustomize.config.k8s.io/v1beta1",
      "kind: Kustomization",
      "resources:",
      `  - ../${overlay}`,
      "components:",
      "  - ../../components/audit-feed",
      "",
    ].join("\n"),
  );
  const result = await kubectl(["kustomize", dir]);
  if (result.code !== 0) throw new Error(`kubectl kustomize failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout).map((doc) => doc.toJS() as Manifest);
}

describe("the audit-feed component", () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it.each(["staging", "production"])(
    "adds the subscription to the %s overlay and keeps its settings",
    async (overlay) => {
      const deployment = deploymentOf(await renderWithAudit(overlay));
      const container = deployment.template.spec.containers[0];
      const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
      const subscription = env.DRIFTGUARD_AUDIT_SUBSCRIPTION;
      if (typeof subscription !== "string") throw new Error("no DRIFTGUARD_AUDIT_SUBSCRIPTION value");
      // The placeholder is refused by --audit-subscription until replaced with a real project ID.
      expect(SUBSCRIPTION_NAME_PATTERN.test(subscription)).toBe(false);
      expect(SUBSCRIPTION_NAME_PATTERN.test(subscription.replace("PROJECT_ID", "netra-prod"))).toBe(true);
      expect(env.DRIFTGUARD_AUDIT_PRINCIPAL).toMatch(/@PROJECT_ID\.iam\.gserviceaccount\.com$/);
      expect(env.POD_NAME).toEqual({ fieldRef: { fieldPath: "metadata.name" } });
      expect(deployment.replicas).toBe(overlay === "production" ? 3 : 2);
    },
  );
});
