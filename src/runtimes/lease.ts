import type { Libc } from "../ffi/libc.ts";

/** An fd to call setsockopt/getsockopt on, and what to do when done with it. */
export interface FdLease {
  fd: number;
  release(): void;
}

/** A runtime's way to reach the OS fd behind a node:net handle; undefined when it has none yet. */
export type HandleFd = (handle: object, libc: Libc) => FdLease | undefined;

export const borrowed = (fd: number): FdLease => ({ fd, release() {} });
