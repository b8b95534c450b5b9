// The `driftguard` command line. Each subcommand lives in its own module and is registered here.

import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import packageJson from "../../package.json" with { type: "json" };
import { messageChain } from "../controller/errors.ts";
import { auditFeedCommand } from "./audit-feed.ts";
import { crdsCommand } from "./crds.ts";
import { demoCommand } from "./demo.ts";
import { parityCommand } from "./parity.ts";
import { planCommand } from "./plan.ts";
import { runCommand } from "./run.ts";
import { shardComponentCommand } from "./shard-component.ts";
import { simCommand } from "./sim.ts";
import { validateCommand } from "./validate.ts";

export function buildProgram(): Command {
  const program = new Command("driftguard").version(packageJson.version).description(packageJson.description);
  program.addCommand(runCommand());
  program.addCommand(simCommand());
  program.addCommand(demoCommand());
  program.addCommand(crdsCommand());
  program.addCommand(validateCommand());
  program.addCommand(planCommand());
  program.addCommand(parityCommand());
  program.addCommand(auditFeedCommand());
  program.addCommand(shardComponentCommand());
  return program;
}

// Runs only when this module (or bin/driftguard.js, which imports it) is the process entry point, so tests
// can import buildProgram() without side effects.
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  let entryPath: string;
  try {
    entryPath = realpathSync(entry);
  } catch {
    return false; // e.g. an entry given to a loader that does not exist on disk
  }
  const candidates = [
    fileURLToPath(import.meta.url),
    fileURLToPath(new URL("../../bin/driftguard.js", import.meta.url)),
  ];
  return candidates.includes(entryPath);
}

if (isEntryPoint()) {
  await buildProgram()
    .parseAsync()
    .catch((err: unknown) => {
      // One line that names the problem: a stack trace prints the error's properties, and a parser's
      // error may carry the content of the file it read (a kubeconfig, a key).
      process.stderr.write(`driftguard: ${messageChain(err)}\n`);
      // Servers a failed command had started (health, watches) must not keep the process alive.
      process.exit(1);
    });
}
