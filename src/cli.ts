#!/usr/bin/env node
import process from "node:process";
import { apply, APPLY_HELP } from "./commands/apply.ts";
import { check } from "./commands/check.ts";
import { demo } from "./commands/demo.ts";
import { config } from "./commands/config.ts";
import { EX_CONFIG, EX_USAGE } from "./commands/exit.ts";
import { inspect, INSPECT_HELP } from "./commands/inspect.ts";
import { run, RUN_HELP } from "./commands/run.ts";
import { KahookError } from "./errors.ts";

const USAGE = `Usage: kahook <command>

Commands:
  run      run a command with every TCP socket of its Node processes configured
  check    show the configuration from the environment, the time it gives to detect a
           vanished peer, and its readback on a live loopback connection
  demo     make the peer of two loopback connections vanish, one with kahook and one
           without, and show when each notices (exit 0: shown, 1: not shown, 3: this
           machine cannot simulate it: Linux with CAP_NET_ADMIN or user namespaces needed)
  config   show the configuration in force, the system defaults, the time each takes to
           detect a dead peer, and load balancers that would drop idle connections first
  inspect  list a running process's TCP sockets with their options and TCP_INFO
  apply    set the options on a running process's TCP sockets
  help     this text

${RUN_HELP}
${INSPECT_HELP}
${APPLY_HELP}`;

async function main(args: string[]): Promise<number> {
  switch (args[0]) {
    case "run":
      return await run(args.slice(1));
    case "check":
      process.stdout.write(await check());
      return 0;
    case "demo":
      return demo();
    case "config":
      process.stdout.write(config());
      return 0;
    case "inspect":
      process.stdout.write(inspect(args.slice(1)));
      return 0;
    case "apply":
      process.stdout.write(apply(args.slice(1)));
      return 0;
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`kahook: unknown command ${JSON.stringify(args[0])}\n\n${USAGE}`);
      return EX_USAGE;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof KahookError)) throw error;
  process.stderr.write(`kahook: ${error.message}\n`);
  process.exitCode = error.code === "KAHOOK_ERR_USAGE" ? EX_USAGE : EX_CONFIG;
}
