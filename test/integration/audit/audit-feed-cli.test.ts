// The Pub/Sub half of `driftguard audit-feed`'s script, run by the real gcloud against Google's Pub/Sub
// emulator: the topic and subscription commands are valid as printed and give the subscription
// driftguard's subscriber consumes. (The emulator has no IAM and there is no Logging emulator: the sink and
// policy-binding lines cannot run here.)

import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditFeedScript } from "../../../src/cli/audit-feed.ts";
import { pubsubEmulatorMissing, PubSubEmulator } from "../../support/pubsub-emulator.ts";

const missing = pubsubEmulatorMissing();
const run = promisify(execFile);

/** The script's commands that start with `prefix`, continuation lines joined. */
function commands(script: string, prefix: string): string[] {
  return script
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .filter((line) => line.startsWith(prefix));
}

describe.skipIf(missing !== undefined)(
  `driftguard audit-feed's commands with gcloud${missing ? ` (NOT RUN: ${missing})` : ""}`,
  () => {
    const emulator = new PubSubEmulator();
    beforeAll(() => emulator.start());
    afterAll(() => emulator.dispose());

    it("creates the topic and the subscription driftguard consumes", async () => {
      const dir = mkdtempSync(join(tmpdir(), "driftguard-gcloud-"));
      writeFileSync(join(dir, "token"), "emulator-token\n");
      const env = {
        ...process.env,
        CLOUDSDK_CONFIG: join(dir, "config"),
        CLOUDSDK_API_ENDPOINT_OVERRIDES_PUBSUB: `http://${emulator.host}/`,
        CLOUDSDK_CORE_DISABLE_PROMPTS: "1",
      };
      const script = auditFeedScript({ project: ["netra-prod"], name: "driftguard-audit" });
      const lines = [
        ...commands(script, "gcloud pubsub topics create"),
        ...commands(script, "gcloud pubsub subscriptions create"),
      ];
      expect(lines).toHaveLength(2);
      for (const line of lines) {
        await run("sh", ["-c", `${line} --access-token-file=${join(dir, "token")}`], { env });
      }
      const client = emulator.client("netra-prod");
      const [metadata] = await client.subscription("projects/netra-prod/subscriptions/driftguard-audit").getMetadata();
      await client.close();
      expect(metadata.topic).toBe("projects/netra-prod/topics/driftguard-audit");
      expect(metadata.ackDeadlineSeconds).toBe(30);
    });
  },
);
