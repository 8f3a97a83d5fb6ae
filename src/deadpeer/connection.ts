import net from "node:net";
import { setKeepAlive } from "../api/keepalive.ts";
import type { KeepAliveOptions } from "../config/options.ts";
import { type Closure, watchClosure } from "./closure.ts";
import { dropAllTraffic } from "./filter.ts";
import { type Liveness, readLiveness } from "./liveness.ts";

export const LOOPBACK = "127.0.0.1";

export interface VanishingOptions {
  /** The end that vanishes: its socket drops every packet once the connection is up. The other end watches. */
  vanishes: "server" | "client";
  /**
   * Set with setKeepAlive on the watching end: on the client socket, or on the listening socket
   * (whose accepted sockets inherit it) when the client vanishes. Absent: the connection runs
   * on the system's defaults, as without kahook.
   */
  options?: KeepAliveOptions;
  /** Bytes the watching end writes once its peer has vanished; they stay unacknowledged. */
  pendingBytes?: number;
}

/** A loopback connection whose one end has vanished. */
export interface VanishingConnection {
  /** The end waiting on a silent peer: the client, or the server's accepted socket. */
  watcher: net.Socket;
  /** performance.now() when the peer vanished, right after the connection was established. */
  since: number;
  /** When and how the watcher's socket ended. */
  closed: Promise<Closure>;
  /** The watcher's TCP_INFO; undefined once its socket is closed. */
  info(): Liveness | undefined;
  /** Ends both sockets and the server. */
  close(): void;
}

/** Listens on an ephemeral loopback port. */
export function listenLoopback(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** The server's next accepted socket. Errors on it are left to whoever watches it. */
export function nextConnection(server: net.Server): Promise<net.Socket> {
  return new Promise((resolve) => server.once("connection", resolve));
}

/**
 * Connects a client to a loopback server, sets the options on the watching end, and makes the
 * other end vanish (dropAllTraffic). Needs CAP_NET_ADMIN, as dropAllTraffic does.
 */
export async function vanishingConnection(
  { vanishes, options, pendingBytes }: VanishingOptions,
): Promise<VanishingConnection> {
  const server = net.createServer();
  const accepted = nextConnection(server);
  const port = await listenLoopback(server);
  if (options && vanishes === "client") setKeepAlive(server, options);
  const client = net.connect(port, LOOPBACK);
  const sockets = [client];
  const close = () => {
    for (const socket of sockets) socket.destroy();
    server.close();
  };
  try {
    await new Promise((resolve, reject) => client.once("connect", resolve).once("error", reject));
    sockets.push(await accepted);
    const [watcher, peer] = vanishes === "server" ? sockets : [sockets[1], sockets[0]];
    // The vanished end's sockets are destroyed without a word; an error there means nothing.
    peer.on("error", () => {});
    if (options && vanishes === "server") setKeepAlive(client, options);
    dropAllTraffic(peer);
    const since = performance.now();
    const closed = watchClosure(watcher, since);
    if (pendingBytes) watcher.write(new Uint8Array(pendingBytes));
    const info = () => (watcher.destroyed ? undefined : readLiveness(watcher));
    return { watcher, since, closed, info, close };
  } catch (error) {
    close();
    throw error;
  }
}
