import type net from "node:net";
import { builtin } from "../host/builtin.ts";
import type { RuntimeHooks, Sockets, TcpHandle } from "./configure.ts";
import { afterSetKeepAlive, replaceMethods, restoreMethods } from "./patch.ts";
import type { ClientSettings } from "../config/plan.ts";

/** The methods of Node's TCP handle prototype that the hooks wrap. */
interface TcpMethods {
  connect(this: TcpHandle, ...args: unknown[]): number;
  connect6(this: TcpHandle, ...args: unknown[]): number;
  listen(this: TcpHandle, ...args: unknown[]): number;
  /** uv_tcp_keepalive: SO_KEEPALIVE, and TCP_KEEPIDLE = delay s with libuv's own interval and count. */
  setKeepAlive(this: TcpHandle, enable: boolean, delaySeconds: number): number;
}

type TcpPrototype = TcpMethods;

// Symbol.for, so that two copies of kahook loaded in one process see each other's hooks.
const ORIGINALS = Symbol.for("kahook.node.tcp.originals");
/** Set on handles that connected as clients: their settings, chosen by destination, for a later setKeepAlive. */
const CLIENT = Symbol.for("kahook.node.tcp.client");

type Handle = TcpHandle & { [CLIENT]?: ClientSettings };

let prototype: TcpPrototype | undefined;

/** The Node channel on which every net.Socket's connect() is published (Node 22 on). */
const CLIENT_CHANNEL = "net.client.socket";

/**
 * The prototype every Node TCP handle shares, reached without process.binding and without a
 * system call. A socket's connect() creates the handle at once and makes no system call until
 * the next tick, and destroy() comes first; but connect() is published on net.client.socket, so
 * where anyone subscribes there (an APM agent loaded first), the handle comes instead from an
 * unconnected TLS socket, which wraps one of its own: no connection to see, for 5–15 ms more.
 */
export function tcpPrototype(): TcpPrototype {
  if (prototype) return prototype;
  let handle: object;
  if (builtin("node:diagnostics_channel").hasSubscribers(CLIENT_CHANNEL)) {
    const unconnected = new (builtin("node:tls").TLSSocket)(undefined as unknown as net.Socket);
    handle = (unconnected as unknown as { _handle: { _parent: object } })._handle._parent;
    unconnected.destroy();
  } else {
    const probe = new (builtin("node:net").Socket)();
    probe.connect({ port: 9, host: "127.0.0.1" });
    handle = (probe as unknown as { _handle: object })._handle;
    probe.destroy();
  }
  prototype = Object.getPrototypeOf(handle) as TcpPrototype;
  return prototype;
}

/** The request connect(req, address, port) takes; oncomplete(status, ...) runs once connect(2) is done. */
export interface ConnectRequest {
  oncomplete(status: number, ...rest: unknown[]): unknown;
}

/** How a runtime configures a client handle whose connect is being called, with the settings for its destination. */
export type ClientHook = (
  sockets: Sockets,
  handle: TcpHandle,
  ipVersion: 4 | 6,
  request: ConnectRequest,
  settings: ClientSettings,
) => void;

/** Node: all options before connect(2), on a socket kahook creates and hands to the handle. */
const beforeConnect: ClientHook = (sockets, handle, ipVersion, _request, settings) =>
  sockets.prepareClient(handle, ipVersion, settings);

/**
 * Wraps connect, connect6, listen and setKeepAlive on the TCP handle prototype, which every
 * client and server in the process goes through: net, http, https, tls, fetch, undici, and
 * named ESM imports alike. Nothing here throws into the program.
 * Deno's node:net runs on a native handle with the same methods, so these hooks serve Deno too,
 * with its own client hook; there the fd comes from fdForIpc(), a dup.
 * Returns false, doing nothing, when hooks are already installed.
 */
export function installTcpHooks(sockets: Sockets, clientHook: ClientHook): boolean {
  const { plan } = sockets;
  return replaceMethods(tcpPrototype(), ORIGINALS, ["connect", "connect6", "listen", "setKeepAlive"], (originals) => {
    // connect(req, address, port): the address is resolved already, so the rules can match it before connect(2).
    const connectAs = (ipVersion: 4 | 6, connect: TcpMethods["connect"]): TcpMethods["connect"] =>
      function (this: Handle, ...args) {
        const settings = plan.clientFor(args[1] as string, args[2] as number);
        this[CLIENT] = settings;
        clientHook(sockets, this, ipVersion, args[0] as ConnectRequest, settings);
        return connect.apply(this, args);
      };
    return {
      connect: connectAs(4, originals.connect),
      connect6: connectAs(6, originals.connect6),
      listen(...args) {
        if (plan.server) sockets.configure({ handle: this }, "server", plan.server);
        return originals.listen.apply(this, args);
      },
      // A setKeepAlive call (the program's, http.Agent's, fetch's) resets idle, interval and count
      // to Node's; kahook sets its configured values again right after, so they stay in force.
      setKeepAlive(this: Handle, enable, delaySeconds) {
        const result = originals.setKeepAlive.call(this, enable, delaySeconds);
        const { label, settings } = afterSetKeepAlive(plan, this[CLIENT], enable, delaySeconds);
        if (settings.length) sockets.configure({ handle: this }, label, settings);
        return result;
      },
    };
  });
}

/** Puts the original methods back. Sockets already configured keep their options. Returns false if none were installed. */
export const uninstallTcpHooks = (): boolean => restoreMethods(tcpPrototype(), ORIGINALS);

/** Node: every TCP socket goes through the handle prototype. */
export const nodeHooks: RuntimeHooks = {
  install: (sockets) => installTcpHooks(sockets, beforeConnect),
  uninstall: uninstallTcpHooks,
};
