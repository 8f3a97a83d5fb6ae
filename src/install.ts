import { configFromEnv } from "./env.ts";
import { bunHooks } from "./hooks/bun.ts";
import { denoHooks } from "./hooks/deno.ts";
import { nodeHooks } from "./hooks/node.ts";
import { type HookConfig, type RuntimeHooks, SocketPlan } from "./hooks/plan.ts";
import { runtime } from "./runtime.ts";

export type { HookConfig } from "./hooks/plan.ts";

const hooks: Record<typeof runtime, RuntimeHooks> = { deno: denoHooks, bun: bunHooks, node: nodeHooks };

/**
 * Configures every TCP socket the program opens from now on, in Node, Bun and Deno (see the
 * README's runtime table for what each covers). Without an argument the configuration comes
 * from the environment (TCP_KEEPIDLE, ..., KAHOOK_MODE, KAHOOK_DEBUG). Throws KahookError for
 * invalid options; never afterwards. The FFI loads with the first socket; if it cannot, one
 * stderr line says so and sockets are left as the runtime makes them. Installing again does
 * nothing and returns false.
 */
export function install(config: HookConfig = configFromEnv()): boolean {
  return hooks[runtime].install(new SocketPlan(config));
}

/** Restores the runtime's own socket methods. Sockets already configured keep their options. */
export function uninstall(): boolean {
  return hooks[runtime].uninstall();
}
