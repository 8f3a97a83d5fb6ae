import type { Bound, INTERPOSER } from "../ffi/prototypes.ts";

/** What the native library offers, the same through each runtime's loader. */
export interface NativeInterposer {
  /** kahook_install(words, count): slots patched (>= 0), or -errno with nothing patched. */
  install(words: Int32Array): number;
  /** kahook_uninstall(): slots restored, or -ENOENT when not installed. */
  uninstall(): number;
  /** kahook_stat(which): one of the counters of STATS, by index. */
  stat(which: number): number;
}

/** kahook_stat's figures, by index (native/interposer/kahook.h, STAT_*). */
export const STATS = ["configured", "failed", "replaced", "slots", "slotsUnpatched", "untagged"] as const;

/** The library's entry points as a runtime's FFI bound them (bun:ffi, Deno.dlopen). */
export function interposerFrom(c: Bound<typeof INTERPOSER>): NativeInterposer {
  return {
    install: (words) => Number(c.kahook_install(words, words.length)),
    uninstall: () => Number(c.kahook_uninstall()),
    stat: (which) => Number(c.kahook_stat(which)),
  };
}
