import type net from "node:net";
import { builtin } from "../host/builtin.ts";
import type { RuntimeHooks, Sockets } from "./configure.ts";
import { afterSetKeepAlive, replaceMethods, restoreMethods } from "./patch.ts";
import type { ClientSettings } from "../config/plan.ts";

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

// Symbol.for, so that two copies of kahook loaded in one process see each other's hooks.
const NODE_ORIGINALS = Symbol.for("kahook.bun.node.originals");
const BUN_ORIGINALS = Symbol.for("kahook.bun.originals");
/** Set on node:net sockets that connected as clients: their settings, chosen by destination once connected, for a later setKeepAlive. */
const CLIENT = Symbol.for("kahook.bun.client");

const bun = (globalThis as unknown as { Bun: BunNet }).Bun;
type Socket = net.Socket & { [CLIENT]?: ClientSettings };
const socketPrototype = () => builtin("node:net").Socket.prototype as Socket;

/**
 * Bun's node:net creates a client's socket inside its native connect, so the options go on from
 * the 'connect' event, ahead of the program's listeners: right after connect(2), too late for
 * TCP_MAXSEG and TCP_SYNCNT to act and for TCP_WINDOW_CLAMP to shape the SYN. http, https, tls and
 * undici all connect through net.Socket.prototype.connect, named ESM imports included. node:net
 * servers listen through the global Bun.listen, hooked below.
 */
function hookNodeNet({ plan, configure }: Sockets): boolean {
  return replaceMethods(socketPrototype(), NODE_ORIGINALS, ["connect", "setKeepAlive"], (originals) => ({
    connect: function (this: Socket, ...args: unknown[]) {
      this[CLIENT] = plan.client;
      // The rules match the peer's address, known here once connected.
      this.prependOnceListener("connect", () => {
        const peer = () => ({ address: this.remoteAddress, port: this.remotePort });
        const { label, beforeConnect } = (this[CLIENT] = plan.clientForPeer(peer));
        configure({ target: this }, label, beforeConnect);
      });
      return (originals.connect as (...args: unknown[]) => net.Socket).apply(this, args);
    } as net.Socket["connect"],
    // Bun's setKeepAlive sets its own interval (1 s) and count (10); kahook's configured values are set again after it.
    setKeepAlive(this: Socket, enable?: boolean, delay?: number) {
      const result = originals.setKeepAlive.call(this, enable, delay);
      const { label, settings } = afterSetKeepAlive(plan, this[CLIENT], enable, delay);
      // Before connect, the 'connect' hook configures the socket after Bun applies this call.
      if (settings.length && !this.connecting) configure({ target: this }, label, settings);
      return result;
    },
  }));
}

/**
 * Bun.connect and Bun.listen sockets carry `fd`: a client is configured in its open handler, right
 * after connect(2); a listener right after listen(2). Bun.serve, which node:http's server is built
 * on, exposes no fd: its listener is found by address (findFd), also right after listen(2).
 */
function hookBunNet({ plan, configure }: Sockets): boolean {
  return replaceMethods(bun, BUN_ORIGINALS, ["connect", "listen", "serve"], (originals) => ({
    connect(options) {
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
    },
    listen(options) {
      const listener = originals.listen.call(this, options);
      if (plan.server && options.unix === undefined) configure({ fd: listener.fd }, "server", plan.server);
      return listener;
    },
    serve(options) {
      const server = originals.serve.call(this, options);
      if (plan.server && server.port) {
        const local = { address: server.hostname ?? "", port: server.port };
        configure({ addresses: { local } }, "server", plan.server);
      }
      return server;
    },
  }));
}

/** Bun: node:net clients at net.Socket's prototype, and Bun's own connect, listen and serve. */
export const bunHooks: RuntimeHooks = {
  install: (sockets) => hookNodeNet(sockets) && hookBunNet(sockets),
  uninstall: () => restoreMethods(socketPrototype(), NODE_ORIGINALS) && restoreMethods(bun, BUN_ORIGINALS),
};
