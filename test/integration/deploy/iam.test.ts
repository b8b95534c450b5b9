// The Google IAM side: the custom role file is valid input for `gcloud iam roles create --file`, grants
// exactly the permissions driftguard's Google calls need, and docs/iam.md explains every one of them and
// binds the same Kubernetes service account that deploy/ runs as.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { REPO, find, render } from "./manifests.ts";

interface RoleFile {
  title: string;
  description: string;
  stage: string;
  includedPermissions: string[];
}

const role = parse(readFileSync(join(REPO, "deploy/iam/driftguard-role.yaml"), "utf8")) as RoleFile;
const doc = readFileSync(join(REPO, "docs/iam.md"), "utf8");

describe("deploy/iam/driftguard-role.yaml", () => {
  it("has the fields gcloud reads, within IAM's limits", () => {
    expect(Object.keys(role).sort()).toEqual(["description", "includedPermissions", "stage", "title"]);
    expect(role.title.length).toBeLessThanOrEqual(100);
    expect(role.description.length).toBeLessThanOrEqual(256);
    expect(["ALPHA", "BETA", "GA", "DEPRECATED", "DISABLED", "EAP"]).toContain(role.stage);
  });

  it("grants the Cloud Run, VPC Access and Monitoring calls driftguard makes, and nothing else", () => {
    expect(role.includedPermissions).toEqual([
      "run.services.get",
      "run.services.update",
      "run.operations.get",
      "vpcaccess.connectors.get",
      "vpcaccess.connectors.update",
      "vpcaccess.operations.get",
      "monitoring.timeSeries.list",
    ]);
  });
});

describe("docs/iam.md", () => {
  it("gives a reason for every permission in the role", () => {
    for (const permission of role.includedPermissions) {
      expect(doc, permission).toMatch(new RegExp(`^\\| \`${permission.replace(/\./g, "\\.")}\` +\\| \\S`, "m"));
    }
  });

  it("explains actAs on the runtime service accounts", () => {
    expect(doc).toContain("iam.serviceAccounts.actAs");
    expect(doc).toContain("--role=roles/iam.serviceAccountUser");
  });

  it("creates the role from the file and binds the Kubernetes service account deploy/ runs as", async () => {
    const serviceAccount = find(await render("base"), "ServiceAccount", "driftguard");
    const { namespace, name } = serviceAccount.metadata;
    expect(doc).toContain("--file=deploy/iam/driftguard-role.yaml");
    expect(doc).toContain(`--member="serviceAccount:CLUSTER_PROJECT_ID.svc.id.goog[${namespace}/${name}]"`);
    expect(doc).toContain("--role=roles/iam.workloadIdentityUser");
    expect(doc).toContain('--role="projects/PROJECT_ID/roles/driftguard"');
    expect(serviceAccount.metadata.annotations?.["iam.gke.io/gcp-service-account"]).toBe(
      "driftguard@PROJECT_ID.iam.gserviceaccount.com",
    );
    expect(doc).toContain("GSA=driftguard@PROJECT_ID.iam.gserviceaccount.com");
  });
});
