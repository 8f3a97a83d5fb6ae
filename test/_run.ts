import type { SpawnSyncReturns } from "node:child_process";
import { spawnSync } from "../src/host/spawn.ts";
import process from "node:process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { root } from "./_repo.ts";

/** The package root, ending in "/". */
export const packageRoot = `${root}/`;

/** Node runs the compiled tests in dist/test/; Bun and Deno run test/ as TypeScript. */
const extension = import.meta.url.endsWith(".ts") ? ".ts" : ".js";

/** A fixture of the test tree by its name without extension, such as "fixtures/preload/pair". */
export const here = (name: string): string => fileURLToPath(new URL(name + extension, import.meta.url));

/** How the preload is given to Node: both flags resolve kahook/register through package.json exports. */
export const PRELOAD_FLAGS = ["--require", "--import"] as const;

/** One way to start the runtime running this test with the preload: the arguments before the script. */
export interface Preload {
  name: string;
  args: string[];
}

const register = join(root, "src/register.ts");
/** What the fixtures need besides kahook's --allow-ffi and --allow-env: loopback, the certificate files, the CA store, child processes. */
const DENO_FIXTURE_PERMISSIONS = ["--allow-net", "--allow-read", "--allow-sys", "--allow-run"];

/** This runtime's preload flags. Node's resolve kahook/register through package.json exports. */
export const PRELOADS: Preload[] = "Deno" in globalThis
  ? [
    {
      name: "deno run --allow-ffi --allow-env --preload",
      args: ["run", "--allow-ffi", "--allow-env", ...DENO_FIXTURE_PERMISSIONS, "--preload", register],
    },
    { name: "deno run -A --preload", args: ["run", "-A", "--preload", register] },
  ]
  : "Bun" in globalThis
  ? [{ name: "bun --preload", args: ["--preload", register] }]
  : PRELOAD_FLAGS.map((flag) => ({ name: `node ${flag}`, args: [flag, "kahook/register"] }));

/** This runtime without the preload: the arguments before the script. */
export const NO_PRELOAD: string[] = "Deno" in globalThis ? ["run", "-A"] : [];

/** Generous: a fixture takes well under a second. */
const TIMEOUT_MS = 30_000;

/**
 * Runs a command from the package root (so that `kahook/register` resolves to this package),
 * or from cwd, with the environment given on top of one cleared of kahook's variables.
 */
export function run(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  cwd = packageRoot,
): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...cleanEnv(), ...env },
    encoding: "utf8",
    timeout: TIMEOUT_MS,
  });
  if (result.error) throw result.error;
  return result;
}

/** Runs this same runtime (so the suite covers whichever runs it: node, bun or deno) with the arguments given. */
export const runRuntime = (args: string[], env?: Record<string, string>) => run(process.execPath, args, env);

/** Throws with the child's stderr unless it exited 0. */
export function succeeded(result: SpawnSyncReturns<string>): string {
  if (result.status !== 0) {
    throw new Error(`exit ${result.status ?? result.signal}: ${result.stderr}`);
  }
  return result.stdout;
}

/** The lines of a child's stderr that kahook wrote: those starting "kahook: ". */
export const kahookLines = (stderr: string): string[] =>
  stderr.split("\n").filter((line) => line.startsWith("kahook: "));

/** KAHOOK_DEBUG's line at install when the native interposer configures the sockets: one per process, and per Node worker. */
export const INTERPOSER_ACTIVE = /^kahook: interposer active \(.+\)$/;

const OWN_VARIABLES = /^(TCP_|KAHOOK_)|^NODE_OPTIONS$/;

/** This process's environment without kahook's variables (TCP_*, KAHOOK_*) and NODE_OPTIONS. */
export function cleanEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !OWN_VARIABLES.test(name))) as Record<
    string,
    string
  >;
}
