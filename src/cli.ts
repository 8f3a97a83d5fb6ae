#!/usr/bin/env node
import process from "node:process";
import { apply, APPLY_HELP, APPLY_OPTIONS } from "./commands/apply.ts";
import { parseArgs, type Parsed, type Spec, usage } from "./commands/args.ts";
import { check, CHECK_HELP, CHECK_OPTIONS } from "./commands/check.ts";
import { config, CONFIG_HELP } from "./commands/config.ts";
import { demo, DEMO_HELP } from "./commands/demo.ts";
import { env, ENV_HELP, ENV_OPTIONS } from "./commands/env.ts";
import { EX_CONFIG, EX_NOPERM, EX_OSERR, EX_SOFTWARE, EX_UNAVAILABLE, EX_USAGE, EXIT_HELP } from "./commands/exit.ts";
import { inspect, INSPECT_HELP, INSPECT_OPTIONS } from "./commands/inspect.ts";
import { run, RUN_HELP, RUN_OPTIONS } from "./commands/run.ts";
import { KahookError } from "./host/errors.ts";
import { packageVersion } from "./host/package.ts";

const USAGE = `Usage: kahook COMMAND [options] [ARGS...]
       kahook help [COMMAND]
       kahook --version

Commands (each takes -h or --help for its own usage):
  run      run a command with every TCP socket it opens configured
  env      print the variables that preload kahook into any program (Dockerfiles, systemd)
  check    show the configuration from the environment, the time it gives to detect a
           vanished peer, whether the native interposer is active, and the readback of a
           live loopback connection
  demo     make the peer of two loopback connections vanish, one with kahook and one
           without, and show when each notices
  config   show the configuration in force, the system defaults, the time each takes to
           detect a dead peer, and load balancers that would drop idle connections first
  inspect  list a running process's TCP sockets with their options and TCP_INFO
  apply    set the options on a running process's TCP sockets
  help     this text, or a command's usage

Options:
  -h, --help     this text
  -V, --version  kahook's version

${EXIT_HELP}
${RUN_HELP}
${ENV_HELP}
${INSPECT_HELP}
${APPLY_HELP}`;

/** Writes a command's result; 0 is then its exit status. */
function print(text: string): number {
  process.stdout.write(text);
  return 0;
}

interface Command {
  help: string;
  options: Spec;
  /** Resolves to the exit status. */
  main(args: Parsed): number | Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  run: { help: RUN_HELP, options: RUN_OPTIONS, main: run },
  env: { help: ENV_HELP, options: ENV_OPTIONS, main: (args) => print(env(args)) },
  check: {
    help: CHECK_HELP,
    options: CHECK_OPTIONS,
    main: async (args) => {
      const { report, status } = await check(args);
      print(report);
      return status;
    },
  },
  demo: { help: DEMO_HELP, options: {}, main: demo },
  config: { help: CONFIG_HELP, options: {}, main: () => print(config()) },
  inspect: { help: INSPECT_HELP, options: INSPECT_OPTIONS, main: (args) => print(inspect(args)) },
  apply: { help: APPLY_HELP, options: APPLY_OPTIONS, main: (args) => print(apply(args)) },
  help: {
    help: USAGE,
    options: { operands: ["[COMMAND]"] },
    main: ({ operands: [name] }) => print(name ? known(name).help : USAGE),
  },
};

function known(name: string): Command {
  if (!Object.hasOwn(COMMANDS, name)) {
    throw usage(name.startsWith("-") ? `unknown option ${name}` : `unknown command ${JSON.stringify(name)}`);
  }
  return COMMANDS[name];
}

async function main([name, ...args]: string[]): Promise<number> {
  if (name === undefined || name === "--help" || name === "-h") return print(USAGE);
  if (name === "--version" || name === "-V") return print(`kahook ${packageVersion()}\n`);
  const command = known(name);
  const parsed = parseArgs(args, command.options);
  return parsed.help ? print(command.help) : await command.main(parsed);
}

/** The status of a failed system call on another process, by its errno; other KahookErrors are configuration errors. */
const ERRNO_STATUS: Record<string, number> = {
  ESRCH: EX_UNAVAILABLE,
  ENOSYS: EX_OSERR,
  EPERM: EX_NOPERM,
  EACCES: EX_NOPERM,
};

/** Each error's exit status: see EXIT_HELP. */
function status(error: unknown): number {
  if (error instanceof KahookError && error.code === "KAHOOK_ERR_USAGE") return EX_USAGE;
  if (error instanceof KahookError) return ERRNO_STATUS[error.errno ?? ""] ?? EX_CONFIG;
  // Deno's refusal for want of a permission (--allow-read, ...): how kahook was run, not a bug.
  return ["NotCapable", "PermissionDenied"].includes((error as Error)?.name) ? EX_NOPERM : EX_SOFTWARE;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.exitCode = status(error);
  const message = process.exitCode === EX_SOFTWARE
    ? `unexpected error: ${(error as Error)?.stack ?? error}`
    : (error as Error).message;
  process.stderr.write(`kahook: ${message}\n`);
}
