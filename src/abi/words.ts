/**
 * The compiled configuration the native interposer takes (native/interposer/kahook.h): int32
 * words, parsed once here so that the C side has no parser of its own.
 *
 *   [0] ABI_VERSION  [1] flags  [2] number of setting sets S
 *   S sets: n, then n × (level, name, value, sticky); set 0 listeners, set 1 clients, set 2 + i rule i
 *   R = S - 2 rules: port (0 any), address length (0 any, 4, 16), prefix bits, 16 address bytes
 * @module
 */
import type { SocketPlan } from "../config/plan.ts";
import type { Setting } from "../config/options.ts";

/** An option whose configured value the interposer keeps against a later setsockopt. */
export type KeptOption = "SO_KEEPALIVE" | "TCP_KEEPIDLE" | "TCP_KEEPINTVL" | "TCP_KEEPCNT" | "TCP_USER_TIMEOUT";
/** The options a later setsockopt of the program cannot change (sticky); each kept value is counted apart. */
export const KEPT_OPTIONS: readonly KeptOption[] = [
  "SO_KEEPALIVE",
  "TCP_KEEPIDLE",
  "TCP_KEEPINTVL",
  "TCP_KEEPCNT",
  "TCP_USER_TIMEOUT",
];
const sticky = (constant: string) => KEPT_OPTIONS.includes(constant as KeptOption);

export const ABI_VERSION = 1;
/** Where libkahook.so, preloaded, reads the words: decimal, separated by commas (native/interposer/preload.c). */
export const NATIVE_CONFIG = "KAHOOK_NATIVE_CONFIG";
/** "0": the preloaded library leaves the environment of the program's children without itself. */
export const NATIVE_INHERIT = "KAHOOK_NATIVE_INHERIT";
/** The flags word's bits: configure clients, configure listeners, debug lines, count dead peers at close. */
export const FLAGS = { clients: 1, listeners: 2, debug: 4, deadPeers: 8 } as const;
/** The library's static limits: setting sets, settings in a set (more than the options there are), rules. */
export const MAX_SETS = 64;
export const MAX_SETTINGS = 16;
export const MAX_RULES = MAX_SETS - 2;
/** The setting sets by number: listeners', the clients' default, then rule i's at RULE + i. */
export const SETS = { server: 0, client: 1, rule: 2 } as const;
/** A rule's words: port, address length, prefix bits, then the address's bytes. */
const ADDRESS_WORDS = 16;
const RULE_WORDS = 3 + ADDRESS_WORDS;
/** The most words a configuration can take: what libkahook.so's parser of KAHOOK_NATIVE_CONFIG holds. */
export const MAX_WORDS = 3 + MAX_SETS * (1 + MAX_SETTINGS * 4) + 1 + MAX_RULES * RULE_WORDS;
/**
 * kahook_install's and kahook_uninstall's refusals, negated Linux errno numbers (the library is
 * built for Linux only): the words are not a configuration, the C library's functions were not
 * found, no slot of the program holds its connect, installed already; not installed.
 */
export const RESULTS = {
  invalidConfig: -22,
  cLibraryMissing: -2,
  noConnectSlot: -8,
  installedAlready: -114,
  notInstalled: -2,
} as const;

function set(settings: readonly Setting[]): number[] {
  return [
    settings.length,
    ...settings.flatMap((
      { socketOption, value },
    ) => [socketOption.level, socketOption.name, value, sticky(socketOption.constant) ? 1 : 0]),
  ];
}

/** The words for a plan; throws when it has more rules than the library holds. */
export function compileWords(plan: SocketPlan): Int32Array {
  if (plan.rules.length > MAX_RULES) throw new Error(`${plan.rules.length} rules; the interposer holds ${MAX_RULES}`);
  const flags = (plan.mode !== "listen" ? FLAGS.clients : 0) | (plan.mode !== "connect" ? FLAGS.listeners : 0) |
    (plan.debug ? FLAGS.debug : 0) | (plan.metrics ? FLAGS.deadPeers : 0);
  const rules = plan.rules.flatMap(({ destination: { port, network } }) => {
    const address = new Array<number>(ADDRESS_WORDS).fill(0);
    network?.bytes.forEach((byte, index) => (address[index] = byte));
    return [port ?? 0, network?.bytes.length ?? 0, network?.prefix ?? 0, ...address];
  });
  // new Int32Array(array), not Int32Array.from: Bun's first call of the latter costs ≈ 0.2 ms of start-up.
  return new Int32Array([
    ABI_VERSION,
    flags,
    plan.sets.length,
    ...plan.sets.flatMap(({ settings }) => set(settings)),
    plan.rules.length,
    ...rules,
  ]);
}
