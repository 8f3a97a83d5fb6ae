/**
 * What the native interposer counts, as kahook_counters() copies it out and `kahook inspect` reads
 * it from another process: one array of int64 figures whose layout native/interposer/kahook.h
 * gives (STAT_*, SET_*, CAUSE_*); test/node/native-abi.test.ts checks the two agree.
 * @module
 */

/** The figures at the array's start, in kahook.h's STAT_* order. */
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
/** An option whose configured value the interposer keeps against a later setsockopt. */
export type KeptOption = "SO_KEEPALIVE" | "TCP_KEEPIDLE" | "TCP_KEEPINTVL" | "TCP_KEEPCNT" | "TCP_USER_TIMEOUT";
/** Why a connection ended timed out: keepalive probes unanswered, TCP_USER_TIMEOUT, or the kernel's retransmission limit. */
export type Cause = "keepalive" | "user_timeout" | "retransmissions";
/** The sticky options whose kept values are counted apart, in kahook.h's order. */
export const KEPT_OPTIONS: readonly KeptOption[] = [
  "SO_KEEPALIVE",
  "TCP_KEEPIDLE",
  "TCP_KEEPINTVL",
  "TCP_KEEPCNT",
  "TCP_USER_TIMEOUT",
];
/** In kahook.h's CAUSE_* order. */
export const CAUSES: readonly Cause[] = ["keepalive", "user_timeout", "retransmissions"];
/** Per setting set (0 listeners, 1 clients, 2 + i rule i): configured, failed, then dead by cause. */
const PER_SET = 2 + CAUSES.length;
/** kahook.h's MAX_SETS. */
export const MAX_SETS = 64;
/** The length of the array. */
export const FIGURE_COUNT = TOTALS.length + KEPT_OPTIONS.length + MAX_SETS * PER_SET;
/** `kahook_figures.magic`: names the layout above. */
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
      const base = setsStart + set * PER_SET;
      return { configured: at(base), failed: at(base + 1), dead: record(CAUSES, (cause) => at(base + 2 + cause)) };
    }),
  };
}
