/**
 * The few libc calls kahook makes, behind one interface with a backend per runtime.
 * No backend throws per call: setsockopt, getsockopt and close return 0 on success or the
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
  /**
   * syscall(number, a, b, c) for calls not every libc wraps (musl and glibc < 2.36 lack
   * pidfd_open and pidfd_getfd): the result (>= 0), or -errno.
   */
  syscall(number: number, a: number, b: number, c: number): number;
  /** getsockopt(fd, level, name, out, &len) for a struct option: the length the kernel filled, or -errno. */
  getsockoptBytes(fd: number, level: number, name: number, out: Uint8Array): number;
}

/** Opens libc at one path; throws when the path cannot be loaded. */
export type LibcOpener = (path: string) => Libc;

/** sizeof(int), the option length every call passes (socklen_t is uint32). */
export const INT_SIZE = 4;
