#!/usr/bin/env node
import process from "node:process";
import { run, RUN_HELP } from "./commands/run.ts";
import { KahookError } from "./errors.ts";

const USAGE = `Usage: kahook <command>

Commands:
  run      run a command with every TCP socket of its Node processes configured
  help     this text

${RUN_HELP}`;

async function main(args: string[]): Promise<number> {
  switch (args[0]) {
    case "run":
      return await run(args.slice(1));
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`kahook: unknown command ${JSON.stringify(args[0])}\n\n${USAGE}`);
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof KahookError)) throw error;
  process.stderr.write(`kahook: ${error.message}\n`);
  process.exitCode = 2;
}
