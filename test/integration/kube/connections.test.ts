// API clients made from one KubeConfig share a connection pool: the client library alone opens a new TLS
// connection for every call, which at thousands of objects is most of the controller's resident memory.

import { subscribe, unsubscribe } from "node:diagnostics_channel";
import tls from "node:tls";
import { CoreV1Api } from "@kubernetes/client-node";
import { describe, expect, it, vi } from "vitest";
import { shareConnections } from "../../../src/kube/connections.ts";
import { requestJson } from "../../../src/kube/raw.ts";
import { testKubeConfig } from "../../support/kube.ts";

/** Client sockets opened while `work` runs. */
async function socketsOpenedBy(work: () => Promise<void>): Promise<number> {
  let opened = 0;
  const count = () => void opened++;
  subscribe("net.client.socket", count);
  try {
    await work();
  } finally {
    unsubscribe("net.client.socket", count);
  }
  return opened;
}

const twentyReads = (api: CoreV1Api) => async () => {
  for (let i = 0; i < 20; i++) await api.readNamespace({ name: "default" });
};

describe("driftguard's own JSON requests", () => {
  it("share kept-alive connections and one TLS context, however many run at once", async () => {
    const kc = testKubeConfig();
    const contexts = vi.spyOn(tls, "createSecureContext");
    try {
      const burst = () =>
        Promise.all(Array.from({ length: 20 }, () => requestJson(kc, "GET", "/api/v1/namespaces/default")));
      const first = await socketsOpenedBy(async () => void (await burst()));
      // The second burst finds the first one's connections open.
      const second = await socketsOpenedBy(async () => void (await burst()));
      expect(first).toBeGreaterThan(0);
      expect(second).toBeLessThan(first);
      // Node would otherwise parse the CA and client certificate again for every new connection.
      expect(contexts.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      contexts.mockRestore();
    }
  });
});

describe("shareConnections", () => {
  it("sends every call from one KubeConfig over one kept-alive connection", async () => {
    // The library on its own: one connection per call (what this guards against).
    const unshared = await socketsOpenedBy(twentyReads(testKubeConfig().makeApiClient(CoreV1Api)));
    const kc = shareConnections(testKubeConfig());
    const shared = await socketsOpenedBy(twentyReads(kc.makeApiClient(CoreV1Api)));
    // A second client from the same KubeConfig joins the same pool.
    const again = await socketsOpenedBy(twentyReads(kc.makeApiClient(CoreV1Api)));
    expect(unshared).toBe(20);
    expect(shared).toBe(1);
    expect(again).toBe(0);
  });

  it("is idempotent", () => {
    const kc = testKubeConfig();
    expect(shareConnections(shareConnections(kc))).toBe(kc);
  });
});
