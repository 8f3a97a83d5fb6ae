import { configFromEnv } from "../config/env.ts";
import { reportLine, socketsFor } from "../hooks/configure.ts";
import { type HookConfig, SocketPlan } from "../hooks/plan.ts";
import { installInterposer, uninstallInterposer } from "../interposer/index.ts";
import { adapter } from "../runtimes/index.ts";
import { watchInterposerEvents } from "./observe.ts";
import { shared } from "./shared.ts";

export type { HookConfig } from "../hooks/plan.ts";

/**
 * Configures every TCP socket the program opens from now on, in Node, Bun and Deno. Without an
 * argument the configuration comes from the environment (TCP_KEEPIDLE, ..., KAHOOK_MODE,
 * KAHOOK_DEBUG). The native interposer takes every socket of the process, the runtime's own
 * clients and native code's included; where it cannot load, the JavaScript hooks configure the
 * runtime's node:net sockets (and Bun's and Deno's own connect and listen), and one
 * KAHOOK_DEBUG line says why (see the README's runtime table). Throws KahookError for invalid
 * options; never afterwards. Installing again does nothing and returns false.
 */
export function install(config: HookConfig = configFromEnv()): boolean {
  if (shared.installed) return false;
  const plan = new SocketPlan(config);
  if (config.interposer !== false) {
    const native = installInterposer(plan);
    if ("slots" in native) {
      shared.installed = { by: "interposer", uninstall: uninstallInterposer };
      shared.interposerPlan = plan;
      watchInterposerEvents();
      return true;
    }
    if (native.already) return false;
    if (plan.debug) {
      reportLine(`interposer not active: ${native.reason}; the ${adapter.name} hooks configure node:net sockets`);
    }
  }
  if (!adapter.hooks.install(socketsFor(plan))) return false;
  shared.installed = { by: "hooks", uninstall: adapter.hooks.uninstall };
  return true;
}

/** Restores the runtime's own socket calls. Sockets already configured keep their options. */
export function uninstall(): boolean {
  const done = shared.installed?.uninstall() ?? false;
  shared.installed = undefined;
  return done;
}
