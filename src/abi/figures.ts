/**
 * What the native interposer counts, as kahook_counters() copies it out and `kahook inspect` reads
 * it from another process: one array of int64 figures, laid out as below (native/interposer/abi.h
 * is written from this, by abi/header.ts).
 * @module
 */
import { KEPT_OPTIONS, type KeptOption, MAX_SETS } from "./words.ts";

export { MAX_SETS };

/** The figures at the array's start. */
export const TOTALS = [
  "configured",
  "failed",
  "kept",
  "slots",
  "slotsUnpatched",
  "untagged",
  "eventsLost",
  "dead",
] as const;
/** Why a connection ended timed out: keepalive probes unanswered, TCP_USER_TIMEOUT, or the kernel's retransmission limit. */
export type Cause = "keepalive" | "user_timeout" | "retransmissions";
/** The causes, in the order of each set's dead figures. */
export const CAUSES: readonly Cause[] = ["keepalive", "user_timeout", "retransmissions"];
/** Per setting set (0 listeners, 1 clients, 2 + i rule i): configured, failed, then dead by cause. */
export const PER_SET = ["configured", "failed", ...CAUSES.map((cause) => `dead_${cause}`)] as const;
/** The length of the array. */
export const FIGURE_COUNT = TOTALS.length + KEPT_OPTIONS.length + MAX_SETS * PER_SET.length;
/** The library's exported object holding them: FIGURES_MAGIC's 16 bytes, then the int64 figures. */
export const FIGURES_SYMBOL = "kahook_figures";
/** Its magic: names the layout above, which a new layout must rename. */
export const FIGURES_MAGIC = "kahook figures 1";

export type Total = (typeof TOTALS)[number];

/** One setting set's figures. */
export interface SetFigures {
  configured: number;
  failed: number;
  dead: Record<Cause, number>;
}

/** The interposer's figures, decoded. */
export interface Figures {
  totals: Record<Total, number>;
  kept: Record<KeptOption, number>;
  /** By setting set, as the interposer's words number them: [0] listeners, [1] clients, [2 + i] rule i. */
  sets: SetFigures[];
}

const record = <Key extends string>(keys: readonly Key[], at: (index: number) => number) =>
  Object.fromEntries(keys.map((key, index) => [key, at(index)])) as Record<Key, number>;

/** Decodes the array; `sets` is how many setting sets the plan has. */
export function decodeFigures(values: BigInt64Array, sets: number): Figures {
  const at = (index: number) => Number(values[index]);
  const setsStart = TOTALS.length + KEPT_OPTIONS.length;
  return {
    totals: record(TOTALS, at),
    kept: record(KEPT_OPTIONS, (index) => at(TOTALS.length + index)),
    sets: Array.from({ length: Math.min(sets, MAX_SETS) }, (_, set) => {
      const base = setsStart + set * PER_SET.length;
      return { configured: at(base), failed: at(base + 1), dead: record(CAUSES, (cause) => at(base + 2 + cause)) };
    }),
  };
}
