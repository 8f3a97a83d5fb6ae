import { setSettings } from "../ffi/settings.ts";
import { leaseFd, type Target } from "../fd/index.ts";
import { borrowed, type FdLease } from "../runtimes/lease.ts";
import { type Addresses, findFd } from "../fd/match.ts";
import type { KahookError } from "../host/errors.ts";
import { type Libc, loadLibc } from "../runtimes/libc.ts";
import { observeSocket } from "../observe/channel.ts";
import type { Setting } from "../config/options.ts";
import { adapter } from "../runtimes/index.ts";
import { reportLine } from "../host/report.ts";
import { currentPlatform, errnoName } from "../sys/index.ts";
import type { ClientSettings, SocketPlan } from "../config/plan.ts";

/**
 * A socket as a hook knows it: by fd; by a node:net handle (its fd reached through the runtime's
 * handleFd); by a node:net socket or server; or by its addresses, for the sockets whose runtime
 * exposes no fd (found by fd/match.ts's walk).
 */
export type SocketRef = { fd: number } | { handle: object } | { target: Target } | { addresses: Addresses };

/**
 * The part of a libuv-style TCP handle (Node's tcp_wrap, or a TLS handle that forwards to one;
 * Deno's node:net handle has the same methods) that kahook calls. Its fd is reached through the
 * runtime's handleFd: Node's `fd`, -1 until connect, bind or open gives it a socket; Deno's fdForIpc().
 */
export interface TcpHandle {
  /** uv_tcp_open: the handle takes over fd. 0, or a negative libuv error. */
  open(fd: number): number;
}

/** What the hooks call for each socket: install() builds it from the plan. */
export interface Sockets {
  readonly plan: SocketPlan;
  /**
   * Sets the settings on a socket. Never throws: a failed setsockopt, and a socket whose fd
   * cannot be reached, are reported under KAHOOK_DEBUG and counted; the socket keeps the runtime's settings.
   */
  configure(socket: SocketRef, label: string, settings: readonly Setting[]): void;
  /**
   * Configures a client handle just before its connect(2). libuv creates the socket inside
   * connect, too late for TCP_MAXSEG, TCP_WINDOW_CLAMP and TCP_SYNCNT to shape the SYN, so
   * when the handle has no socket yet kahook creates one and hands it over with open().
   * The options are set after open(): if the program called setKeepAlive before connect,
   * open() sets libuv's keepalive values (idle 60 s) and kahook's must come after them.
   * If socket() or open() fails, the handle is left alone and libuv creates its socket as usual.
   */
  prepareClient(handle: TcpHandle, ipVersion: 4 | 6, settings: ClientSettings): void;
}

/** One runtime's JavaScript hooks. */
export interface RuntimeHooks {
  /** Hooks every socket the program opens from now on; false, doing nothing, if already installed. */
  install(sockets: Sockets): boolean;
  /** Restores the runtime's own methods; false if none were installed. */
  uninstall(): boolean;
}

/** "SO_KEEPALIVE=1 TCP_KEEPIDLE=15 ...": the constants and kernel-unit values, as set. */
function describe(settings: readonly Setting[]): string {
  return settings.map(({ socketOption, value }) => `${socketOption.constant}=${value}`).join(" ");
}

/** The fd of a socket, or why there is none. */
function lease(socket: SocketRef, libc: Libc): FdLease | string {
  if ("fd" in socket) return borrowed(socket.fd);
  if ("handle" in socket) return adapter.handleFd(socket.handle, libc) ?? "the handle has no socket yet";
  if ("target" in socket) {
    try {
      return leaseFd(socket.target, libc);
    } catch (error) {
      return (error as Error).message;
    }
  }
  const fd = findFd(libc, currentPlatform(), socket.addresses);
  return fd === undefined ? `no socket has the addresses ${JSON.stringify(socket.addresses)}` : borrowed(fd);
}

/** The Sockets of a plan. libc loads on the first socket, not at start-up (koffi costs Node 8–15 ms). */
export function socketsFor(plan: SocketPlan): Sockets {
  const report = plan.debug ? reportLine : () => {};
  const platform = currentPlatform();
  let loaded: Libc | null | undefined;
  // If libc cannot load, one line says so, whatever KAHOOK_DEBUG, and the program runs on unconfigured.
  const libc = (): Libc | null => {
    if (loaded === undefined) {
      try {
        loaded = loadLibc();
      } catch (error) {
        loaded = null;
        reportLine(`not active: ${(error as Error).message}; sockets keep the runtime's settings`);
      }
    }
    return loaded;
  };
  const configure: Sockets["configure"] = (socket, label, settings) => {
    const c = settings.length > 0 ? libc() : null;
    if (!c) return;
    const found = lease(socket, c);
    if (typeof found === "string") return report(`${label}: ${found}`);
    try {
      setSettings(c, found.fd, settings);
      observeSocket(found.fd, label, settings);
      report(`fd ${found.fd} ${label}: ${describe(settings)}`);
    } catch (error) {
      observeSocket(found.fd, label, settings, error as KahookError);
      report(`fd ${found.fd} ${label}: ${(error as Error).message}`);
    } finally {
      found.release();
    }
  };
  const prepareClient: Sockets["prepareClient"] = (handle, ipVersion, { label, beforeConnect: settings }) => {
    const c = settings.length > 0 ? libc() : null;
    if (!c) return;
    const existing = adapter.handleFd(handle, c);
    if (existing) {
      // Bound already (localAddress): the socket exists, and connect(2) is still to come.
      try {
        return configure({ fd: existing.fd }, label, settings);
      } finally {
        existing.release();
      }
    }
    const { family, type } = platform.tcpSocket;
    const fd = c.socket(family[ipVersion], type, 0);
    if (fd < 0) return report(`${label}: socket() failed: ${errnoName(platform, -fd)}`);
    const uvError = handle.open(fd);
    if (uvError !== 0) {
      c.close(fd);
      return report(`fd ${fd} ${label}: the handle refused it (libuv error ${uvError})`);
    }
    configure({ fd }, label, settings);
  };
  return { plan, configure, prepareClient };
}
