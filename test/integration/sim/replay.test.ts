// Google's own recorded answers as the judge of the simulator: every in-scope request of the recordings in
// test/fixtures/google-recordings is sent to the simulator over REST, in order, and the answer must match
// Google's: status code, error status and message, and every field both ways. The only tolerated
// differences are the reviewed ones in replay-allowlist.ts; an entry no exchange needs fails too.

import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../../src/sim/simulator.ts";
import { allowedBy, compareJson, type Difference } from "../../support/replay-compare.ts";
import { readCassette, readHttpLog, type RecordedExchange } from "../../support/replay-recordings.ts";
import { Replayer } from "../../support/replay.ts";
import { ALLOWED_DIFFERENCES } from "./replay-allowlist.ts";

const FIXTURES = join(import.meta.dirname, "../../fixtures/google-recordings");
const PLACEHOLDERS = { projectId: "example-project", uniqueId: "replay1", networkID: "default" };

/** The exchanges with APIs the simulator serves: Cloud Run Admin API v2 and Serverless VPC Access. */
function inScope(exchange: RecordedExchange): boolean {
  const { hostname, pathname } = exchange.url;
  return (hostname === "run.googleapis.com" && pathname.startsWith("/v2/")) || hostname === "vpcaccess.googleapis.com";
}

const RECORDINGS = [
  readCassette(join(FIXTURES, "cloudrun-v2-runservicebasic.vcr.yaml"), "runservicebasic"),
  readHttpLog(join(FIXTURES, "vpcaccess-v1beta1-cidrconnector.http.log"), "cidrconnector"),
  readHttpLog(join(FIXTURES, "vpcaccess-v1beta1-subnetconnector.http.log"), "subnetconnector"),
].map((exchanges) => exchanges.filter(inScope));

let sim: Simulator;
const used = new Set<number>();
let exchangeCount = 0;
let allowedCount = 0;

beforeAll(async () => {
  sim = await startSimulator({ operationLatencyMs: 30 });
});

afterAll(async () => {
  await sim.stop();
  console.log(
    `replayed ${exchangeCount} recorded Google exchanges; ${allowedCount} differences allowed by ` +
      `${used.size} allow-list entries`,
  );
});

/** The differences that matter: status, error status and text; the body both ways for successes. */
function differences(exchange: RecordedExchange, status: number, body: unknown): Difference[] {
  const out: Difference[] = [];
  if (status !== exchange.status)
    out.push({ path: "(status)", kind: "value", google: exchange.status, simulator: status });
  // The recorder replaced this body with text: only the status code is Google's.
  if (exchange.responseBody === undefined) return out;
  return [...out, ...compareJson(exchange.responseBody, body)];
}

for (const exchanges of RECORDINGS) {
  const label = exchanges[0]?.id.replace(/#.*/, "") ?? "";
  describe(`Google's recorded traffic: ${label}`, () => {
    let replayer: Replayer;
    beforeAll(() => {
      replayer = new Replayer(sim.restPort, PLACEHOLDERS);
    });
    for (const exchange of exchanges) {
      it(`${exchange.id} ${exchange.method} ${exchange.url.pathname} → ${exchange.status}`, async () => {
        const answer = await replayer.send(exchange);
        exchangeCount++;
        const unexplained = differences(exchange, answer.status, answer.body).filter((difference) => {
          const entry = allowedBy(ALLOWED_DIFFERENCES, exchange.id, difference);
          if (!entry) return true;
          used.add(ALLOWED_DIFFERENCES.indexOf(entry));
          allowedCount++;
          return false;
        });
        expect(unexplained).toEqual([]);
      });
    }
  });
}

describe("the recordings", () => {
  it("are read completely: every in-scope exchange of each file is replayed", () => {
    // Cloud Run: get, create, its operation, 3 gets, patch, its operation, 3 gets, delete, its operation.
    // VPC Access, each file: get (404), create, its operation, get, delete, its operation.
    expect(RECORDINGS.map((exchanges) => exchanges.length)).toEqual([13, 6, 6]);
  });
});

describe("the allow-list", () => {
  it("has no entry that no exchange needs", () => {
    const unused = ALLOWED_DIFFERENCES.filter((_, i) => !used.has(i)).map((entry) => entry.reason);
    expect(unused).toEqual([]);
  });
});
