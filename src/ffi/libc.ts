/**
 * The few libc calls kahook makes, behind one interface with a backend per runtime.
 * Every call returns 0 on success or the errno on failure, so no backend throws per call.
 */
export interface Libc {
  /** setsockopt(fd, level, name, &value, sizeof(int)). */
  setsockopt(fd: number, level: number, name: number, value: number): number;
  /** getsockopt(fd, level, name, &out[0], &len) for an int option. */
  getsockopt(fd: number, level: number, name: number, out: Int32Array): number;
  /** close(fd). */
  close(fd: number): number;
  /** setsockopt(fd, level, name, &value[0], value.byteLength) for an option that is a struct. */
  setsockoptBytes(fd: number, level: number, name: number, value: Uint8Array): number;
  /**
   * getsockopt(fd, level, name, &out[0], &len) for an option that is a struct, with len =
   * out.byteLength on entry; the kernel fills at most that many bytes (fewer on older kernels).
   */
  getsockoptBytes(fd: number, level: number, name: number, out: Uint8Array): number;
  /**
   * The address of buffer[0], to store in a struct that points to other memory (struct
   * sock_fprog). It is valid while the buffer is alive; pass it only to a call that reads it
   * before returning. Give it a buffer made with `new ArrayBuffer`, which V8 keeps outside its
   * moving heap (a small `new Uint8Array(n)` may live inside it).
   */
  address(buffer: Uint8Array): bigint;
}

/** Opens libc at one path; throws when the path cannot be loaded. */
export type LibcOpener = (path: string) => Libc;

/** sizeof(int), the option length every call passes (socklen_t is uint32). */
export const INT_SIZE = 4;
