import { INT_SIZE, type Libc } from "./libc.ts";

/** The part of Deno's FFI API this backend uses (Deno's own types are not in this build). */
interface DenoFFI {
  dlopen(path: string, symbols: Record<string, { parameters: string[]; result: string }>): {
    symbols: Record<string, (...args: unknown[]) => unknown>;
  };
  UnsafePointerView: new (pointer: unknown) => { getInt32(offset?: number): number };
}

/** Deno.dlopen backend (needs --allow-ffi). errno is read through __errno_location. */
export function openDenoFFI(path: string): Libc {
  const Deno = (globalThis as unknown as { Deno: DenoFFI }).Deno;
  const { symbols } = Deno.dlopen(path, {
    socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
    setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
    getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
    close: { parameters: ["i32"], result: "i32" },
    __errno_location: { parameters: [], result: "pointer" },
    // Fixed arguments: integer arguments pass the same way to a variadic function.
    syscall: { parameters: ["i64", "i64", "i64", "i64"], result: "i64" },
  });
  const errno = new Deno.UnsafePointerView(symbols.__errno_location());
  const value = new Int32Array(1);
  const length = new Uint32Array(1);
  const result = (rc: unknown) => (rc === 0 ? 0 : errno.getInt32());
  return {
    socket(domain, type, protocol) {
      const fd = symbols.socket(domain, type, protocol) as number;
      return fd >= 0 ? fd : -errno.getInt32();
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
      return rc >= 0 ? rc : -errno.getInt32();
    },
    getsockoptBytes(fd, level, name, out) {
      length[0] = out.byteLength;
      return symbols.getsockopt(fd, level, name, out, length) === 0 ? length[0] : -errno.getInt32();
    },
  };
}
