/**
 * kahook: TCP keepalive, TCP_USER_TIMEOUT and friends for Node, Bun and Deno, set through
 * FFI with setsockopt(2), so that connections to a peer that vanished behind a NAT or load
 * balancer fail within a bound you choose instead of hanging for hours.
 *
 * @example
 * ```ts
 * import net from "node:net";
 * import { getKeepAlive, setKeepAlive } from "kahook";
 *
 * const socket = net.connect(5432, "127.0.0.1", () => {
 *   setKeepAlive(socket, { enable: true, idle: 15_000, interval: 15_000, count: 4, userTimeout: 75_000 });
 *   console.log(getKeepAlive(socket));
 * });
 * ```
 * @module
 */
export { getKeepAlive, setKeepAlive, type Target } from "./src/api/keepalive.ts";
export { type Config, configFromEnv, type Env, type Mode } from "./src/config/env.ts";
export { KahookError, type KahookErrorCode } from "./src/host/errors.ts";
export {
  compileOptions,
  deriveUserTimeout,
  type KeepAliveOptions,
  type KeepAliveState,
  type Setting,
} from "./src/config/options.ts";
export { type HookConfig, install, uninstall } from "./src/process/install.ts";
export type { Rule } from "./src/config/rules.ts";
export type { OptionName, Platform, SocketOption } from "./src/sys/platform.ts";
export { SOCKET_CHANNEL, type SocketEvent } from "./src/observe/channel.ts";
export { type Stats, stats } from "./src/observe/stats.ts";
export type { Cause } from "./src/abi/figures.ts";
export type { KeptOption } from "./src/abi/words.ts";
