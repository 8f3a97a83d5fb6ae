import { createRequire } from "node:module";
import { INT_SIZE, type Libc } from "./libc.ts";

type BunFFI = typeof import("bun:ffi");

/** bun:ffi backend. errno is read through __errno_location, whose address is fixed per thread. */
export function openBunFFI(path: string): Libc {
  const { dlopen, ptr, read }: BunFFI = createRequire(import.meta.url)("bun:ffi");
  const { symbols } = dlopen(path, {
    setsockopt: { args: ["i32", "i32", "i32", "ptr", "u32"], returns: "i32" },
    getsockopt: { args: ["i32", "i32", "i32", "ptr", "ptr"], returns: "i32" },
    close: { args: ["i32"], returns: "i32" },
    __errno_location: { args: [], returns: "ptr" },
  });
  const errnoAddress = symbols.__errno_location();
  if (errnoAddress === null) throw new Error("__errno_location returned NULL");
  const value = new Int32Array(1);
  const length = new Uint32Array(1);
  const result = (rc: number) => (rc === 0 ? 0 : read.i32(errnoAddress, 0));
  return {
    setsockopt(fd, level, name, v) {
      value[0] = v;
      return result(symbols.setsockopt(fd, level, name, value, INT_SIZE));
    },
    getsockopt(fd, level, name, out) {
      length[0] = INT_SIZE;
      return result(symbols.getsockopt(fd, level, name, out, length));
    },
    close: (fd) => result(symbols.close(fd)),
    setsockoptBytes: (fd, level, name, v) => result(symbols.setsockopt(fd, level, name, v, v.byteLength)),
    getsockoptBytes(fd, level, name, out) {
      length[0] = out.byteLength;
      return result(symbols.getsockopt(fd, level, name, out, length));
    },
    address: (buffer) => BigInt(ptr(buffer)),
  };
}
