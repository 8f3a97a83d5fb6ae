/**
 * `kahook run [options] -- COMMAND [ARGS...]` runs COMMAND with every TCP socket configured:
 * node, bun and deno run with kahook's preload, any other dynamically linked program (nginx,
 * redis-server, python, curl, npm, a shell script) with the interposer preloaded (LD_PRELOAD),
 * as `LD_PRELOAD=libkeepalive.so COMMAND` does, with kahook's checks, rules and sticky values.
 * @module
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { basename } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { type Config, configFromEnv } from "../config/env.ts";
import { KahookError } from "../host/errors.ts";
import { preloadLibraryPath } from "../interposer/index.ts";
import { type Parsed, type Spec, usage } from "./args.ts";
import { preloadObstacle } from "./executable.ts";
import { COMMAND_NOT_FOUND, EX_CONFIG } from "./exit.ts";
import { preloadEnv } from "./preload.ts";

/** Each option sets one environment variable, which takes precedence over the one inherited. */
const FLAGS = [
  { flag: "--idle", variable: "TCP_KEEPIDLE", value: "S", help: "idle time before the first probe, seconds (15)" },
  { flag: "--interval", variable: "TCP_KEEPINTVL", value: "S", help: "time between probes, seconds (15)" },
  { flag: "--count", variable: "TCP_KEEPCNT", value: "N", help: "unanswered probes before the connection drops (9)" },
  {
    flag: "--user-timeout",
    variable: "TCP_USER_TIMEOUT",
    value: "MS",
    help: "how long sent data may stay unacknowledged, ms (-1: idle + interval × count)",
  },
  {
    flag: "--syn-count",
    variable: "TCP_SYNCNT",
    value: "N",
    help: "SYN retransmissions before connect fails (0: system default)",
  },
  {
    flag: "--defer-accept",
    variable: "TCP_DEFER_ACCEPT",
    value: "S",
    help: "listeners wake only once data arrives, seconds (0: off)",
  },
  {
    flag: "--max-segment",
    variable: "TCP_MAXSEG",
    value: "BYTES",
    help: "largest segment to send (0: system default)",
  },
  {
    flag: "--window-clamp",
    variable: "TCP_WINDOW_CLAMP",
    value: "BYTES",
    help: "largest receive window to advertise (0: system default)",
  },
  {
    flag: "--mode",
    variable: "KAHOOK_MODE",
    value: "M",
    help: "connect (clients), listen (servers) or socket (both; the default)",
  },
] as const;

export const RUN_HELP = `Usage: kahook run [options] [--] COMMAND [ARGS...]

Runs COMMAND with TCP keepalive, TCP_USER_TIMEOUT and the options below set on every TCP
socket it opens: clients before connect(2), servers on the listening socket before listen(2)
(accepted sockets inherit them), and the values hold when the program sets its own.

A COMMAND of node gets the kahook/register preload in NODE_OPTIONS (kept with what is there),
bun and deno run get --preload (Deno also needs --allow-ffi and --allow-env, or -A). Any other
COMMAND (nginx, redis-server, python, npm, a shell script) gets the native interposer through
LD_PRELOAD (after any libraries LD_PRELOAD already names) and its compiled configuration in
KAHOOK_NATIVE_CONFIG. The processes COMMAND starts inherit both and are configured too, unless
--no-children is given. A COMMAND the interposer cannot enter (a static, Go or set-user-ID
executable, one whose loader is neither glibc's nor musl's, or whose glibc is older than the
interposer needs) is named on stderr and run unconfigured. Invalid values stop kahook before
COMMAND starts.

Options (each sets the variable named; unset ones keep the inherited value or the default):
${
  FLAGS.map(({ flag, variable, value, help }) => `  ${`${flag} ${value}`.padEnd(22)}${variable.padEnd(18)}${help}`)
    .join("\n")
}
  ${"--debug".padEnd(22)}${"KAHOOK_DEBUG=1".padEnd(18)}one stderr line per configured socket and per failure
  ${"--no-children".padEnd(40)}configure COMMAND's own process only, not those it starts
  ${"-h, --help".padEnd(40)}this text

Options end at "--" or at COMMAND: what follows, --help included, is COMMAND's. COMMAND's
exit status and signals are passed through; kahook's own statuses are in \`kahook --help\`.

Examples: kahook run --idle 30 --interval 10 --count 3 -- node server.js
          kahook run --idle 30 -- bun server.ts
          kahook run --idle 30 -- deno run --allow-ffi --allow-env --allow-net server.ts
          kahook run --idle 30 --mode listen -- redis-server --port 6380
`;

