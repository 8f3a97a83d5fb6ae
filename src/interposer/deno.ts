import type { NativeLoader } from "./native.ts";

interface DenoFFI {
  dlopen(path: string, symbols: Record<string, { parameters: string[]; result: string }>): {
    symbols: {
      kahook_install(words: Int32Array, count: number): number;
      kahook_uninstall(): number;
      kahook_stat(which: number): bigint | number;
    };
  };
}

/** Deno: Deno.dlopen (needs --allow-ffi for the library's path), ≈ 1.3 ms. */
export const loadDenoFFI: NativeLoader = (path) => {
  const { symbols } = (globalThis as unknown as { Deno: DenoFFI }).Deno.dlopen(path, {
    kahook_install: { parameters: ["buffer", "i32"], result: "i32" },
    kahook_uninstall: { parameters: [], result: "i32" },
    kahook_stat: { parameters: ["i32"], result: "i64" },
  });
  return {
    install: (words) => symbols.kahook_install(words, words.length),
    uninstall: () => symbols.kahook_uninstall(),
    stat: (which) => Number(symbols.kahook_stat(which)),
  };
};
