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
import type { buildConnector } from "undici";
import { configFromEnv } from "./env.ts";
import { SocketPlan, type TcpHandle } from "./hooks/plan.ts";
import type { KeepAliveOptions } from "./options.ts";

type BuildConnector = typeof buildConnector;

export interface ConnectorConfig {
  /** The options to set; default: from the environment (TCP_KEEPIDLE, ...), as the preload reads them. */
  options?: KeepAliveOptions;
  /** undici's own connect options (timeout, TLS, maxCachedSessions, ...), passed to its buildConnector. */
  connect?: buildConnector.BuildOptions;
  /** The buildConnector of the undici the program uses; default: the one `require("undici")` finds. */
  buildConnector?: BuildConnector;
  /** One stderr line per configured socket and per failure; default: KAHOOK_DEBUG. */
  debug?: boolean;
}

/**
 * Wraps undici's buildConnector, so TLS, connect timeouts and the session cache stay undici's,
 * and configures each socket it opens: all options before connect(2) (on each attempt, when
 * happy eyeballs makes several), and idle, interval and count again once connected, because
 * undici's setKeepAlive(true, 60000) resets them then. Validates the options once, here;
 * a per-socket failure is reported under debug and the connection goes on.
 */
export function keepAliveConnector(config: ConnectorConfig = {}): buildConnector.connector {
  const fromEnv = config.options === undefined || config.debug === undefined ? configFromEnv() : undefined;
  const plan = new SocketPlan({
    options: config.options ?? fromEnv!.options,
    mode: "connect",
    debug: config.debug ?? fromEnv!.debug,
  });
  const build = config.buildConnector ?? loadBuildConnector();
  const connect = build(config.connect);
  return (options, callback) => {
    const socket = connect(options, (error, connected) => {
      if (connected) reapplyKeepAlive(plan, connected);
      (callback as (...args: unknown[]) => void)(error, connected);
    }) as unknown as net.Socket;
    socket.on("connectionAttempt", (_address: string, _port: number, family: 4 | 6) =>
      plan.prepareClient(handleOf(socket), family),
    );
    return socket;
  };
}

function reapplyKeepAlive(plan: SocketPlan, socket: net.Socket): void {
  const fd = handleOf(socket).fd;
  if (plan.keepAlive.client?.length && fd >= 0) plan.configure(fd, "client after connect", plan.keepAlive.client);
}

/** The handle of a net or TLS socket; a TLS handle forwards fd and open() to its TCP handle. */
const handleOf = (socket: net.Socket) => (socket as unknown as { _handle: TcpHandle })._handle;

/** undici is an optional peer dependency, loaded only when no buildConnector is given. */
function loadBuildConnector(): BuildConnector {
  return (createRequire(import.meta.url)("undici") as { buildConnector: BuildConnector }).buildConnector;
}
