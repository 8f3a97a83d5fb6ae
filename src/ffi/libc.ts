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
}

/** Opens libc at one path; throws when the path cannot be loaded. */
export type LibcOpener = (path: string) => Libc;

/** sizeof(int), the option length every call passes (socklen_t is uint32). */
export const INT_SIZE = 4;
