/**
 * The environment that preloads the interposer into any dynamically linked program:
 * LD_PRELOAD naming libkahook.so, and KAHOOK_NATIVE_CONFIG holding the configuration compiled
 * by the same code that configures the JavaScript preload (src/abi/words.ts), so the
 * library reads numbers only. `kahook run` sets it for a COMMAND that is not node, bun or deno;
 * `kahook env` prints it.
 * @module
 */
import { existsSync } from "node:fs";
import type { Config } from "../config/env.ts";
import { SocketPlan } from "../config/plan.ts";
import { compileWords, NATIVE_CONFIG, NATIVE_INHERIT } from "../abi/words.ts";
import { preloadLibraryPath } from "../interposer/index.ts";

/**
 * The variables to add; throws a KahookError for an invalid configuration (which configFromEnv
 * has already checked), and an Error when no library is built for this machine.
 */
export function preloadEnv(config: Config, inherit: boolean, preloaded: string | undefined): Record<string, string> {
  const library = preloadLibraryPath();
  if (!existsSync(library)) throw new Error(`no interposer is built for this machine (${library} is missing)`);
  if (/[: ]/.test(library)) {
    throw new Error(
      `LD_PRELOAD cannot name ${library}: its path holds a space or a colon, which separate LD_PRELOAD's entries`,
    );
  }
  // LD_PRELOAD takes colon- or space-separated paths. The library goes last: a socket function another preloaded
  // library defines still runs first, and reaches kahook's when it calls the next definition (dlsym(RTLD_NEXT)).
  const others = (preloaded ?? "").split(/[: ]/).filter((entry) => entry && entry !== library);
  const env: Record<string, string> = {
    LD_PRELOAD: [...others, library].join(":"),
    [NATIVE_CONFIG]: Array.from(compileWords(new SocketPlan(config))).join(","),
  };
  if (!inherit) env[NATIVE_INHERIT] = "0";
  return env;
}
