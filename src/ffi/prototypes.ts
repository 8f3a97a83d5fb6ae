/**
 * The C functions kahook binds, declared once: each runtime's FFI translates these types into its
 * own (bun:ffi's "ptr", Deno's "buffer" and "pointer", koffi's C type names). A pointer argument
 * is passed as a typed array; a pointer result is the runtime's own pointer value.
 */
export type CType = "i32" | "u32" | "i64" | "pointer";

export interface Prototype {
  result: CType;
  args: readonly CType[];
}

/** libc, as the JavaScript fallback and the library API call it (ffi/libc.ts wraps them). */
export const LIBC = {
  socket: { result: "i32", args: ["i32", "i32", "i32"] },
  setsockopt: { result: "i32", args: ["i32", "i32", "i32", "pointer", "u32"] },
  getsockopt: { result: "i32", args: ["i32", "i32", "i32", "pointer", "pointer"] },
  close: { result: "i32", args: ["i32"] },
  getsockname: { result: "i32", args: ["i32", "pointer", "pointer"] },
  getpeername: { result: "i32", args: ["i32", "pointer", "pointer"] },
  // long syscall(long number, ...), declared with the six arguments a system call takes at most: integers pass alike
  // to a variadic function, and the kernel ignores those a call does not take.
  syscall: { result: "i64", args: ["i64", "i64", "i64", "i64", "i64", "i64", "i64"] },
  __errno_location: { result: "pointer", args: [] },
} as const satisfies Record<string, Prototype>;

/**
 * The interposer's entry points (native/interposer/kahook.h), for the runtimes that load it
 * through FFI: what the preload calls at start-up, and the rest, bound on first use (each
 * function bound costs Bun and Deno ≈ 0.2 ms).
 */
export const INTERPOSER_INSTALL = {
  kahook_install: { result: "i32", args: ["pointer", "i32"] },
} as const satisfies Record<string, Prototype>;
export const INTERPOSER_LATER = {
  kahook_uninstall: { result: "i32", args: [] },
  kahook_counters: { result: "i32", args: ["pointer", "i32"] },
  kahook_events: { result: "i32", args: ["pointer", "i32", "pointer"] },
} as const satisfies Record<string, Prototype>;

/** A function as a runtime's FFI binds it: numbers, bigints and typed arrays in; a number, bigint or pointer out. */
export type CFunction = (...args: (number | bigint | ArrayBufferView)[]) => unknown;

/** A table's functions, bound. */
export type Bound<Table> = Record<keyof Table, CFunction>;

/** A table's prototypes in one FFI's own terms: the symbols object its dlopen takes, or the functions it binds. */
export function declare<Table extends Record<string, Prototype>, Declaration>(
  table: Table,
  describe: (prototype: Prototype, name: string) => Declaration,
): Record<keyof Table, Declaration> {
  const declarations = Object.entries(table).map(([name, prototype]) => [name, describe(prototype, name)]);
  return Object.fromEntries(declarations) as Record<keyof Table, Declaration>;
}
