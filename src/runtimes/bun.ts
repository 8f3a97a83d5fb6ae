import { libcFrom } from "../ffi/libc.ts";
import { type Bound, type CType, declare, LIBC, type Prototype } from "../ffi/prototypes.ts";
import { interposerFrom } from "../ffi/interposer.ts";
import type { RuntimeAdapter } from "./adapter.ts";
import { propertyFd } from "./node.ts";

/** The part of bun:ffi this adapter uses (bun-types are not in every build of this package). */
interface BunFFI {
  dlopen(
    path: string,
    symbols: Record<string, { args: string[]; returns: string }>,
  ): { symbols: Record<string, unknown> };
  ptr(buffer: ArrayBufferView): number;
  read: { i32(pointer: number, offset: number): number };
}

const BUN_TYPES: Record<CType, string> = { i32: "i32", u32: "u32", i64: "i64", pointer: "ptr" };

const ffi = () => globalThis.process.getBuiltinModule("bun:ffi") as BunFFI;

function bind<Table extends Record<string, Prototype>>({ dlopen }: BunFFI, path: string, table: Table): Bound<Table> {
  const declared = declare(
    table,
    ({ result, args }) => ({ args: args.map((type) => BUN_TYPES[type]), returns: BUN_TYPES[result] }),
  );
  return dlopen(path, declared).symbols as Bound<Table>;
}

/** Bun: node:net at net.Socket's prototype, fds as Node's handles carry them, FFI through bun:ffi (≈ 0.5 ms to load). */
export const bun: RuntimeAdapter = {
  name: "bun",
  loadInterposer: (path) => interposerFrom((table) => bind(ffi(), path, table)),
  openLibc(path) {
    const bunFFI = ffi();
    const c = bind(bunFFI, path, LIBC);
    // __errno_location's address is fixed per thread, and JavaScript runs on one.
    const errnoAddress = Number(c.__errno_location());
    if (!errnoAddress) throw new Error("__errno_location returned NULL");
    return libcFrom(c, () => bunFFI.read.i32(errnoAddress, 0), (buffer) => BigInt(bunFFI.ptr(buffer)));
  },
  handleFd: propertyFd,
  missingPermissions: () => [],
};
