import { builtin } from "../runtime.ts";
import { type Libc, libcFrom } from "./libc.ts";

type BunFFI = typeof import("bun:ffi");

/** bun:ffi backend. errno is read through __errno_location, whose address is fixed per thread. */
export function openBunFFI(path: string): Libc {
  const { dlopen, ptr, read }: BunFFI = builtin("node:module").createRequire(import.meta.url)("bun:ffi");
  const { symbols } = dlopen(path, {
    socket: { args: ["i32", "i32", "i32"], returns: "i32" },
    setsockopt: { args: ["i32", "i32", "i32", "ptr", "u32"], returns: "i32" },
    getsockopt: { args: ["i32", "i32", "i32", "ptr", "ptr"], returns: "i32" },
    close: { args: ["i32"], returns: "i32" },
    getsockname: { args: ["i32", "ptr", "ptr"], returns: "i32" },
    getpeername: { args: ["i32", "ptr", "ptr"], returns: "i32" },
    syscall: { args: ["i64", "i64", "i64", "i64"], returns: "i64" },
    __errno_location: { args: [], returns: "ptr" },
  });
  const errnoAddress = symbols.__errno_location();
  if (errnoAddress === null) throw new Error("__errno_location returned NULL");
  return libcFrom({
    socket: symbols.socket,
    setsockopt: symbols.setsockopt,
    getsockopt: symbols.getsockopt,
    close: symbols.close,
    getsockname: symbols.getsockname,
    getpeername: symbols.getpeername,
    syscall: symbols.syscall,
    errno: () => read.i32(errnoAddress, 0),
    address: (buffer) => BigInt(ptr(buffer)),
  });
}
