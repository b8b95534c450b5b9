// Kubernetes Events for the audit subscription's health, on driftguard's own Pod (POD_NAME/POD_NAMESPACE,
// set by deploy/): `kubectl describe pod` and `kubectl get events -n driftguard-system` show when event-driven
// drift detection stopped and when it came back. Without a Pod (a laptop run) the log says it alone.

import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { SubscriptionState } from "../gcp/pubsub.ts";
import { EventRecorder, type ObjectReference } from "../kube/events.ts";

export function subscriptionEvents(
  kubeConfig: KubeConfig,
  pod: { name?: string; namespace?: string },
  subscription: string,
  log: Logger,
): (state: SubscriptionState, error?: Error) => void {
  if (!pod.name || !pod.namespace) return () => undefined;
  const regarding: ObjectReference = { apiVersion: "v1", kind: "Pod", name: pod.name, namespace: pod.namespace };
  const recorder = new EventRecorder(kubeConfig, { logger: log, reportingInstance: pod.name });
  let failing = false;
  const record = (type: "Normal" | "Warning", reason: string, note: string) =>
    recorder
      .record({ regarding, type, reason, action: "PullAuditEntries", note })
      .catch((err: unknown) => log.warn({ err }, "cannot record the audit subscription event"));
  return (state, error) => {
    if (state === "degraded" && !failing) {
      failing = true;
      void record(
        "Warning",
        "AuditSubscriptionFailing",
        `${subscription}: ${error?.message ?? "unavailable"}; drift is found by polling until it recovers`,
      );
    } else if (state === "connected" && failing) {
      failing = false;
      void record("Normal", "AuditSubscriptionRecovered", `${subscription}: consuming audit entries again`);
    }
  };
}
