import { createRequire } from "node:module";
import { INT_SIZE, type Libc } from "./libc.ts";

type BunFFI = typeof import("bun:ffi");

/** bun:ffi backend. errno is read through __errno_location, whose address is fixed per thread. */
export function openBunFFI(path: string): Libc {
  const { dlopen, read }: BunFFI = createRequire(import.meta.url)("bun:ffi");
  const { symbols } = dlopen(path, {
    socket: { args: ["i32", "i32", "i32"], returns: "i32" },
    setsockopt: { args: ["i32", "i32", "i32", "ptr", "u32"], returns: "i32" },
    getsockopt: { args: ["i32", "i32", "i32", "ptr", "ptr"], returns: "i32" },
    close: { args: ["i32"], returns: "i32" },
    __errno_location: { args: [], returns: "ptr" },
    // Fixed arguments: integer arguments pass the same way to a variadic function.
    syscall: { args: ["i64", "i64", "i64", "i64"], returns: "i64" },
  });
  const errnoAddress = symbols.__errno_location();
  if (errnoAddress === null) throw new Error("__errno_location returned NULL");
  const value = new Int32Array(1);
  const length = new Uint32Array(1);
  const result = (rc: number) => (rc === 0 ? 0 : read.i32(errnoAddress, 0));
  return {
    socket(domain, type, protocol) {
      const fd = symbols.socket(domain, type, protocol);
      return fd >= 0 ? fd : -read.i32(errnoAddress, 0);
    },
    setsockopt(fd, level, name, v) {
      value[0] = v;
      return result(symbols.setsockopt(fd, level, name, value, INT_SIZE));
    },
    getsockopt(fd, level, name, out) {
      length[0] = INT_SIZE;
      return result(symbols.getsockopt(fd, level, name, out, length));
    },
    close: (fd) => result(symbols.close(fd)),
    syscall(number, a, b, c) {
      const rc = Number(symbols.syscall(number, a, b, c));
      return rc >= 0 ? rc : -read.i32(errnoAddress, 0);
    },
    getsockoptBytes(fd, level, name, out) {
      length[0] = out.byteLength;
      return symbols.getsockopt(fd, level, name, out, length) === 0 ? length[0] : -read.i32(errnoAddress, 0);
    },
  };
}
