// The Events that say when the audit subscription stopped working and when it came back, on the Pod.

import { EventsV1Api } from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { subscriptionEvents } from "../../../src/cli/audit-run.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import { createNamespace, testKubeConfig } from "../../support/kube.ts";

const SUBSCRIPTION = "projects/netra-prod/subscriptions/driftguard-audit";

describe("audit subscription Events", () => {
  it("records one Warning when the subscription fails and one Normal when it recovers, on the Pod", async () => {
    const namespace = await createNamespace("audit-events");
    const onState = subscriptionEvents(
      testKubeConfig(),
      { name: "driftguard-7d9f-abcde", namespace },
      SUBSCRIPTION,
      createLogger({ level: "silent" }),
    );
    onState("connected");
    onState("degraded", new Error("14 UNAVAILABLE: No connection established"));
    onState("degraded", new Error("14 UNAVAILABLE: again"));
    onState("connected");
    onState("connected");
    const api = testKubeConfig().makeApiClient(EventsV1Api);
    let events: Awaited<ReturnType<typeof api.listNamespacedEvent>>["items"] = [];
    for (let i = 0; i < 50 && events.length < 2; i++) {
      events = (await api.listNamespacedEvent({ namespace })).items;
      await sleep(100);
    }
    const seen = events.map((e) => [e.type, e.reason, e.regarding?.kind, e.regarding?.name]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ["Warning", "AuditSubscriptionFailing", "Pod", "driftguard-7d9f-abcde"],
        ["Normal", "AuditSubscriptionRecovered", "Pod", "driftguard-7d9f-abcde"],
      ]),
    );
    expect(events).toHaveLength(2);
    expect(events.find((e) => e.type === "Warning")?.note).toContain(`${SUBSCRIPTION}: 14 UNAVAILABLE`);
  });
});
