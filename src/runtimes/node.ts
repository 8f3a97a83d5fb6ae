import { borrowed, type HandleFd } from "./lease.ts";
import { libcFrom } from "../ffi/libc.ts";
import { type CFunction, type CType, declare, LIBC } from "../ffi/prototypes.ts";
import type { NativeInterposer } from "../ffi/interposer.ts";
import type { RuntimeAdapter } from "./adapter.ts";
import { builtin } from "../host/builtin.ts";

/** The part of koffi this adapter uses. */
interface Koffi {
  load(path: string): { func(name: string, result: string, args: string[]): CFunction };
  errno(): number;
  address(buffer: Uint8Array): bigint;
}

const KOFFI_TYPES: Record<CType, string> = { i32: "int", u32: "uint32_t", i64: "int64_t", pointer: "void *" };

/**
 * Node and Bun: TCP and TLS handles carry `fd`. It is -1 before connect(2) creates the socket;
 * Bun's accepted sockets have it from the 'connection' event on.
 */
export const propertyFd: HandleFd = (handle) => {
  const fd = (handle as { fd?: unknown }).fd;
  return typeof fd === "number" && fd >= 0 ? borrowed(fd) : undefined;
};

/** Node: the interposer as a Node-API addon (process.dlopen, ≈ 0.4 ms), libc through koffi (8–15 ms to load, so on first use). */
export const node: RuntimeAdapter = {
  name: "node",
  loadInterposer(path) {
    const module = { exports: {} as NativeInterposer };
    globalThis.process.dlopen(module, path);
    return module.exports;
  },
  openLibc(path) {
    const koffi = builtin("node:module").createRequire(import.meta.url)("koffi") as Koffi;
    const lib = koffi.load(path);
    const c = declare(
      LIBC,
      ({ result, args }, name) => lib.func(name, KOFFI_TYPES[result], args.map((type) => KOFFI_TYPES[type])),
    );
    return libcFrom(c, () => koffi.errno(), (buffer) => koffi.address(buffer));
  },
  handleFd: propertyFd,
  missingPermissions: () => [],
};
