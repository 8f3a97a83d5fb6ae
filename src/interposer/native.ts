import type { Bound, INTERPOSER } from "../ffi/prototypes.ts";

/** kahook.h's EVENT_WORDS: the int32 words of one event as kahook_events() writes it. */
export const EVENT_WORDS = 5;
/** An event's words, in kahook.h's EVENT_* order. */
export const EVENT = { kind: 0, fd: 1, set: 2, setting: 3, errno: 4 } as const;
/** kahook.h's EVENT_CONFIGURED and EVENT_FAILED. */
export const EVENT_KINDS = { configured: 1, failed: 2 } as const;

/** What the native library offers, the same through each runtime's loader. */
export interface NativeInterposer {
  /** kahook_install(words, count): slots patched (>= 0), or -errno with nothing patched. */
  install(words: Int32Array): number;
  /** kahook_uninstall(): slots restored, or -ENOENT when not installed. */
  uninstall(): number;
  /** kahook_counters(out, length): copies the figures (interposer/figures.ts) into out; returns how many there are. */
  counters(out: BigInt64Array): number;
  /**
   * kahook_events(out, capacity, cursor): copies the events after cursor[0] into out,
   * EVENT_WORDS each, and moves the cursor past them; returns how many it copied.
   */
  events(out: Int32Array, cursor: BigInt64Array): number;
}

/** The library's entry points as a runtime's FFI bound them (bun:ffi, Deno.dlopen). */
export function interposerFrom(c: Bound<typeof INTERPOSER>): NativeInterposer {
  return {
    install: (words) => Number(c.kahook_install(words, words.length)),
    uninstall: () => Number(c.kahook_uninstall()),
    counters: (out) => Number(c.kahook_counters(out, out.length)),
    events: (out, cursor) => Number(c.kahook_events(out, Math.floor(out.length / EVENT_WORDS), cursor)),
  };
}
