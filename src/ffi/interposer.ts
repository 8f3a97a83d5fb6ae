import { type Bound, INTERPOSER_INSTALL, INTERPOSER_LATER, type Prototype } from "./prototypes.ts";
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

/** Binds a table of the library's functions through a runtime's FFI (bun:ffi, Deno.dlopen). */
export type Binder = <Table extends Record<string, Prototype>>(table: Table) => Bound<Table>;

/** The library's entry points as a runtime's FFI binds them: kahook_install at once, the rest on first use. */
export function interposerFrom(bind: Binder): NativeInterposer {
  const { kahook_install } = bind(INTERPOSER_INSTALL);
  let later: Bound<typeof INTERPOSER_LATER> | undefined;
  const c = () => (later ??= bind(INTERPOSER_LATER));
  return {
    install: (words) => Number(kahook_install(words, words.length)),
    uninstall: () => Number(c().kahook_uninstall()),
    counters: (out) => Number(c().kahook_counters(out, out.length)),
    events: (out, cursor) => Number(c().kahook_events(out, Math.floor(out.length / EVENT_WORDS), cursor)),
  };
}
