import net from "node:net";
import { KahookError, show } from "../errors.ts";
import type { Libc } from "../ffi/libc.ts";
import { runtime } from "../runtime.ts";
import { handleFd as denoHandleFd } from "./deno.ts";
import { borrowed, type FdLease, type HandleFd } from "./lease.ts";
import { handleFd as nodeHandleFd } from "./node.ts";

export type { FdLease } from "./lease.ts";

/** What setKeepAlive and getKeepAlive accept: a socket (TLS too), a server, or a raw fd. */
export type Target = net.Socket | net.Server | number;

const handleFds: Record<typeof runtime, HandleFd> = { deno: denoHandleFd, bun: nodeHandleFd, node: nodeHandleFd };
const handleFd = handleFds[runtime];

/** Reaches the OS fd of a target. Release the lease when done: in Deno it is a dup. */
export function leaseFd(target: Target, libc: Libc): FdLease {
  if (typeof target === "number") {
    if (Number.isInteger(target) && target >= 0) return borrowed(target);
    throw new KahookError("KAHOOK_ERR_INVALID_TARGET", `invalid file descriptor: ${show(target)}`);
  }
  const isSocket = target instanceof net.Socket;
  if (!isSocket && !(target instanceof net.Server)) {
    throw new KahookError(
      "KAHOOK_ERR_INVALID_TARGET",
      `expected a net.Socket, tls.TLSSocket, net.Server or file descriptor; got ${describe(target)}`,
    );
  }
  const handle = (target as unknown as { _handle?: object | null })._handle;
  const lease = handle ? handleFd(handle, libc) : undefined;
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

function describe(value: unknown): string {
  if (value === null || typeof value !== "object") return show(value);
  return value.constructor?.name ?? "object";
}
