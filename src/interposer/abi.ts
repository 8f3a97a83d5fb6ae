/**
 * The compiled configuration the native interposer takes (native/interposer/kahook.h): int32
 * words, parsed once here so that the C side has no parser of its own.
 *
 *   [0] ABI_VERSION  [1] flags  [2] number of setting sets S
 *   S sets: n, then n × (level, name, value, sticky); set 0 listeners, set 1 clients, set 2 + i rule i
 *   R = S - 2 rules: port (0 any), address length (0 any, 4, 16), prefix bits, 16 address bytes
 * @module
 */
import type { SocketPlan } from "../hooks/plan.ts";
import type { Setting } from "../config/options.ts";
import type { OptionName } from "../sys/platform.ts";

export const ABI_VERSION = 1;
/** Where libkahook.so, preloaded, reads the words: decimal, separated by commas (native/interposer/preload.c). */
export const NATIVE_CONFIG = "KAHOOK_NATIVE_CONFIG";
/** "0": the preloaded library leaves the environment of the program's children without itself. */
export const NATIVE_INHERIT = "KAHOOK_NATIVE_INHERIT";
/** The flags word's bits: configure clients, configure listeners, debug lines, count dead peers at close. */
export const FLAGS = { clients: 1, listeners: 2, debug: 4, deadPeers: 8 } as const;
/** native/interposer's static limits: sets of at most 16 settings, at most 62 rules. */
export const MAX_RULES = 62;
const ADDRESS_WORDS = 16;

/** What a later setsockopt of the program cannot change: the options the configured values win for. */
const STICKY: readonly OptionName[] = ["enable", "idle", "interval", "count", "userTimeout"];

function set(settings: readonly Setting[]): number[] {
  return [
    settings.length,
    ...settings.flatMap((
      { option, socketOption, value },
    ) => [socketOption.level, socketOption.name, value, STICKY.includes(option) ? 1 : 0]),
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
