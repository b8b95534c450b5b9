// `driftguard audit-feed`: prints the gcloud commands that route Cloud Run and Serverless VPC Access Admin
// Activity audit entries to a Pub/Sub subscription driftguard consumes (`driftguard run --audit-subscription`).
// It only prints: an operator reviews and runs them with their own rights.
//
// Google's documentation for each step: a sink to Pub/Sub and its writer identity,
// https://cloud.google.com/logging/docs/export/configure_export_v2 (the writer identity needs
// roles/pubsub.publisher on the topic); the query language of the sink filter,
// https://cloud.google.com/logging/docs/view/logging-query-language; subscriptions,
// https://cloud.google.com/pubsub/docs/create-subscription; subscriber roles,
// https://cloud.google.com/pubsub/docs/access-control. Admin Activity audit logs are always written and
// cost nothing: https://cloud.google.com/logging/docs/audit#admin-activity.

import { Command, InvalidArgumentError, Option } from "commander";
import { AUDITED_METHODS } from "../sources/audit-entry.ts";

const PROJECT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
const RESOURCE_ID = /^[A-Za-z][-\w.~+%]{2,254}$/;
/** What the subscriber does with the subscription: streaming pull and ack, and GetSubscription as its health check. */
export const SUBSCRIBER_PERMISSIONS = ["pubsub.subscriptions.consume", "pubsub.subscriptions.get"] as const;
const SERVICE_ACCOUNT = /^[a-z][-a-z0-9]{4,28}[a-z0-9]@[a-z][-a-z0-9]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;

export interface AuditFeedOptions {
  /** Projects whose changes are routed; the topic and subscription live in the first. */
  project: string[];
  name: string;
  serviceAccount?: string;
}

/** The Logging filter of one project's sink: its Admin Activity log, the two services, the audited writes. */
export function sinkFilter(project: string): string {
  const methods = AUDITED_METHODS.map((m) => `protoPayload.methodName="${m}"`).join(" OR ");
  return [
    `logName="projects/${project}/logs/cloudaudit.googleapis.com%2Factivity"`,
    `(protoPayload.serviceName="run.googleapis.com" OR protoPayload.serviceName="vpcaccess.googleapis.com")`,
    `(${methods})`,
  ].join(" AND ");
}

/** The commands, as a shell script with a comment before each step. */
export function auditFeedScript(options: AuditFeedOptions): string {
  const [home, ...others] = options.project;
  if (!home) throw new Error("at least one --project is needed");
  const name = options.name;
  const topic = `projects/${home}/topics/${name}`;
  const member = options.serviceAccount
    ? `serviceAccount:${options.serviceAccount}`
    : `serviceAccount:driftguard@${home}.iam.gserviceaccount.com`;
  const lines = [
    "#!/bin/sh",
    "# Route Cloud Run and Serverless VPC Access Admin Activity audit entries to driftguard.",
    "set -eu",
    "",
    `# 1. The topic the Logging sink publishes to (in ${home}).`,
    `gcloud pubsub topics create ${name} --project=${home}`,
    "",
  ];
  options.project.forEach((project, i) => {
    const writer = `WRITER_${i + 1}`;
    lines.push(
      `# 2${others.length ? `.${i + 1}` : ""}. A sink in ${project} with only the writes driftguard acts on, and its`,
      "#    writer identity allowed to publish to the topic.",
      `gcloud logging sinks create ${name} pubsub.googleapis.com/${topic} --project=${project} \\`,
      `  --log-filter='${sinkFilter(project)}'`,
      `${writer}=$(gcloud logging sinks describe ${name} --project=${project} --format='value(writerIdentity)')`,
      `gcloud pubsub topics add-iam-policy-binding ${name} --project=${home} \\`,
      `  --member="$${writer}" --role=roles/pubsub.publisher`,
      "",
    );
  });
  lines.push(
    "# 3. The subscription driftguard pulls from. Unacknowledged entries are kept a day; it never expires.",
    `gcloud pubsub subscriptions create ${name} --project=${home} --topic=${name} \\`,
    "  --ack-deadline=30 --message-retention-duration=1d --expiration-period=never",
    "",
    "# 4. driftguard's Google service account may pull from it and read it (its health check), on this",
    "#    subscription only: a custom role (deploy/iam/driftguard-audit-role.yaml holds the same).",
    `gcloud iam roles create driftguardAudit --project=${home} --title="driftguard audit feed" \\`,
    `  --permissions=${SUBSCRIBER_PERMISSIONS.join(",")} --stage=GA`,
    `gcloud pubsub subscriptions add-iam-policy-binding ${name} --project=${home} \\`,
    `  --member="${member}" --role=projects/${home}/roles/driftguardAudit`,
    "",
    "# 5. Then run driftguard with:",
    `#    --audit-subscription=projects/${home}/subscriptions/${name}   (or DRIFTGUARD_AUDIT_SUBSCRIPTION)`,
    "",
  );
  return lines.join("\n");
}

function collect(flag: string, pattern: RegExp, what: string) {
  return (value: string, previous: string[] = []): string[] => {
    if (!pattern.test(value)) throw new InvalidArgumentError(`${flag} must be ${what}, got "${value}"`);
    return [...previous, value];
  };
}

export function auditFeedCommand(): Command {
  return new Command("audit-feed")
    .description("print the gcloud commands that route audit entries to a subscription for --audit-subscription")
    .addOption(
      new Option(
        "--project <id>",
        "a project whose changes driftguard should see (repeat for more; the first holds the topic)",
      )
        .argParser(collect("--project", PROJECT_ID, "a Google Cloud project ID"))
        .makeOptionMandatory(),
    )
    .addOption(
      new Option("--name <name>", "name of the topic, sink and subscription")
        .argParser((value: string) => {
          if (!RESOURCE_ID.test(value)) throw new InvalidArgumentError(`--name must be a Pub/Sub ID, got "${value}"`);
          return value;
        })
        .default("driftguard-audit"),
    )
    .addOption(
      new Option(
        "--service-account <email>",
        "driftguard's Google service account (default: driftguard@FIRST_PROJECT.iam.gserviceaccount.com)",
      ).argParser((value: string) => {
        if (!SERVICE_ACCOUNT.test(value)) {
          throw new InvalidArgumentError(
            `--service-account must be NAME@PROJECT.iam.gserviceaccount.com, got "${value}"`,
          );
        }
        return value;
      }),
    )
    .action((options: AuditFeedOptions) => {
      process.stdout.write(auditFeedScript(options));
    });
}
