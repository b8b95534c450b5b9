// The flags of `driftguard run` (and the Google ones `plan` and `parity` share), each with its environment
// variable and default, and the parsers that turn bad values into errors naming the flag.

import { InvalidArgumentError, Option, type Command } from "commander";
import { parseDuration } from "../api/duration.ts";

// The default call rate per Google API and consumer project, from Google's quotas. The Cloud Run Admin
// API's rate quotas are per project and region (https://cloud.google.com/run/quotas, "API rate limits";
// Google's RESOURCE_EXHAUSTED messages name them ReadPerMinutePerProjectRegion and
// WritePerMinutePerProjectRegion). Their values differ between projects: a recently created project's
// quota page shows 600 reads and 30 writes per minute per region, and Google raises them on request. The
// exact default table could not be read here, so the stricter figure decides: 5/s = 300 reads per minute
// is half of 600, leaving the rest to CI deploys, gcloud and the console, which spend the same quota.
// Writes are rarer and refused writes pause the project (RESOURCE_EXHAUSTED). Serverless VPC Access
// documents no tighter request quota that we could find, and a project has few connectors, so the same
// rate applies to it. A project with more services than its quota can read at their resync intervals
// gets a ResyncIntervalNotMet warning (schedule-audit.ts) rather than silent slowness.
export const DEFAULT_QPS = 5;
/** The process-wide cap per API across projects: bounds this replica's CPU and egress, not Google's quota. */
export const DEFAULT_GLOBAL_QPS = 100;
const QPS_HELP =
  "client-side calls per second to each Google API, per consumer project; the default is half of the 600 " +
  "Cloud Run Admin API reads per minute per region a project may start with (https://cloud.google.com/run/quotas)";

function positiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
      throw new InvalidArgumentError(`${flag} must be a positive number, got "${value}"`);
    return n;
  };
}

function positiveInteger(flag: string) {
  return (value: string): number => {
    const n = positiveNumber(flag)(value);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${flag} must be a whole number, got "${value}"`);
    return n;
  };
}

function durationFlag(flag: string) {
  return (value: string): string => {
    try {
      parseDuration(value);
      return value;
    } catch (err) {
      throw new InvalidArgumentError(`${flag}: ${(err as Error).message}`);
    }
  };
}

/** The flags that say how to reach Google; every command that reads or writes Google resources takes them. */
export function gcpOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--gcp-transport <transport>", "how to call Google APIs")
        .choices(["grpc", "rest"])
        .env("DRIFTGUARD_GCP_TRANSPORT")
        .default("grpc"),
    )
    .addOption(
      new Option("--gcp-endpoint <host:port>", "gRPC endpoint override (e.g. the simulator)").env(
        "DRIFTGUARD_GCP_ENDPOINT",
      ),
    )
    .addOption(
      new Option("--gcp-rest-endpoint <url>", "REST endpoint override (e.g. http://127.0.0.1:8788)").env(
        "DRIFTGUARD_GCP_REST_ENDPOINT",
      ),
    )
    .addOption(
      new Option(
        "--gcp-access-token <token>",
        "fixed bearer token for an endpoint override; default: Application Default Credentials",
      ).env("DRIFTGUARD_GCP_ACCESS_TOKEN"),
    );
}

export function runOptions(command: Command): Command {
  return gcpOptions(
    command
      .addOption(
        new Option("--source <source>", 'where desired state comes from: "cluster" or "dir:PATH"')
          .env("DRIFTGUARD_SOURCE")
          .default("cluster"),
      )
      .addOption(
        new Option("--kubeconfig <path>", "kubeconfig file (default: in-cluster, then ~/.kube/config)").env(
          "KUBECONFIG",
        ),
      )
      .addOption(
        new Option("--namespace <names...>", "manage only objects in these namespaces (default: all)").env(
          "DRIFTGUARD_NAMESPACES",
        ),
      ),
  )
    .addOption(
      new Option("--qps <n>", QPS_HELP)
        .argParser(positiveNumber("--qps"))
        .env("DRIFTGUARD_GCP_QPS")
        .default(DEFAULT_QPS),
    )
    .addOption(
      new Option("--global-qps <n>", "client-side calls per second to each Google API across all projects")
        .argParser(positiveNumber("--global-qps"))
        .env("DRIFTGUARD_GCP_GLOBAL_QPS")
        .default(DEFAULT_GLOBAL_QPS),
    )
    .addOption(
      new Option("--retry-base-delay <duration>", "first retry delay of a failing object; doubles per failure")
        .argParser(durationFlag("--retry-base-delay"))
        .env("DRIFTGUARD_RETRY_BASE_DELAY")
        .default("1s"),
    )
    .addOption(
      new Option(
        "--retry-max-delay <duration>",
        "longest retry delay of a failing object (reset early once the failing Google API answers again)",
      )
        .argParser(durationFlag("--retry-max-delay"))
        .env("DRIFTGUARD_RETRY_MAX_DELAY")
        .default("60s"),
    )
    .addOption(
      new Option("--workers <n>", "concurrent reconciles per kind")
        .argParser(positiveInteger("--workers"))
        .env("DRIFTGUARD_WORKERS")
        .default(4),
    )
    .addOption(
      new Option(
        "--default-resync <duration>",
        "resync interval for manifests that set none (the CRD defaults it to 60s)",
      )
        .argParser(durationFlag("--default-resync"))
        .env("DRIFTGUARD_DEFAULT_RESYNC")
        .default("60s"),
    )
    .addOption(
      new Option("--log-level <level>", "fatal, error, warn, info, debug, trace")
        .env("DRIFTGUARD_LOG_LEVEL")
        .default("info"),
    )
    .addOption(
      new Option(
        "--require-project-allowlist",
        "deny every project to namespaces without the driftguard.dev/allowed-projects annotation (without " +
          "this flag such namespaces may target any project; every Deployment in deploy/ sets it)",
      )
        .env("DRIFTGUARD_REQUIRE_PROJECT_ALLOWLIST")
        .default(false),
    )
    .addOption(healthBindAddressOption());
}

/**
 * Where /healthz, /readyz and /metrics listen. The default (every interface) is what the kubelet's probes
 * and in-cluster Prometheus need; the endpoints have no authentication, so a host that must not expose
 * them binds 127.0.0.1 (or one interface's address) instead.
 */
function healthBindAddressOption(): Option {
  return new Option(
    "--health-bind-address <address>",
    "address the health/metrics port listens on (default: all interfaces)",
  ).env("DRIFTGUARD_HEALTH_BIND_ADDRESS");
}
