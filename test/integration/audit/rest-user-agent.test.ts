// Over REST, driftguard's requests must reach Google under its own user agent whichever credentials it has:
// the audit feed knows its own writes by the user agent Cloud Audit Logs record, and takes any other for
// drift made by someone else (one needless read each). The simulator turns each write it served into the
// entry Google would log, from the User-Agent header it received; the controller's audit feed must call
// every one driftguard's own. Application Default Credentials come from a service-account key made for
// the test, which signs its own tokens, so nothing reaches Google.

import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GcpConnection } from "../../../src/gcp/connection.ts";
import { cloudRunResource } from "../../../src/kinds/cloudrun/kind.ts";
import { connectorResource } from "../../../src/kinds/connector/resource.ts";
import { auditLogEntry } from "../../../src/sim/audit/log-entry.ts";
import { auditedWrite } from "../../../src/sim/audit/writes.ts";
import type { ServedCall } from "../../../src/sim/core/dispatch.ts";
import { toolFromUserAgent } from "../../../src/sources/audit-actor.ts";
import { AuditFeed } from "../../../src/sources/audit-feed.ts";
import { condition, Rig, serviceSeed } from "../../support/controller.ts";

const PROJECT = "netra-staging";
const SERVICE = `projects/${PROJECT}/locations/us-central1/services/api`;
const CONNECTOR = `projects/${PROJECT}/locations/us-central1/connectors/edge`;
const PRINCIPAL = "driftguard@netra-staging.iam.gserviceaccount.com";

const dir = mkdtempSync(join(tmpdir(), "driftguard-adc-"));
const keyFile = join(dir, "service-account.json");

beforeAll(() => {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  writeFileSync(
    keyFile,
    JSON.stringify({
      type: "service_account",
      project_id: PROJECT,
      private_key_id: "test-key",
      private_key: privateKey.export({ type: "pkcs8", format: "pem" }),
      client_email: PRINCIPAL,
      client_id: "1",
      token_uri: "https://oauth2.googleapis.com/token",
    }),
  );
  process.env.GOOGLE_APPLICATION_CREDENTIALS = keyFile;
});
afterAll(() => {
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  rmSync(dir, { recursive: true, force: true });
});

const withoutToken = ({ accessToken: _token, ...connection }: GcpConnection): GcpConnection => connection;

describe.each([
  ["Application Default Credentials", withoutToken],
  ["a fixed access token", (connection: GcpConnection) => connection],
])("driftguard over REST with %s", (_credentials, gcp) => {
  let rig: Rig;
  const served: ServedCall[] = [];

  beforeAll(async () => {
    rig = await Rig.start("rest-ua", {
      transport: "rest",
      gcp,
      sim: {
        seed: {
          ...serviceSeed(["api"]),
          connectors: [{ name: CONNECTOR, machineType: "e2-micro", minInstances: 2, maxInstances: 3 }],
        },
        observe: (call) => void served.push(call),
      },
    });
  });
  afterAll(() => rig?.stop());

  it("writes under its own name, so the audit feed takes none of its writes for drift", async () => {
    await rig.create("CloudRunServiceConfig", "api", {
      service: { project: PROJECT, region: "us-central1", name: "api" },
      requestTimeout: "600s",
    });
    await rig.create("VpcConnectorConfig", "edge", {
      connector: { project: PROJECT, region: "us-central1", name: "edge" },
      machineType: "e2-micro",
      minInstances: 2,
      maxInstances: 4,
      autoscaling: { pollInterval: "1s" },
    });
    for (const kind of ["CloudRunServiceConfig", "VpcConnectorConfig"] as const) {
      const name = kind === "CloudRunServiceConfig" ? "api" : "edge";
      await rig.waitFor(kind, name, (o) => condition(o, "Ready")?.status === "True");
    }
    await rig.waitFor("VpcConnectorConfig", "edge", () => served.some((c) => c.method.endsWith("/ListTimeSeries")));

    const feed = new AuditFeed({
      targets: [
        { resource: cloudRunResource, googleNames: () => [SERVICE] },
        { resource: connectorResource, googleNames: () => [CONNECTOR] },
      ],
      self: { principal: PRINCIPAL },
      enqueue: () => undefined,
    });
    feed.observe(cloudRunResource, `${rig.namespace}/api`, {});
    feed.observe(connectorResource, `${rig.namespace}/edge`, {});
    // Each write under driftguard's service account, as Google would name the caller.
    const writes = served.flatMap((call) => auditedWrite(call, { fallback: PRINCIPAL }) ?? []);
    expect(writes.map((w) => w.methodName).sort()).toEqual([
      "google.cloud.run.v2.Services.UpdateService",
      "google.cloud.vpcaccess.v1.VpcAccessService.UpdateConnector",
    ]);
    const outcomes = writes.map((w) => feed.handle(JSON.stringify(auditLogEntry(w))));
    expect(outcomes, JSON.stringify(writes.map((w) => w.userAgent))).toEqual(["own_write", "own_write"]);

    // Reads too (Cloud Run, VPC Access, Monitoring, operations) carry it: Google logs them when Data
    // Access logs are on.
    const apis = new Set(served.map((c) => c.method.split("/")[0]));
    expect(apis).toEqual(
      new Set([
        "google.cloud.run.v2.Services",
        "google.cloud.vpcaccess.v1.VpcAccessService",
        "google.monitoring.v3.MetricService",
        "google.longrunning.Operations",
      ]),
    );
    const strangers = served.filter((c) => toolFromUserAgent(c.caller.userAgent) !== "driftguard");
    expect(strangers.map((c) => `${c.method} ${c.caller.userAgent}`)).toEqual([]);
  });
});
