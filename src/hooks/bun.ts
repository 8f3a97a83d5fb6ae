import type net from "node:net";
import { builtin } from "../runtimes/builtin.ts";
import type { RuntimeHooks, Sockets } from "./configure.ts";
import type { ClientSettings } from "./plan.ts";

/** The parts of Bun's own socket API that kahook wraps. */
interface BunSocket {
  readonly fd: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
}
interface BunConnectOptions {
  unix?: string;
  socket: { open?(socket: BunSocket): unknown };
}
interface BunListener {
  readonly fd: number;
}
interface BunServer {
  readonly hostname?: string;
  readonly port?: number;
}
interface BunNet {
  connect(options: BunConnectOptions): Promise<BunSocket>;
  listen(options: { unix?: string }): BunListener;
  serve(options: unknown): BunServer;
}

type NodeMethods = Pick<net.Socket, "connect" | "setKeepAlive">;
type Originals = { node: NodeMethods; bun: Pick<BunNet, "connect" | "listen" | "serve"> };

const ORIGINALS = Symbol.for("kahook.bun.originals");
/** Set on node:net sockets that connected as clients: their settings, chosen by destination once connected, for a later setKeepAlive. */
const CLIENT = Symbol.for("kahook.bun.client");

const bun = (globalThis as unknown as { Bun: BunNet & { [ORIGINALS]?: Originals } }).Bun;
type Socket = net.Socket & { [CLIENT]?: ClientSettings };

/**
 * Bun's node:net creates a client's socket inside its native connect, so the options go on from
 * the 'connect' event, ahead of the program's listeners: right after connect(2), too late for
 * TCP_MAXSEG and TCP_SYNCNT to act and for TCP_WINDOW_CLAMP to shape the SYN. http, https, tls and
 * undici all connect through net.Socket.prototype.connect, named ESM imports included. node:net
 * servers listen through the global Bun.listen, hooked below.
 */
function hookNodeNet({ plan, configure }: Sockets): NodeMethods {
  const socket = builtin("node:net").Socket.prototype as Socket;
  const originals: NodeMethods = { connect: socket.connect, setKeepAlive: socket.setKeepAlive };
  socket.connect = function (this: Socket, ...args: unknown[]) {
    this[CLIENT] = plan.client;
    // The rules match the peer's address, known here once connected.
    this.prependOnceListener("connect", () => {
      const peer = () => ({ address: this.remoteAddress, port: this.remotePort });
      const { label, beforeConnect } = (this[CLIENT] = plan.clientForPeer(peer));
      configure({ target: this }, label, beforeConnect);
    });
    return (originals.connect as (...args: unknown[]) => net.Socket).apply(this, args);
  } as net.Socket["connect"];
  // Bun's setKeepAlive sets its own interval (1 s) and count (10); kahook's configured values are set again after it.
  socket.setKeepAlive = function (this: Socket, enable?: boolean, delay?: number) {
    const result = originals.setKeepAlive.call(this, enable, delay);
    const client = this[CLIENT];
    const settings = client ? client.afterSetKeepAlive : plan.serverAfterSetKeepAlive;
    // Before connect, the 'connect' hook configures the socket after Bun applies this call.
    if (settings?.length && !this.connecting) {
      configure({ target: this }, `${client?.label ?? "accepted"} after setKeepAlive(${enable}, ${delay})`, settings);
    }
    return result;
  };
  return originals;
}

/**
 * Bun.connect and Bun.listen sockets carry `fd`: a client is configured in its open handler, right
 * after connect(2); a listener right after listen(2). Bun.serve, which node:http's server is built
 * on, exposes no fd: its listener is found by address (findFd), also right after listen(2).
 */
function hookBunNet({ plan, configure }: Sockets): Originals["bun"] {
  const originals = { connect: bun.connect, listen: bun.listen, serve: bun.serve };
  bun.connect = function (options) {
    if (options.unix !== undefined) return originals.connect.call(this, options);
    const { open } = options.socket;
    const socket = {
      ...options.socket,
      open(connected: BunSocket) {
        const { label, beforeConnect } = plan.clientForPeer(() => ({
          address: connected.remoteAddress,
          port: connected.remotePort,
        }));
        configure({ fd: connected.fd }, label, beforeConnect);
        return open?.call(this, connected);
      },
    };
    return originals.connect.call(this, { ...options, socket });
  };
  bun.listen = function (options) {
    const listener = originals.listen.call(this, options);
    if (plan.server && options.unix === undefined) configure({ fd: listener.fd }, "server", plan.server);
    return listener;
  };
  bun.serve = function (options) {
    const server = originals.serve.call(this, options);
    if (plan.server && server.port) {
      configure({ addresses: { local: { address: server.hostname ?? "", port: server.port } } }, "server", plan.server);
    }
    return server;
  };
  return originals;
}

/** Bun: node:net clients at net.Socket's prototype, and Bun's own connect, listen and serve. */
export const bunHooks: RuntimeHooks = {
  install(sockets) {
    if (bun[ORIGINALS]) return false;
    bun[ORIGINALS] = { node: hookNodeNet(sockets), bun: hookBunNet(sockets) };
    return true;
  },
  uninstall() {
    const originals = bun[ORIGINALS];
    if (!originals) return false;
    Object.assign(builtin("node:net").Socket.prototype, originals.node);
    Object.assign(bun, originals.bun);
    delete bun[ORIGINALS];
    return true;
  },
};
