import type { HandleFd } from "./lease.ts";

interface DenoHandle {
  fdForIpc?: () => number;
  /** A TLS handle wraps the TCP handle that owns the fd. */
  _parent?: DenoHandle;
}

/** Deno: handles expose no fd, but fdForIpc() returns a dup of it, which must be closed after use. */
export const handleFd: HandleFd = (handle, libc) => {
  const owner = handle as DenoHandle;
  const tcp = typeof owner.fdForIpc === "function" ? owner : owner._parent;
  let fd: number;
  try {
    fd = tcp?.fdForIpc?.() ?? -1;
  } catch {
    return undefined;
  }
  if (fd < 0) return undefined;
  return { fd, release: () => void libc.close(fd) };
};
