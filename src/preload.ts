/**
 * The preload's work, shared by its two entries (register.ts for ES modules, Bun and Deno;
 * register-require.ts for node --require): read the environment, install the native
 * interposer, and where it cannot install, leave the JavaScript hooks to the entry, which loads
 * them only then: they are most of kahook's code, and a preload's start-up is paid by every run.
 *
 * An invalid configuration stops the program before it starts, with one line naming the
 * variable and exit status 78 (EX_CONFIG): running without the protection the operator asked for
 * would go unnoticed until a connection hangs. A Deno sandbox without FFI or environment access
 * is different: the operator chose it, and kahook cannot work inside it, so one line says so and
 * the program runs on without kahook.
 * @module
 */
import { EX_CONFIG } from "./commands/exit.ts";
import { configFromEnv, ENV_NAMES } from "./config/env.ts";
import { SocketPlan } from "./config/plan.ts";
import { host } from "./host/host.ts";
import { shared } from "./host/shared.ts";
import { putInterposer } from "./process/interposer.ts";
import { adapter } from "./runtimes/index.ts";
import { currentPlatform } from "./sys/index.ts";
import type { putHooks } from "./fallback/install.ts";

/** What the JavaScript hooks install with: the plan, and why the interposer did not install. */
export interface Pending {
  plan: SocketPlan;
  why: string;
}

/** The fallback module's export: the JavaScript hooks. */
export interface Fallback {
  putHooks: typeof putHooks;
}

/** Installs the interposer from the environment; what the JavaScript hooks must do, if anything. */
export function preload(): Pending | undefined {
  // Deno's --allow-ffi for libc at any path the fallback tries, and --allow-env for the variables read.
  const missing = adapter.missingPermissions(currentPlatform().libc(host.arch), ENV_NAMES);
  if (missing.length > 0) {
    host.writeStderr(
      `kahook: not active: Deno was run without ${missing.join(" and ")}; the program runs without kahook\n`,
    );
    return undefined;
  }
  if (shared.installed) return undefined;
  let plan: SocketPlan;
  let enabled: boolean;
  try {
    const config = configFromEnv();
    plan = new SocketPlan(config);
    enabled = config.interposer;
  } catch (error) {
    host.writeStderr(`kahook: ${(error as Error).message}\n`);
    host.exit(EX_CONFIG);
  }
  const outcome = putInterposer(plan, enabled);
  if ("refused" in outcome) return { plan, why: outcome.refused };
  shared.installed = outcome;
  return undefined;
}

/** Installs the JavaScript hooks from the fallback module the entry loaded. */
export function finish({ plan, why }: Pending, fallback: Fallback): void {
  shared.installed ??= fallback.putHooks(plan, why);
}
