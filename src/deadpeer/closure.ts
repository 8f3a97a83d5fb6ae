import type net from "node:net";

/** How and when a socket ended. */
export interface Closure {
  /** ms from the given start to the socket's first 'error' or 'close' event. */
  afterMs: number;
  /** The error's code, such as "ETIMEDOUT"; undefined when the socket closed without an error. */
  code: string | undefined;
}

/** Resolves at the socket's first 'error' or 'close' event, and keeps later errors from throwing. */
export function watchClosure(socket: net.Socket, since: number): Promise<Closure> {
  return new Promise((resolve) => {
    const end = (code: string | undefined) => resolve({ afterMs: performance.now() - since, code });
    socket.on("error", (error: NodeJS.ErrnoException) => end(error.code ?? error.name));
    socket.once("close", () => end(undefined));
  });
}

/** The promise's value, or undefined when it has not settled within `ms` milliseconds. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms, undefined);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
