// `driftguard demo` (what `npm start` runs): the whole product on one machine, no cluster and no cloud
// account — the simulator seeded like the field reports' staging, and the controller reading
// examples/staging/ as a directory source.

import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError, Option } from "commander";
import { parseDuration } from "../api/duration.ts";
import { runDemo } from "../demo/run-demo.ts";
import { createLogger, parseLogLevel } from "../observability/logger.ts";

interface DemoFlags {
  dir: string;
  policy: string;
  once: boolean;
  timeout: string;
  peakLoad: number;
  ramp: number;
  logLevel: string;
}

const STAGING = fileURLToPath(new URL("../../examples/staging", import.meta.url));
const STAGING_POLICY = fileURLToPath(new URL("../../examples/policies/staging.yaml", import.meta.url));

function positive(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
      throw new InvalidArgumentError(`${flag} must be a positive number, got "${value}"`);
    return n;
  };
}

export function demoCommand(): Command {
  return new Command("demo")
    .description("run driftguard end to end against the bundled simulator (no cluster, no cloud account)")
    .option("--dir <path>", "directory of manifests to manage", STAGING)
    .option(
      "--policy <file>",
      "ServiceConfigPolicy manifest put beside them (refuses the regressed commit)",
      STAGING_POLICY,
    )
    .option("--once", "run until everything settles, print a summary and exit (1 if anything failed)", false)
    .option("--timeout <duration>", "with --once: give up after this long", "5m")
    .option("--peak-load <mbps>", "load the connector ramps up to", positive("--peak-load"), 1400)
    .option("--ramp <seconds>", "how long the load takes to rise", positive("--ramp"), 60)
    .addOption(new Option("--log-level <level>", "controller log level (logs go to stderr)").default("silent"))
    .action(async (flags: DemoFlags) => {
      let timeoutMs: number;
      try {
        timeoutMs = parseDuration(flags.timeout);
      } catch (err) {
        throw new InvalidArgumentError(`--timeout: ${(err as Error).message}`);
      }
      const log = createLogger({ level: parseLogLevel(flags.logLevel), destination: process.stderr });
      const stop = new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
      const { exitCode } = await runDemo({
        directory: flags.dir,
        policyFile: flags.policy,
        once: flags.once,
        timeoutMs,
        peakLoadMbps: flags.peakLoad,
        rampSeconds: flags.ramp,
        out: process.stdout,
        interactive: Boolean(process.stdout.isTTY) && !flags.once,
        log,
        stop,
      });
      process.exitCode = exitCode;
    });
}
