import { type CFunctions, type Libc, libcFrom } from "./libc.ts";

/** The part of Deno's FFI API this backend uses (Deno's own types are not in this build). */
interface DenoFFI {
  dlopen(path: string, symbols: Record<string, { parameters: string[]; result: string }>): {
    symbols: Record<string, unknown>;
  };
  UnsafePointerView: new (pointer: unknown) => { getInt32(offset?: number): number };
  UnsafePointer: { of(buffer: ArrayBufferView): unknown; value(pointer: unknown): bigint | number };
}

/** Deno.dlopen backend (needs --allow-ffi). errno is read through __errno_location. */
export function openDenoFFI(path: string): Libc {
  const Deno = (globalThis as unknown as { Deno: DenoFFI }).Deno;
  const { symbols } = Deno.dlopen(path, {
    socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
    setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
    getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
    close: { parameters: ["i32"], result: "i32" },
    getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
    getpeername: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
    syscall: { parameters: ["i64", "i64", "i64", "i64"], result: "i64" },
    __errno_location: { parameters: [], result: "pointer" },
  });
  const c = symbols as unknown as Omit<CFunctions, "errno" | "address"> & { __errno_location(): unknown };
  const errno = new Deno.UnsafePointerView(c.__errno_location());
  return libcFrom({
    socket: c.socket,
    setsockopt: c.setsockopt,
    getsockopt: c.getsockopt,
    close: c.close,
    getsockname: c.getsockname,
    getpeername: c.getpeername,
    syscall: c.syscall,
    errno: () => errno.getInt32(),
    address: (buffer) => BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer))),
  });
}
