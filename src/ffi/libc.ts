/**
 * The few libc calls kahook makes, behind one interface with a backend per runtime.
 * No backend throws per call: setsockopt, getsockopt, close, getsockname and getpeername return 0 on success or the
 * errno on failure; socket returns the new fd (>= 0) or the errno negated.
 */
export interface Libc {
  /** socket(domain, type, protocol): the new fd, or -errno. */
  socket(domain: number, type: number, protocol: number): number;
  /** setsockopt(fd, level, name, &value, sizeof(int)). */
  setsockopt(fd: number, level: number, name: number, value: number): number;
  /** getsockopt(fd, level, name, &out[0], &len) for an int option. */
  getsockopt(fd: number, level: number, name: number, out: Int32Array): number;
  /** close(fd). */
  close(fd: number): number;
  /** getsockname(fd, out, &len) with len = out.length: the local address as a struct sockaddr. */
  getsockname(fd: number, out: Uint8Array): number;
  /** getpeername(fd, out, &len) with len = out.length: the remote address as a struct sockaddr. */
  getpeername(fd: number, out: Uint8Array): number;
}

/** Opens libc at one path; throws when the path cannot be loaded. */
export type LibcOpener = (path: string) => Libc;

/** sizeof(int), the option length every call passes (socklen_t is uint32). */
export const INT_SIZE = 4;
