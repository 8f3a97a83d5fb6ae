import type { Endpoint } from "../fd/match.ts";
import { type ClientHook, installTcpHooks, uninstallTcpHooks } from "./node.ts";
import type { RuntimeHooks, Sockets } from "./configure.ts";
import { replaceMethods, restoreMethods } from "./patch.ts";

/** Deno.NetAddr, and Deno.UnixAddr, which has no port. */
interface NetAddr {
  transport: string;
  hostname: string;
  port: number;
}

interface DenoNet {
  connect(options: unknown): Promise<{ localAddr: NetAddr; remoteAddr: NetAddr }>;
  listen(options: unknown): { addr: NetAddr };
}

// Symbol.for, so that two copies of kahook loaded in one process see each other's hooks.
const ORIGINALS = Symbol.for("kahook.deno.originals");
const deno = (globalThis as unknown as { Deno: DenoNet }).Deno;

const endpoint = ({ hostname, port }: NetAddr): Endpoint => ({ address: hostname, port });

/**
 * Deno's node:net handle makes its own socket inside connect (one handed over with open() is
 * dropped), so a client gets the options when connect(2) completes, before node:net sees it and
 * emits 'connect': too late for TCP_MAXSEG and TCP_SYNCNT to act and for TCP_WINDOW_CLAMP to shape
 * the SYN. Listening sockets get them before listen(2), as in Node.
 */
const onConnected: ClientHook = (sockets, handle, _ipVersion, request, { label, beforeConnect }) => {
  if (beforeConnect.length === 0) return;
  const complete = request.oncomplete;
  request.oncomplete = function (status, ...rest) {
    if (status === 0) sockets.configure({ handle }, label, beforeConnect);
    return complete.call(this, status, ...rest);
  };
};

/**
 * Deno.connect and Deno.listen open sockets in Rust and expose no fd, so kahook finds each one
 * by its addresses (findFd) once it exists: a client right after connect(2), which is too late for
 * TCP_MAXSEG and TCP_SYNCNT to act and for TCP_WINDOW_CLAMP to shape the SYN; a listener right
 * after listen(2), before the program can accept from it, so accepted sockets inherit.
 */
function installDenoNetHooks({ plan, configure }: Sockets): boolean {
  return replaceMethods(deno, ORIGINALS, ["connect", "listen"], (originals) => ({
    connect(options) {
      return originals.connect.call(this, options).then((conn) => {
        const { label, beforeConnect } = plan.clientForPeer(() => ({
          address: conn.remoteAddr.hostname,
          port: conn.remoteAddr.port,
        }));
        if (conn.remoteAddr.transport === "tcp") {
          const addresses = { local: endpoint(conn.localAddr), remote: endpoint(conn.remoteAddr) };
          configure({ addresses }, label, beforeConnect);
        }
        return conn;
      });
    },
    listen(options) {
      const listener = originals.listen.call(this, options);
      if (plan.server && listener.addr.transport === "tcp") {
        configure({ addresses: { local: endpoint(listener.addr) } }, "server", plan.server);
      }
      return listener;
    },
  }));
}

/** Deno: node:net through the TCP handle hooks it shares with Node, plus Deno.connect and Deno.listen. */
export const denoHooks: RuntimeHooks = {
  install: (sockets) => installTcpHooks(sockets, onConnected) && installDenoNetHooks(sockets),
  uninstall: () => uninstallTcpHooks() && restoreMethods(deno, ORIGINALS),
};
