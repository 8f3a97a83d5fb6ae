import type { Bound, INTERPOSER } from "./prototypes.ts";
import { EVENT_WORDS } from "../abi/events.ts";

/** What the native library offers, the same through each runtime's loader. */
export interface NativeInterposer {
  /** kahook_install(words, count): slots patched (>= 0), or -errno with nothing patched. */
  install(words: Int32Array): number;
  /** kahook_uninstall(): slots restored, or -ENOENT when not installed. */
  uninstall(): number;
  /** kahook_counters(out, length): copies the figures (abi/figures.ts) into out; returns how many there are. */
  counters(out: BigInt64Array): number;
  /**
   * kahook_events(out, capacity, cursor): copies the events after cursor[0] into out,
   * EVENT_WORDS each (interposer/events.ts), and moves the cursor past them; returns how many it copied.
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
