import net from "node:net";
import { type HookConfig, SocketPlan, type TcpHandle } from "./plan.ts";

/** The methods of Node's TCP handle prototype that the hooks wrap. */
interface TcpMethods {
  connect(this: TcpHandle, ...args: unknown[]): number;
  connect6(this: TcpHandle, ...args: unknown[]): number;
  listen(this: TcpHandle, ...args: unknown[]): number;
  /** uv_tcp_keepalive: SO_KEEPALIVE, and TCP_KEEPIDLE = delay s with libuv's own interval and count. */
  setKeepAlive(this: TcpHandle, enable: boolean, delaySeconds: number): number;
}

type TcpPrototype = TcpMethods & { [ORIGINALS]?: TcpMethods };

// Symbol.for, so that two copies of kahook loaded in one process see each other's hooks.
const ORIGINALS = Symbol.for("kahook.node.tcp.originals");
/** Set on handles that connected as clients, so a later setKeepAlive knows the direction. */
const CLIENT = Symbol.for("kahook.node.tcp.client");

let prototype: TcpPrototype | undefined;

/**
 * The prototype every Node TCP handle shares, reached without process.binding: connect()
 * creates the handle at once but makes no system call until the next tick, and destroy()
 * comes first.
 */
export function tcpPrototype(): TcpPrototype {
  if (prototype) return prototype;
  const probe = new net.Socket();
  probe.connect({ port: 9, host: "127.0.0.1" });
  prototype = Object.getPrototypeOf((probe as unknown as { _handle: object })._handle) as TcpPrototype;
  probe.destroy();
  return prototype;
}

/**
 * Wraps connect, connect6, listen and setKeepAlive on the TCP handle prototype, which every
 * client and server in the process goes through: net, http, https, tls, fetch, undici, and
 * named ESM imports alike. Validates the options first and throws KahookError if they are
 * invalid or the FFI cannot load; after that nothing throws into the program.
 * Returns false, doing nothing, when hooks are already installed.
 */
export function installNodeHooks(config: HookConfig): boolean {
  const proto = tcpPrototype();
  if (proto[ORIGINALS]) return false;
  const plan = new SocketPlan(config);
  const originals: TcpMethods = {
    connect: proto.connect,
    connect6: proto.connect6,
    listen: proto.listen,
    setKeepAlive: proto.setKeepAlive,
  };
  const connectAs = (ipVersion: 4 | 6, connect: TcpMethods["connect"]): TcpMethods["connect"] =>
    function (this: TcpHandle & { [CLIENT]?: true }, ...args) {
      this[CLIENT] = true;
      plan.prepareClient(this, ipVersion);
      return connect.apply(this, args);
    };
  proto.connect = connectAs(4, originals.connect);
  proto.connect6 = connectAs(6, originals.connect6);
  proto.listen = function (...args) {
    if (plan.server) plan.configure(this.fd, "server", plan.server);
    return originals.listen.apply(this, args);
  };
  // A setKeepAlive call (the program's, http.Agent's, fetch's) resets idle, interval and count
  // to Node's; kahook sets its configured values again right after, so they stay in force.
  proto.setKeepAlive = function (this: TcpHandle & { [CLIENT]?: true }, enable, delaySeconds) {
    const result = originals.setKeepAlive.call(this, enable, delaySeconds);
    const settings = plan.keepAlive[this[CLIENT] ? "client" : "server"];
    if (settings?.length && this.fd >= 0) {
      plan.configure(this.fd, `${this[CLIENT] ? "client" : "accepted"} after setKeepAlive(${enable}, ${delaySeconds})`, settings);
    }
    return result;
  };
  proto[ORIGINALS] = originals;
  return true;
}

/** Puts the original methods back. Sockets already configured keep their options. Returns false if none were installed. */
export function uninstallNodeHooks(): boolean {
  const proto = tcpPrototype();
  const originals = proto[ORIGINALS];
  if (!originals) return false;
  Object.assign(proto, originals);
  delete proto[ORIGINALS];
  return true;
}
