import { propertyFd } from "../fd/lease.ts";
import { libcFrom } from "../ffi/libc.ts";
import { type CFunction, type CType, declare, LIBC } from "../ffi/prototypes.ts";
import { nodeHooks } from "../hooks/node.ts";
import type { NativeInterposer } from "../interposer/native.ts";
import type { Host, RuntimeAdapter } from "./adapter.ts";
import { builtin } from "./builtin.ts";

/** The part of koffi this adapter uses. */
interface Koffi {
  load(path: string): { func(name: string, result: string, args: string[]): CFunction };
  errno(): number;
  address(buffer: Uint8Array): bigint;
}

const KOFFI_TYPES: Record<CType, string> = { i32: "int", u32: "uint32_t", i64: "int64_t", pointer: "void *" };

/**
 * Node's process, which Bun implements too. Read on use, not when the module loads: Deno
 * loads this module as well, and there globalThis.process costs ≈ 15 ms.
 */
export const processHost: Host = {
  env: (name) => globalThis.process.env[name],
  get os() {
    return globalThis.process.platform;
  },
  get arch() {
    return globalThis.process.arch;
  },
  writeStderr: (text) => void builtin("node:fs").writeSync(2, text),
  exit: (code) => globalThis.process.exit(code),
  every: (ms, run) => void setInterval(run, ms).unref(),
  channel: (name) => Promise.resolve(builtin("node:diagnostics_channel").channel(name)),
};

/** Node: the interposer as a Node-API addon (process.dlopen, ≈ 0.4 ms), libc through koffi (8–15 ms to load, so on first use). */
export const node: RuntimeAdapter = {
  name: "node",
  host: processHost,
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
  hooks: nodeHooks,
  missingPermissions: () => [],
};
