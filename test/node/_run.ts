import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The package root; these tests run compiled, from dist/test/node/. */
export const packageRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** A compiled file next to this one, such as "_paths.js". */
export const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

/** How the preload is given to Node: both flags resolve kahook/register through package.json exports. */
export const PRELOAD_FLAGS = ["--require", "--import"] as const;

/** Generous: a fixture takes well under a second. */
const TIMEOUT_MS = 30_000;

/**
 * Runs a command from the package root (so that `kahook/register` resolves to this package),
 * with the environment given on top of one cleared of kahook's variables.
 */
export function run(command: string, args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd: packageRoot,
    env: { ...cleanEnv(), ...env },
    encoding: "utf8",
    timeout: TIMEOUT_MS,
  });
  if (result.error) throw result.error;
  return result;
}

/** Runs this same Node (so the suite covers whichever Node runs it) with the arguments given. */
export const runNode = (args: string[], env?: Record<string, string>) => run(process.execPath, args, env);

/** Throws with the child's stderr unless it exited 0. */
export function succeeded(result: SpawnSyncReturns<string>): string {
  if (result.status !== 0) {
    throw new Error(`exit ${result.status ?? result.signal}: ${result.stderr}`);
  }
  return result.stdout;
}

const OWN_VARIABLES = /^(TCP_|KAHOOK_)|^NODE_OPTIONS$/;

function cleanEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !OWN_VARIABLES.test(name))) as Record<
    string,
    string
  >;
}
