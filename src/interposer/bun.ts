import { builtin } from "../runtime.ts";
import type { NativeLoader } from "./native.ts";

type BunFFI = typeof import("bun:ffi");

/** Bun: bun:ffi's dlopen, ≈ 0.5 ms. */
export const loadBunFFI: NativeLoader = (path) => {
  const { dlopen, ptr }: BunFFI = builtin("node:module").createRequire(import.meta.url)("bun:ffi");
  const { symbols } = dlopen(path, {
    kahook_install: { args: ["ptr", "i32"], returns: "i32" },
    kahook_uninstall: { args: [], returns: "i32" },
    kahook_stat: { args: ["i32"], returns: "i64" },
  });
  return {
    install: (words) => symbols.kahook_install(ptr(words), words.length),
    uninstall: () => symbols.kahook_uninstall(),
    stat: (which) => Number(symbols.kahook_stat(which)),
  };
};
