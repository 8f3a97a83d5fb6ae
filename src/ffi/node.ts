import { createRequire } from "node:module";
import { INT_SIZE, type Libc } from "./libc.ts";

type Koffi = typeof import("koffi");

/** koffi backend for Node. koffi costs 12–15 ms to load, so it is required on first use only. */
export function openKoffi(path: string): Libc {
  const koffi: Koffi = createRequire(import.meta.url)("koffi");
  const lib = koffi.load(path);
  const setsockopt = lib.func("int setsockopt(int fd, int level, int name, void *value, uint32_t length)");
  const getsockopt = lib.func("int getsockopt(int fd, int level, int name, void *value, void *length)");
  const close = lib.func("int close(int fd)");
  const value = new Int32Array(1);
  const length = new Uint32Array(1);
  // koffi.errno() must be read right after the failing call, before any other FFI call.
  const result = (rc: number) => (rc === 0 ? 0 : koffi.errno());
  return {
    setsockopt(fd, level, name, v) {
      value[0] = v;
      return result(setsockopt(fd, level, name, value, INT_SIZE));
    },
    getsockopt(fd, level, name, out) {
      length[0] = INT_SIZE;
      return result(getsockopt(fd, level, name, out, length));
    },
    close: (fd) => result(close(fd)),
    setsockoptBytes: (fd, level, name, v) => result(setsockopt(fd, level, name, v, v.byteLength)),
    getsockoptBytes(fd, level, name, out) {
      length[0] = out.byteLength;
      return result(getsockopt(fd, level, name, out, length));
    },
    address: (buffer) => koffi.address(buffer),
  };
}
