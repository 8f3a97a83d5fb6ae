/**
 * Every process kahook starts for itself (the demo's namespace run, the tests' fixtures, the
 * bench's contenders) starts here, with ownEnv's variables set: kahook's own processes talk to
 * loopback only, and Deno looks for a newer release over the network unless
 * DENO_NO_UPDATE_CHECK is set. The program a user starts with `kahook run` is theirs and keeps
 * its environment as given (commands/run.ts).
 * @module
 */
import * as childProcess from "node:child_process";
import process from "node:process";
import { runtime } from "./host.ts";

/** What ownEnv adds to every environment. */
export const OWN_VARIABLES: Readonly<Record<string, string>> = { DENO_NO_UPDATE_CHECK: "1" };

/** The environment given (the process's by default) with OWN_VARIABLES set. */
export function ownEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, ...OWN_VARIABLES };
}

type Options = { env?: NodeJS.ProcessEnv } | undefined;
const own = (options: Options) => ({ ...options, env: ownEnv(options?.env) });

// Node's signatures, each always called with an argument array (and options) here.
export const spawn =
  ((command: string, args: string[], options?: Options) =>
    childProcess.spawn(command, args, own(options))) as typeof childProcess.spawn;
export const spawnSync =
  ((command: string, args: string[], options?: Options) =>
    childProcess.spawnSync(command, args, own(options))) as typeof childProcess.spawnSync;
export const execFile =
  ((command: string, args: string[], options: Options, callback: () => void) =>
    childProcess.execFile(command, args, own(options), callback)) as typeof childProcess.execFile;
export const execFileSync =
  ((command: string, args: string[], options?: Options) =>
    childProcess.execFileSync(command, args, own(options))) as typeof childProcess.execFileSync;
export const fork =
  ((module: string | URL, args: string[], options?: Options) =>
    childProcess.fork(module, args, own(options))) as typeof childProcess.fork;

/**
 * The command that runs a program under the runtime running this process, with runtime flags
 * (a preload) before the program. Deno needs `run` and its permissions: -A, as kahook reads /proc.
 */
export function runtimeCommand(program: string, flags: readonly string[] = []): { binary: string; args: string[] } {
  return {
    binary: process.execPath,
    args: runtime === "deno" ? ["run", "-A", ...flags, program] : [...flags, program],
  };
}
