/**
 * `kahook run [options] -- COMMAND [ARGS...]` runs COMMAND (node, bun or deno run, or anything
 * that starts Node processes) with every TCP socket configured, as `LD_PRELOAD=libkeepalive.so
 * COMMAND` does for C programs.
 * @module
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { basename } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { configFromEnv } from "../env.ts";
import { type Parsed, type Spec, usage } from "./args.ts";
import { COMMAND_NOT_FOUND, EX_CONFIG } from "./exit.ts";

/** Each option sets one environment variable, which takes precedence over the one inherited. */
const FLAGS = [
  { flag: "--idle", variable: "TCP_KEEPIDLE", value: "S", help: "idle time before the first probe, seconds (15)" },
  { flag: "--interval", variable: "TCP_KEEPINTVL", value: "S", help: "time between probes, seconds (15)" },
  { flag: "--count", variable: "TCP_KEEPCNT", value: "N", help: "unanswered probes before the connection drops (9)" },
  { flag: "--user-timeout", variable: "TCP_USER_TIMEOUT", value: "MS", help: "how long sent data may stay unacknowledged, ms (-1: idle + interval × count)" },
  { flag: "--syn-count", variable: "TCP_SYNCNT", value: "N", help: "SYN retransmissions before connect fails (0: system default)" },
  { flag: "--defer-accept", variable: "TCP_DEFER_ACCEPT", value: "S", help: "listeners wake only once data arrives, seconds (0: off)" },
  { flag: "--max-segment", variable: "TCP_MAXSEG", value: "BYTES", help: "largest segment to send (0: system default)" },
  { flag: "--window-clamp", variable: "TCP_WINDOW_CLAMP", value: "BYTES", help: "largest receive window to advertise (0: system default)" },
  { flag: "--mode", variable: "KAHOOK_MODE", value: "M", help: "connect (clients), listen (servers) or socket (both; the default)" },
] as const;

export const RUN_HELP = `Usage: kahook run [options] [--] COMMAND [ARGS...]

Runs COMMAND with TCP keepalive, TCP_USER_TIMEOUT and the options below set on every TCP
socket it opens: in Node clients before connect(2), servers on the listening socket before
listen(2) (accepted sockets inherit them). It sets the variables named below and adds the
kahook/register preload to NODE_OPTIONS, keeping what is there, so Node processes started by
COMMAND (npm, shell scripts) are configured too. A COMMAND of bun or deno run gets --preload
instead (Deno also needs --allow-ffi and --allow-env, or -A).

Options (each sets the variable named; unset ones keep the inherited value or the default):
${FLAGS.map(({ flag, variable, value, help }) => `  ${`${flag} ${value}`.padEnd(22)}${variable.padEnd(18)}${help}`).join("\n")}
  ${"--debug".padEnd(22)}${"KAHOOK_DEBUG=1".padEnd(18)}one stderr line per configured socket and per failure
  ${"-h, --help".padEnd(40)}this text

Options end at "--" or at COMMAND: what follows, --help included, is COMMAND's. COMMAND's
exit status and signals are passed through; kahook's own statuses are in \`kahook --help\`.

Examples: kahook run --idle 30 --interval 10 --count 3 -- node server.js
          kahook run --idle 30 -- bun server.ts
          kahook run --idle 30 -- deno run --allow-ffi --allow-env --allow-net server.ts
`;

/** run's options; apply takes them too. */
export const RUN_OPTIONS = {
  values: Object.fromEntries(FLAGS.map(({ flag, value }) => [flag, value])),
  switches: ["--debug"],
  command: "COMMAND",
} satisfies Spec;

/** The environment variables that the options given set. */
export function flagsEnv({ values, switches }: Parsed): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { flag, variable } of FLAGS) if (values[flag] !== undefined) env[variable] = values[flag];
  if (switches.has("--debug")) env.KAHOOK_DEBUG = "1";
  return env;
}

// register sits in src/, next to commands/: .js once built, .ts when run from source.
const register = new URL(`../register${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url);

/**
 * NODE_OPTIONS with the preload appended. --import works from Node 20.6 on, where --require of
 * an ES module needs 20.19; a file URL needs no quoting, its spaces and quotes being %-escaped.
 */
function withPreload(nodeOptions: string | undefined): string {
  const preload = `--import=${register.href}`;
  return nodeOptions ? `${nodeOptions} ${preload}` : preload;
}

/**
 * Bun and Deno read no NODE_OPTIONS: `bun ARGS` becomes `bun --preload REGISTER ARGS`, and
 * `deno run ARGS` becomes `deno run --preload REGISTER ARGS` (Deno's flags follow its subcommand).
 */
function withRuntimePreload(command: string[]): string[] {
  const [program, ...args] = command;
  const preload = ["--preload", fileURLToPath(register)];
  // npm installs Bun as bun.exe, on every OS.
  switch (basename(program).replace(/\.exe$/, "")) {
    case "bun":
      return [program, ...preload, ...args];
    case "deno":
      if (args[0] !== "run") throw usage("kahook run starts Deno programs as `deno run ...`");
      return [program, "run", ...preload, ...args.slice(1)];
    default:
      return command;
  }
}

/** Runs `kahook run ARGS`; resolves to the exit status to leave with. */
export function run(args: Parsed): Promise<number> {
  const command = withRuntimePreload(args.command);
  const env = { ...process.env, ...flagsEnv(args) };
  try {
    configFromEnv(env);
  } catch (error) {
    process.stderr.write(`kahook: ${(error as Error).message}\n`);
    return Promise.resolve(EX_CONFIG);
  }
  env.NODE_OPTIONS = withPreload(process.env.NODE_OPTIONS);
  const child = spawn(command[0], command.slice(1), { stdio: "inherit", env });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of FORWARDED) process.on(signal, forward);
  return new Promise((resolve) => {
    child.on("error", (error) => {
      process.stderr.write(`kahook: cannot run ${command[0]}: ${error.message}\n`);
      resolve(COMMAND_NOT_FOUND);
    });
    child.on("exit", (code, signal) => {
      for (const forwarded of FORWARDED) process.off(forwarded, forward);
      if (signal === null) return resolve(code ?? 0);
      // Die of the same signal, so that our parent sees what COMMAND's would have.
      process.kill(process.pid, signal);
      resolve(128 + constants.signals[signal]);
    });
  });
}

/** Passed on to COMMAND. SIGUSR1 is Node's own (it starts the inspector). */
const FORWARDED: NodeJS.Signals[] = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGUSR2", "SIGWINCH"];
