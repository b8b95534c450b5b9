// Metrics of the audit feed, registered in the process's registry: what became of each message, and whether
// the subscription is connected. Labels come from small fixed sets (outcomes, states), never names.

import { Counter, Gauge, type Registry } from "prom-client";

export class AuditMetrics {
  readonly #messages: Counter;
  readonly #up: Gauge;
  readonly #errors: Counter;
  readonly #last: Gauge;

  constructor(registry: Registry) {
    this.#messages = new Counter({
      name: "driftguard_audit_messages_total",
      help: "Audit-log messages received, by outcome (enqueued, own_write, unmatched, malformed, ...)",
      labelNames: ["outcome"],
      registers: [registry],
    });
    this.#up = new Gauge({
      name: "driftguard_audit_subscription_up",
      help: "1 while this replica consumes the audit subscription and it answers, else 0",
      registers: [registry],
    });
    this.#errors = new Counter({
      name: "driftguard_audit_subscription_errors_total",
      help: "Times the audit subscription failed (drift is then found by polling alone until it recovers)",
      registers: [registry],
    });
    this.#last = new Gauge({
      name: "driftguard_audit_last_message_timestamp_seconds",
      help: "When the last audit message arrived: a sink that delivers nothing looks like calm, so alert on its age",
      registers: [registry],
    });
  }

  message(outcome: string, now = Date.now()): void {
    this.#messages.inc({ outcome });
    this.#last.set(now / 1000);
  }

  subscription(state: "connected" | "degraded" | "stopped"): void {
    this.#up.set(state === "connected" ? 1 : 0);
    if (state === "degraded") this.#errors.inc();
  }
}
