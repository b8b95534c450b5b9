// `driftguard run`'s audit feed: its flags (each with an environment equivalent), the controller config they
// give, and the hooks that report the subscription's health as metrics and as Kubernetes Events on
// driftguard's own Pod (POD_NAME/POD_NAMESPACE, set by deploy/): `kubectl describe pod` and `kubectl get events
// -n driftguard-system` show when event-driven drift detection stopped and when it came back. Without a Pod
// (a laptop run) the log says it alone.

import { InvalidArgumentError, Option, type Command } from "commander";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { AuditConfig, AuditHooks } from "../controller/audit.ts";
import { SUBSCRIPTION_NAME_PATTERN, type SubscriptionState } from "../gcp/pubsub.ts";
import { EventRecorder, type ObjectReference } from "../kube/events.ts";
import { AuditMetrics } from "../observability/audit-metrics.ts";
import type { DriftguardMetrics } from "../observability/metrics.ts";

export interface AuditOptions {
  auditSubscription?: string;
  auditPrincipal?: string;
}

export function auditOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--audit-subscription <projects/P/subscriptions/S>",
        "Pub/Sub subscription of Admin Activity audit entries (see `driftguard audit-feed`): heal drift on each change",
      )
        .argParser(subscriptionFlag)
        .env("DRIFTGUARD_AUDIT_SUBSCRIPTION"),
    )
    .addOption(
      new Option(
        "--audit-principal <email>",
        "driftguard's own Google service account; its writes are not drift (default: any driftguard user agent)",
      ).env("DRIFTGUARD_AUDIT_PRINCIPAL"),
    );
}

function subscriptionFlag(value: string): string {
  if (!SUBSCRIPTION_NAME_PATTERN.test(value)) {
    throw new InvalidArgumentError(`--audit-subscription must be projects/PROJECT/subscriptions/NAME, got "${value}"`);
  }
  return value;
}

/** The controller's audit config, when a subscription is given. */
export function auditConfig(options: AuditOptions): { audit?: AuditConfig } {
  if (!options.auditSubscription) return {};
  return {
    audit: {
      subscription: options.auditSubscription,
      ...(options.auditPrincipal ? { selfPrincipal: options.auditPrincipal } : {}),
    },
  };
}

/** Metrics for every audit message and subscription state, plus Events on the Pod when in a cluster. */
export function auditHooks(
  options: AuditOptions,
  metrics: DriftguardMetrics,
  kubeConfig: KubeConfig | undefined,
  log: Logger,
): AuditHooks {
  if (!options.auditSubscription) return {};
  const audit = new AuditMetrics(metrics.registry);
  const events = kubeConfig
    ? subscriptionEvents(
        kubeConfig,
        { name: process.env.POD_NAME, namespace: process.env.POD_NAMESPACE },
        options.auditSubscription,
        log,
      )
    : undefined;
  return {
    onAuditMessage: (outcome) => audit.message(outcome),
    onAuditSubscription: (state, error) => {
      audit.subscription(state);
      events?.(state, error);
    },
  };
}

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
