import { configFromEnv } from "../config/env.ts";
import { reportLine, socketsFor } from "../fallback/configure.ts";
import { type HookConfig, SocketPlan } from "../config/plan.ts";
import { installInterposer, uninstallInterposer } from "../interposer/index.ts";
import { runtime } from "../host/host.ts";
import { fallbackHooks } from "../fallback/index.ts";
import { installLine } from "../fallback/coverage.ts";
import { watchInterposerEvents } from "../observe/channel.ts";
import { type Installation, shared } from "../host/shared.ts";

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
  const installed = shared.installed = put(config, plan);
  if (plan.debug) reportLine(installLine(installed, runtime));
  return installed.uninstall !== NOTHING;
}

/** For what another copy of kahook put in place first: this one has nothing to take away. */
const NOTHING = () => false;

/** As if the interposer had refused: the configuration asked for the JavaScript hooks. */
const TURNED_OFF = { reason: "KAHOOK_INTERPOSER=0", already: false };

/** The interposer, or else the runtime's hooks. */
function put(config: HookConfig, plan: SocketPlan): Installation {
  const native = config.interposer === false ? TURNED_OFF : installInterposer(plan);
  if ("slots" in native) {
    shared.interposerPlan = plan;
    watchInterposerEvents();
    return { by: "interposer", why: `${native.slots} slots patched`, uninstall: uninstallInterposer };
  }
  if (native.already) return { by: "interposer", why: native.reason, uninstall: NOTHING };
  const hooked = fallbackHooks.install(socketsFor(plan));
  return { by: "hooks", why: native.reason, uninstall: hooked ? fallbackHooks.uninstall : NOTHING };
}

/** Restores the runtime's own socket calls. Sockets already configured keep their options. */
export function uninstall(): boolean {
  const done = shared.installed?.uninstall() ?? false;
  shared.installed = undefined;
  return done;
}
