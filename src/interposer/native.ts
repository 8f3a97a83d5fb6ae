/** What the native library offers, the same through each runtime's loader. */
export interface NativeInterposer {
  /** kahook_install(words, count): slots patched (>= 0), or -errno with nothing patched. */
  install(words: Int32Array): number;
  /** kahook_uninstall(): slots restored, or -ENOENT when not installed. */
  uninstall(): number;
  /** kahook_stat(which): one of the counters of STATS, by index. */
  stat(which: number): number;
}

/** kahook_stat's counters, by index. */
export const STATS = ["configured", "failed", "replaced", "slots"] as const;

/** Loads the library at path through one runtime's means; throws why it cannot. */
export type NativeLoader = (path: string) => NativeInterposer;
