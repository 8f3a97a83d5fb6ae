import type { Libc } from "../ffi/libc.ts";

/** An fd to call setsockopt/getsockopt on, and what to do when done with it. */
export interface FdLease {
  fd: number;
  release(): void;
}

/** A runtime's way to reach the OS fd behind a node:net handle; undefined when it has none yet. */
export type HandleFd = (handle: object, libc: Libc) => FdLease | undefined;

export const borrowed = (fd: number): FdLease => ({ fd, release() {} });

/**
 * Node and Bun: TCP and TLS handles carry `fd`. It is -1 before connect(2) creates the socket;
 * Bun's accepted sockets have it from the 'connection' event on.
 */
export const propertyFd: HandleFd = (handle) => {
  const fd = (handle as { fd?: unknown }).fd;
  return typeof fd === "number" && fd >= 0 ? borrowed(fd) : undefined;
};
