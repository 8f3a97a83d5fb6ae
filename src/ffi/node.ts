import { createRequire } from "node:module";
import { INT_SIZE, type Libc } from "./libc.ts";

type Koffi = typeof import("koffi");

/** koffi backend for Node. koffi costs 12–15 ms to load, so it is required on first use only. */
export function openKoffi(path: string): Libc {
  const koffi: Koffi = createRequire(import.meta.url)("koffi");
  const lib = koffi.load(path);
  const socket = lib.func("int socket(int domain, int type, int protocol)");
  const setsockopt = lib.func("int setsockopt(int fd, int level, int name, void *value, uint32_t length)");
  const getsockopt = lib.func("int getsockopt(int fd, int level, int name, void *value, void *length)");
  const close = lib.func("int close(int fd)");
  // Declared with fixed arguments: integer arguments pass the same way to a variadic function.
  const syscall = lib.func("long syscall(long number, long a, long b, long c)");
  const value = new Int32Array(1);
  const length = new Uint32Array(1);
  // koffi.errno() must be read right after the failing call, before any other FFI call.
  const result = (rc: number) => (rc === 0 ? 0 : koffi.errno());
  return {
    socket(domain, type, protocol) {
      const fd = socket(domain, type, protocol);
      return fd >= 0 ? fd : -koffi.errno();
    },
    setsockopt(fd, level, name, v) {
      value[0] = v;
      return result(setsockopt(fd, level, name, value, INT_SIZE));
    },
    getsockopt(fd, level, name, out) {
      length[0] = INT_SIZE;
      return result(getsockopt(fd, level, name, out, length));
    },
    close: (fd) => result(close(fd)),
    syscall(number, a, b, c) {
      const rc = syscall(number, a, b, c);
      return rc >= 0 ? rc : -koffi.errno();
    },
    getsockoptBytes(fd, level, name, out) {
      length[0] = out.byteLength;
      return getsockopt(fd, level, name, out, length) === 0 ? length[0] : -koffi.errno();
    },
  };
}
