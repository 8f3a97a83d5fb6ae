import { borrowed, type HandleFd } from "./lease.ts";

/**
 * Node and Bun: TCP and TLS handles carry `fd`. It is -1 before connect(2) creates the socket;
 * Bun's accepted sockets have it from the 'connection' event on.
 */
export const handleFd: HandleFd = (handle) => {
  const fd = (handle as { fd?: unknown }).fd;
  return typeof fd === "number" && fd >= 0 ? borrowed(fd) : undefined;
};
