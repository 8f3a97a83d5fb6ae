import { configFromEnv } from "../config/env.ts";
import { type HookConfig, SocketPlan } from "../config/plan.ts";
import { putHooks } from "../fallback/install.ts";
import { NOTHING, shared } from "../host/shared.ts";
import { putInterposer } from "./interposer.ts";

export type { HookConfig } from "../config/plan.ts";

/**
 * Configures every TCP socket the program opens from now on, in Node, Bun and Deno. Without an
 * argument the configuration comes from the environment (TCP_KEEPIDLE, ..., KAHOOK_MODE,
 * KAHOOK_DEBUG). The native interposer takes every socket of the process, the runtime's own
 * clients and native code's included; where it cannot load, the JavaScript hooks configure the
 * runtime's node:net sockets (and Bun's and Deno's own connect and listen). One KAHOOK_DEBUG
 * line says which, and for the hooks why and what they leave out (the README's runtime table).
 * Throws KahookError for invalid options; never afterwards. Installing again does nothing and
 * returns false, as when another copy of kahook (or libkahook.so, preloaded) installed first.
 */
export function install(config: HookConfig = configFromEnv()): boolean {
  if (shared.installed) return false;
  const plan = new SocketPlan(config);
  const native = putInterposer(plan, config.interposer !== false);
  const installed = shared.installed = "refused" in native ? putHooks(plan, native.refused) : native;
  return installed.uninstall !== NOTHING;
}

/** Restores the runtime's own socket calls. Sockets already configured keep their options. */
export function uninstall(): boolean {
  const done = shared.installed?.uninstall() ?? false;
  shared.installed = undefined;
  return done;
}