/** run's options; apply takes them too. */
export const RUN_OPTIONS = {
  values: Object.fromEntries(FLAGS.map(({ flag, value }) => [flag, value])),
  switches: ["--debug", "--no-children"],
  command: "COMMAND",
} satisfies Spec;

/** The environment variables that the options given set. */
export function flagsEnv({ values, switches }: Parsed): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { flag, variable } of FLAGS) if (values[flag] !== undefined) env[variable] = values[flag];
  if (switches.has("--debug")) env.KAHOOK_DEBUG = "1";
  return env;
}

// register sits in src/, next to commands/. Built, it is two bundles: register.js, an ES module,
// and register.cjs, whose --require Node loads ≈ 5 ms sooner than --import loads any ES module.
// From source, register.ts.
const fromSource = import.meta.url.endsWith(".ts");
const register = fileURLToPath(new URL(`../register.${fromSource ? "ts" : "js"}`, import.meta.url));
const nodeRegister = fileURLToPath(new URL(`../register.${fromSource ? "ts" : "cjs"}`, import.meta.url));

/** NODE_OPTIONS with the preload appended: it splits at spaces outside double quotes, where \ escapes. */
function withPreload(nodeOptions: string | undefined): string {
  const preload = `--require "${nodeRegister.replace(/["\\]/g, "\\$&")}"`;
  return nodeOptions ? `${nodeOptions} ${preload}` : preload;
}

/** node, bun or deno, by the program's name (npm installs Bun as bun.exe, on every OS); undefined for any other. */
function runtimeOf(program: string): "node" | "bun" | "deno" | undefined {
  const name = basename(program).replace(/\.exe$/, "");
  return name === "node" || name === "nodejs" ? "node" : name === "bun" || name === "deno" ? name : undefined;
}

/**
 * Bun and Deno read no NODE_OPTIONS: `bun ARGS` becomes `bun --preload REGISTER ARGS`, and
 * `deno run ARGS` becomes `deno run --preload REGISTER ARGS` (Deno's flags follow its subcommand).
 * Node gets NODE_OPTIONS, which its child Node processes inherit, or with --no-children
 * `node --require REGISTER ARGS`.
 */
function withRuntimePreload(command: string[], children: boolean, env: NodeJS.ProcessEnv): string[] {
  const [program, ...args] = command;
  const preload = ["--preload", register];
  switch (runtimeOf(program)) {
    case "bun":
      return [program, ...preload, ...args];
    case "deno":
      if (args[0] !== "run") throw usage("kahook run starts Deno programs as `deno run ...`");
      return [program, "run", ...preload, ...args.slice(1)];
    default:
      if (!children) return [program, "--require", nodeRegister, ...args];
      env.NODE_OPTIONS = withPreload(process.env.NODE_OPTIONS);
      return command;
  }
}

/** The variables and warning for a COMMAND that is not node, bun or deno: the interposer through LD_PRELOAD. */
function withLibraryPreload(program: string, config: Config, children: boolean, env: NodeJS.ProcessEnv): void {
  let variables: Record<string, string>;
  try {
    variables = preloadEnv(config, children, process.env.LD_PRELOAD);
  } catch (error) {
    if (error instanceof KahookError) throw error;
    process.stderr.write(
      `kahook: ${(error as Error).message}; only the Node processes it starts are configured (NODE_OPTIONS)\n`,
    );
    env.NODE_OPTIONS = withPreload(process.env.NODE_OPTIONS);
    return;
  }
  const obstacle = preloadObstacle(program, preloadLibraryPath(), env);
  if (obstacle) process.stderr.write(`kahook: ${obstacle}; it runs without kahook\n`);
  else Object.assign(env, variables);
}

/** Runs `kahook run ARGS`; resolves to the exit status to leave with. */
export function run(args: Parsed): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...flagsEnv(args) };
  const children = !args.switches.has("--no-children");
  let config: Config;
  try {
    config = configFromEnv(env);
  } catch (error) {
    process.stderr.write(`kahook: ${(error as Error).message}\n`);
    return Promise.resolve(EX_CONFIG);
  }
  let command = args.command;
  if (runtimeOf(command[0])) command = withRuntimePreload(command, children, env);
  else withLibraryPreload(command[0], config, children, env);
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
