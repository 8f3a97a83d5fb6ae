/**
 * `kahook/undici`: a connector for undici's `new Agent({ connect })` that sets the options on
 * every connection the agent opens, before connect(2), without hooking anything globally.
 *
 * @example
 * ```ts
 * import { Agent, setGlobalDispatcher } from "undici";
 * import { keepAliveConnector } from "kahook/undici";
 *
 * setGlobalDispatcher(new Agent({ connect: keepAliveConnector({ options: { idle: 15_000, count: 4 } }) }));
 * ```
 * @module
 */
import { createRequire } from "node:module";
import type net from "node:net";
import type tls from "node:tls";
import { configFromEnv } from "./config/env.ts";
import { socketsFor, type TcpHandle } from "./fallback/configure.ts";
import { type ClientSettings, SocketPlan } from "./config/plan.ts";
import type { KeepAliveOptions } from "./config/options.ts";
import type { Rule } from "./config/rules.ts";

/**
 * undici's connector types (types/connector.d.ts), restated so that these declarations compile
 * without undici installed; structurally the same, so undici's Agent({ connect }) takes them.
 */
export type UndiciConnectOptions = (tls.ConnectionOptions | net.TcpNetConnectOpts | net.IpcNetConnectOpts) & {
  allowH2?: boolean;
  maxCachedSessions?: number | null;
  socketPath?: string | null;
  timeout?: number | null;
  port?: number;
  keepAlive?: boolean | null;
  keepAliveInitialDelay?: number | null;
};
/** What undici passes a connector for each connection. */
export interface UndiciConnectorOptions {
  hostname: string;
  host?: string;
  protocol: string;
  port: string;
  servername?: string;
  localAddress?: string | null;
  socketPath?: string | null;
  httpSocket?: net.Socket;
}
export type UndiciConnectorCallback = (...args: [null, net.Socket | tls.TLSSocket] | [Error, null]) => void;
/** undici's `buildConnector.connector`: opens one connection and calls back with its socket. */
export type UndiciConnector = (options: UndiciConnectorOptions, callback: UndiciConnectorCallback) => void;
/** undici's `buildConnector`. */
export type BuildConnector = (options?: UndiciConnectOptions) => UndiciConnector;

export interface ConnectorConfig {
  /** The options to set; default: from the environment (TCP_KEEPIDLE, ...), as the preload reads them. */
  options?: KeepAliveOptions;
  /** Options per destination, the first match winning; default: KAHOOK_RULES when the options come from the environment, else none. */
  rules?: readonly Rule[];
  /** undici's own connect options (timeout, TLS, maxCachedSessions, ...), passed to its buildConnector. */
  connect?: UndiciConnectOptions;
  /** The buildConnector of the undici the program uses; default: the one `require("undici")` finds. */
  buildConnector?: BuildConnector;
  /** One stderr line per configured socket and per failure; default: KAHOOK_DEBUG. */
  debug?: boolean;
}

/**
 * Wraps undici's buildConnector, so TLS, connect timeouts and the session cache stay undici's,
 * and configures each socket it opens. In Node all options go on before connect(2) (on each
 * attempt, when happy eyeballs makes several), and idle, interval and count again once connected,
 * because undici's setKeepAlive(true, 60000) resets them then. Bun's handles cannot take a socket
 * and Deno announces no attempts, so there all options go on once connected, after undici's
 * setKeepAlive. Validates the options once, here; a per-socket failure is reported under debug
 * and the connection goes on.
 */
export function keepAliveConnector(config: ConnectorConfig = {}): UndiciConnector {
  const fromEnv = config.options === undefined || config.debug === undefined ? configFromEnv() : undefined;
  const plan = new SocketPlan({
    options: config.options ?? fromEnv!.options,
    // KAHOOK_RULES's options are overlaid on the environment's, so they go only with those.
    rules: config.rules ?? (config.options === undefined ? fromEnv!.rules : []),
    mode: "connect",
    debug: config.debug ?? fromEnv!.debug,
  });
  const { configure, prepareClient } = socketsFor(plan);
  const build = config.buildConnector ?? loadBuildConnector();
  // undici's buildConnector destructures its options: it takes no undefined.
  const connect = build(config.connect ?? {});
  return (options, callback) => {
    // The settings for the attempt kahook prepared before connect(2); none where the runtime allows no such attempt.
    let prepared: ClientSettings | undefined;
    const configureConnected = (connected: net.Socket) => {
      if (prepared) {
        const { label, afterSetKeepAlive } = prepared;
        configure({ target: connected }, `${label} after connect`, afterSetKeepAlive);
      } else {
        const { label, beforeConnect } = plan.clientForPeer(() => ({
          address: connected.remoteAddress,
          port: connected.remotePort,
        }));
        configure({ target: connected }, label, beforeConnect);
      }
    };
    const socket = connect(options, (error, connected) => {
      if (connected) configureConnected(connected as unknown as net.Socket);
      (callback as (...args: unknown[]) => void)(error, connected);
    }) as unknown as net.Socket;
    socket.on("connectionAttempt", (address: string, port: number, family: 4 | 6) => {
      const handle = (socket as unknown as { _handle?: Partial<TcpHandle> })._handle;
      if (typeof handle?.open !== "function") return;
      prepared = plan.clientFor(address, port);
      prepareClient(handle as TcpHandle, family, prepared);
    });
    return socket;
  };
}

/** undici is an optional peer dependency, loaded only when no buildConnector is given. */
function loadBuildConnector(): BuildConnector {
  return (createRequire(import.meta.url)("undici") as { buildConnector: BuildConnector }).buildConnector;
}
