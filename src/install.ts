import { configFromEnv } from "./env.ts";
import { KahookError } from "./errors.ts";
import { installNodeHooks, uninstallNodeHooks } from "./hooks/node.ts";
import type { HookConfig } from "./hooks/plan.ts";
import { runtime } from "./runtime.ts";

export type { HookConfig } from "./hooks/plan.ts";

/**
 * Configures every TCP socket the program opens from now on: clients before connect(2),
 * listening sockets before listen(2). Without an argument the configuration comes from the
 * environment (TCP_KEEPIDLE, ..., KAHOOK_MODE, KAHOOK_DEBUG). Throws KahookError for invalid
 * options or when the FFI cannot load; never afterwards. Installing again does nothing and
 * returns false.
 */
export function install(config: HookConfig = configFromEnv()): boolean {
  if (runtime !== "node") {
    throw new KahookError(
      "KAHOOK_ERR_UNSUPPORTED_PLATFORM",
      `install() hooks Node's TCP handles and does not run in ${runtime}; use setKeepAlive(socket, options) there`,
    );
  }
  return installNodeHooks(config);
}

/** Restores the runtime's own socket methods. Sockets already configured keep their options. */
export function uninstall(): boolean {
  return runtime === "node" && uninstallNodeHooks();
}
