import { describe, expect, it } from "vitest";
import { buildProgram } from "./main.ts";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { auditFeedScript, SUBSCRIBER_PERMISSIONS } from "./audit-feed.ts";

async function run(args: string[]): Promise<{ out: string; err: string }> {
  let out = "";
  let err = "";
  const program = buildProgram().exitOverride();
  for (const command of program.commands) command.exitOverride().configureOutput({ writeErr: (s) => (err += s) });
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string) => ((out += chunk), true);
  try {
    await program.parseAsync(["node", "driftguard", "audit-feed", ...args]);
  } catch {
    // commander throws after writing the error
  } finally {
    process.stdout.write = write;
  }
  return { out, err };
}

describe("driftguard audit-feed", () => {
  it("puts one topic and subscription in the first project and a sink in every project", () => {
    const script = auditFeedScript({ project: ["prod-1a", "staging-1a"], name: "driftguard-audit" });
    expect(script.match(/^gcloud pubsub topics create /gm)).toHaveLength(1);
    expect(script.match(/^gcloud pubsub subscriptions create .*--project=prod-1a/gm)).toHaveLength(1);
    expect(
      script.match(
        /^gcloud logging sinks create driftguard-audit pubsub\.googleapis\.com\/projects\/prod-1a\/topics\/driftguard-audit --project=(prod-1a|staging-1a)/gm,
      ),
    ).toHaveLength(2);
    // Each sink reads its own project's Admin Activity log, and its writer may publish.
    expect(script).toContain('logName="projects/staging-1a/logs/cloudaudit.googleapis.com%2Factivity"');
    expect(script.match(/--role=roles\/pubsub\.publisher/g)).toHaveLength(2);
    expect(script).toContain("--audit-subscription=projects/prod-1a/subscriptions/driftguard-audit");
  });

  it("grants the subscription to the named service account", async () => {
    const { out } = await run([
      "--project",
      "prod-1a",
      "--service-account",
      "dg-ops@ops-project.iam.gserviceaccount.com",
    ]);
    expect(out).toContain(
      '--member="serviceAccount:dg-ops@ops-project.iam.gserviceaccount.com" --role=projects/prod-1a/roles/driftguardAudit',
    );
  });

  it("rejects a bad project, name or service account, naming the flag, and prints nothing", async () => {
    for (const [args, flag] of [
      [["--project", "Prod_1"], "--project"],
      [["--project", "prod-1a", "--name", "1x"], "--name"],
      [["--project", "prod-1a", "--service-account", "alice@example.com"], "--service-account"],
      [[], "--project"],
    ] as const) {
      const { out, err } = await run([...args]);
      expect(out).toBe("");
      expect(err).toContain(flag);
    }
  });

  it("creates the same role as deploy/iam/driftguard-audit-role.yaml", () => {
    const role = parse(
      readFileSync(new URL("../../deploy/iam/driftguard-audit-role.yaml", import.meta.url), "utf8"),
    ) as {
      includedPermissions: string[];
    };
    expect(role.includedPermissions).toEqual([...SUBSCRIBER_PERMISSIONS]);
    const script = auditFeedScript({ project: ["prod-1a"], name: "driftguard-audit" });
    expect(script).toContain(`--permissions=${role.includedPermissions.join(",")}`);
  });
});
