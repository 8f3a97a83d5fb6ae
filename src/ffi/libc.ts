import type { Bound, LIBC } from "./prototypes.ts";

/**
 * The few libc calls kahook makes, behind one interface with a backend per runtime.
 * No backend throws per call: setsockopt, getsockopt, close, getsockname, getpeername and
 * setsockoptBytes return 0 on success or the errno on failure; socket, syscall and
 * getsockoptBytes return a result (>= 0) or the errno negated.
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
  /** setsockopt(fd, level, name, &value[0], value.byteLength) for an option that is a struct. */
  setsockoptBytes(fd: number, level: number, name: number, value: Uint8Array): number;
  /**
   * getsockopt(fd, level, name, &out[0], &len) for an option that is a struct, with len =
   * out.byteLength on entry: the length the kernel filled (fewer on older kernels), or -errno.
   */
  getsockoptBytes(fd: number, level: number, name: number, out: Uint8Array): number;
  /**
   * The address of buffer[0], to store in a struct that points to other memory (struct
   * sock_fprog). It is valid while the buffer is alive; pass it only to a call that reads it
   * before returning. Give it a buffer made with `new ArrayBuffer`, which V8 keeps outside its
   * moving heap (a small `new Uint8Array(n)` may live inside it).
   */
  address(buffer: Uint8Array): bigint;
  /**
   * syscall(number, ...args) for calls not every libc wraps (musl and glibc < 2.36 lack
   * pidfd_open and pidfd_getfd), with up to six arguments (pointers as addresses): the result
   * (>= 0), or -errno.
   */
  syscall(number: number, ...args: (number | bigint)[]): number;
}

/** The arguments syscall's prototype declares after the number: the most a system call takes. */
const SYSCALL_ARGUMENTS = 6;

/** sizeof(int), the option length of the int calls (socklen_t is uint32). */
const INT_SIZE = 4;

/**
 * The Libc interface over libc's functions as a runtime's FFI bound them (-1 with errno set on
 * failure), with that runtime's way to read this thread's errno (right after the failing call,
 * before any other FFI call) and a buffer's address. The buffers are reused, as JavaScript is
 * single-threaded here.
 */
export function libcFrom(c: Bound<typeof LIBC>, errno: () => number, address: (buffer: Uint8Array) => bigint): Libc {
  const value = new Int32Array(1);
  const length = new Uint32Array(1);
  const result = (rc: unknown) => (Number(rc) === 0 ? 0 : errno());
  const lengthOf = (bytes: number) => {
    length[0] = bytes;
    return length;
  };
  return {
    socket(domain, type, protocol) {
      const fd = Number(c.socket(domain, type, protocol));
      return fd >= 0 ? fd : -errno();
    },
    setsockopt(fd, level, name, v) {
      value[0] = v;
      return result(c.setsockopt(fd, level, name, value, INT_SIZE));
    },
    getsockopt: (fd, level, name, out) => result(c.getsockopt(fd, level, name, out, lengthOf(INT_SIZE))),
    close: (fd) => result(c.close(fd)),
    getsockname: (fd, out) => result(c.getsockname(fd, out, lengthOf(out.byteLength))),
    getpeername: (fd, out) => result(c.getpeername(fd, out, lengthOf(out.byteLength))),
    setsockoptBytes: (fd, level, name, v) => result(c.setsockopt(fd, level, name, v, v.byteLength)),
    getsockoptBytes(fd, level, name, out) {
      const rc = Number(c.getsockopt(fd, level, name, out, lengthOf(out.byteLength)));
      return rc === 0 ? length[0] : -errno();
    },
    address,
    syscall(number, ...args) {
      const rc = Number(c.syscall(number, ...Array.from({ length: SYSCALL_ARGUMENTS }, (_, i) => args[i] ?? 0)));
      return rc >= 0 ? rc : -errno();
    },
  };
}
