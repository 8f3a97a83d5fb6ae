import type net from "node:net";
import { KahookError, show } from "../host/errors.ts";
import type { Libc } from "../ffi/libc.ts";
import { adapter } from "../runtimes/index.ts";
import { builtin } from "../host/builtin.ts";
import { currentPlatform } from "../sys/index.ts";
import { borrowed, type FdLease } from "../runtimes/lease.ts";
import { type Addresses, findFd } from "./match.ts";

export type { FdLease } from "../runtimes/lease.ts";

/** What setKeepAlive and getKeepAlive accept: a socket (TLS too), a server, or a raw fd. */
export type Target = net.Socket | net.Server | number;

/** Reaches the OS fd of a target. Release the lease when done: in Deno it is a dup. */
export function leaseFd(target: Target, libc: Libc): FdLease {
  if (typeof target === "number") {
    if (Number.isInteger(target) && target >= 0) return borrowed(target);
    throw new KahookError("KAHOOK_ERR_INVALID_TARGET", `invalid file descriptor: ${show(target)}`);
  }
  const isSocket = target instanceof builtin("node:net").Socket;
  if (!isSocket && !isServer(target)) {
    throw new KahookError(
      "KAHOOK_ERR_INVALID_TARGET",
      `expected a net.Socket, tls.TLSSocket, net.Server or file descriptor; got ${describe(target)}`,
    );
  }
  const handle = (target as unknown as { _handle?: object | null })._handle;
  const lease = (handle ? adapter.handleFd(handle, libc) : undefined) ?? leaseByAddress(target, libc);
  if (!lease) {
    throw new KahookError(
      "KAHOOK_ERR_NO_FD",
      isSocket
        ? "the socket has no file descriptor: it is not connected yet, or already closed (call from the 'connect' event)"
        : "the server has no file descriptor: it is not listening yet, or already closed (call from the 'listening' event)",
    );
  }
  return lease;
}

/** net.Server, or Bun's node:http server, which is built on Bun.serve rather than on net.Server. */
function isServer(target: unknown): target is net.Server {
  if (target instanceof builtin("node:net").Server) return true;
  const server = target as Partial<net.Server> | null;
  return typeof server?.listen === "function" && typeof server.address === "function" &&
    typeof server.close === "function";
}

/** The sockets whose handle has no fd (those of Bun's node:http server) are found by their addresses. */
function leaseByAddress(target: net.Socket | net.Server, libc: Libc): FdLease | undefined {
  const addresses = addressesOf(target);
  const fd = addresses && findFd(libc, currentPlatform(), addresses);
  return fd === undefined ? undefined : borrowed(fd);
}

function addressesOf(target: net.Socket | net.Server): Addresses | undefined {
  if (target instanceof builtin("node:net").Socket) {
    const { localAddress, localPort, remoteAddress, remotePort } = target;
    if (!localAddress || !localPort || !remoteAddress || !remotePort) return undefined;
    return { local: { address: localAddress, port: localPort }, remote: { address: remoteAddress, port: remotePort } };
  }
  const local = target.address();
  // null before listening; a string for a unix socket or pipe.
  return local && typeof local === "object" ? { local } : undefined;
}

function describe(value: unknown): string {
  if (value === null || typeof value !== "object") return show(value);
  return value.constructor?.name ?? "object";
}
