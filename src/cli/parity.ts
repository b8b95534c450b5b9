// `driftguard parity --from staging --to production`: the same services in two environments, side by
// side, with their live values and both sides' policy findings. Reads Google like `plan` (read-only).

import { basename, resolve } from "node:path";
import { Command, Option } from "commander";
import type { ManagedObject } from "../kinds/kind.ts";
import { messageChain } from "../controller/errors.ts";
import { compareEnvironments, type ParitySide } from "../parity/compare.ts";
import { renderParityMarkdown, renderParityText } from "../parity/render.ts";
import { findKind } from "../api/kinds.ts";
import type { Plan } from "../plan/model.ts";
import { DEFAULT_PLAN_RETRY } from "../plan/retry.ts";
import { runPlan, type PlanOptions } from "./plan.ts";
import { gcpOptions } from "./run-options.ts";
import type { GcpFlags } from "./run.ts";

interface ParityOptions extends GcpFlags {
  from: string;
  to: string;
  cluster: boolean;
  kubeconfig?: string;
  policies?: string;
  output: "text" | "json" | "markdown";
}

export const PARITY_IN = 0;
export const PARITY_REVIEW = 2;
export const PARITY_ERROR = 1;

export function parityCommand(): Command {
  return gcpOptions(
    new Command("parity")
      .description(
        "compare two environments service by service: declared and live values, policy findings (exit 0: in parity, 2: review, 1: errors)",
      )
      .requiredOption(
        "--from <env>",
        "the reference environment: a directory of manifests, or a namespace with --cluster",
      )
      .requiredOption("--to <env>", "the environment compared with it: a directory, or a namespace with --cluster")
      .option("--cluster", "compare namespaces in the cluster instead of directories", false)
      .addOption(new Option("--kubeconfig <path>", "kubeconfig file for --cluster").env("KUBECONFIG"))
      .option(
        "--policies <dir>",
        "ServiceConfigPolicy and Namespace manifests (directories; the cluster's with --cluster)",
      )
      .addOption(
        new Option("-o, --output <format>", "output format").choices(["text", "json", "markdown"]).default("text"),
      ),
  ).action(async (options: ParityOptions) => {
    try {
      const report = await runParity(options);
      const text =
        options.output === "json"
          ? JSON.stringify(report, null, 2)
          : options.output === "markdown"
            ? renderParityMarkdown(report)
            : renderParityText(report);
      process.stdout.write(`${text}\n`);
      for (const problem of report.problems) process.stderr.write(`driftguard parity: ${problem}\n`);
      process.exitCode = report.errors > 0 ? PARITY_ERROR : report.toReview > 0 ? PARITY_REVIEW : PARITY_IN;
    } catch (err) {
      process.stderr.write(`driftguard parity: ${messageChain(err)}\n`);
      process.exitCode = PARITY_ERROR;
    }
  });
}

export async function runParity(options: ParityOptions) {
  const side = async (env: string) => {
    // A directory's environment is its name ("examples/staging" → staging); it is also the namespace of
    // manifests that name none, so policies select them by that Namespace's labels.
    const environment = options.cluster ? env : basename(resolve(env));
    const planOptions: PlanOptions = {
      ...options,
      output: "text",
      requireProjectAllowlist: false,
      attempts: DEFAULT_PLAN_RETRY.attempts,
      retryTimeout: `${DEFAULT_PLAN_RETRY.maxTotalMs / 1000}s`,
      namespace: [environment],
      ...(options.cluster ? { cluster: true } : { cluster: false, filename: env }),
    };
    let objects: ManagedObject[] = [];
    const plan = await runPlan(planOptions, (loaded) => (objects = loaded));
    return { environment, sides: sidesOf(plan, objects), errors: errorsOf(plan) };
  };
  const from = await side(options.from);
  const to = await side(options.to);
  return {
    ...compareEnvironments(from, to),
    errors: from.errors.length + to.errors.length,
    problems: [...from.errors, ...to.errors],
  };
}

function sidesOf(plan: Plan, objects: ManagedObject[]): ParitySide[] {
  return plan.resources.flatMap((entry) => {
    const object = objects.find(
      (o) => o.kind === entry.kind && o.metadata?.namespace === entry.namespace && o.metadata.name === entry.name,
    );
    const parsed = findKind(entry.kind)?.spec.safeParse(object?.spec);
    if (!object || !parsed?.success) return [];
    // A spec the controller would refuse is a finding to review beside the policy ones.
    const blocked =
      entry.outcome !== "blocked"
        ? []
        : entry.reason === "PolicyViolation"
          ? (entry.issues ?? [entry.message])
          : [`blocked: ${entry.reason}: ${entry.message}`];
    const findings = [...blocked, ...(entry.policyWarnings ?? [])];
    return [
      {
        kind: entry.kind,
        namespace: entry.namespace,
        name: entry.name,
        ...(object.metadata?.labels ? { labels: object.metadata.labels } : {}),
        spec: parsed.data as Record<string, unknown>,
        declared: object.spec as Record<string, unknown>,
        ...(entry.outcome === "changes" ? { liveDiffs: entry.diffs } : {}),
        findings,
      },
    ];
  });
}

function errorsOf(plan: Plan): string[] {
  return [
    ...plan.fileErrors.map((e) => `${e.file}: ${e.message}`),
    ...plan.resources.flatMap((e) =>
      e.outcome === "error" ? [`${e.kind} ${e.namespace}/${e.name}: ${e.reason}: ${e.message}`] : [],
    ),
  ];
}
