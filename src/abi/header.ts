/**
 * native/interposer/abi.h, written from the TypeScript side's own constants: everything the
 * library and kahook pass each other (the install words, the results, the figures, the events)
 * and the names its debug lines give options and errors. `npm run abi` writes it; a test checks
 * that the committed file is what this renders, so the two sides cannot drift.
 * @module
 */
import { linux } from "../sys/linux.ts";
import {
  ABI_VERSION,
  FLAGS,
  KEPT_OPTIONS,
  MAX_RULES,
  MAX_SETS,
  MAX_SETTINGS,
  MAX_WORDS,
  RESULTS,
  SETS,
} from "./words.ts";
import { CAUSES, FIGURES_MAGIC, FIGURES_SYMBOL, PER_SET, TOTALS } from "./figures.ts";
import { EVENT, EVENT_KINDS, EVENT_WORDS } from "./events.ts";

/** "slotsUnpatched" → "SLOTS_UNPATCHED". */
const upperSnake = (name: string) => name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();

/** `enum { PREFIX_A = 0, PREFIX_B = 1 };` from names and values. */
function enumeration(prefix: string, entries: readonly (readonly [string, number])[]): string {
  return `enum { ${entries.map(([name, value]) => `${prefix}${upperSnake(name)} = ${value}`).join(", ")} };`;
}
const inOrder = (names: readonly string[]) => names.map((name, index) => [name, index] as const);

/** The option with that C constant, in the Linux table. */
function option(constant: string) {
  const found = Object.values(linux.options).find((spec) => spec?.constant === constant);
  if (!found) throw new Error(`no option ${constant} in the Linux table`);
  return found;
}

export function renderHeader(): string {
  const setFigures = TOTALS.length + KEPT_OPTIONS.length;
  const options = Object.values(linux.options).map((spec) => `{${spec!.level}, ${spec!.name}, "${spec!.constant}"}`);
  const errnos = Object.entries(linux.errno).map(([number, name]) => `{${number}, "${name}"}`);
  return `/* Written by \`npm run abi\` from src/abi/ (words.ts, figures.ts, events.ts) and the Linux
 * option table (src/sys/linux.ts): what kahook's TypeScript side and this library pass each
 * other. Do not edit; test/node-only/native-abi.test.ts checks it is what they render. */
#ifndef KAHOOK_ABI_H
#define KAHOOK_ABI_H

/* kahook_install's words (kahook.h describes them). */
enum { KAHOOK_ABI_VERSION = ${ABI_VERSION} };
${enumeration("FLAG_", Object.entries(FLAGS))}
enum { MAX_SETS = ${MAX_SETS}, MAX_SETTINGS = ${MAX_SETTINGS}, MAX_RULES = ${MAX_RULES}, MAX_WORDS = ${MAX_WORDS} };
${enumeration("SET_", Object.entries(SETS))}

/* What kahook_install and kahook_uninstall return instead of a count of slots. */
${enumeration("KAHOOK_", Object.entries(RESULTS))}

/* The figures (kahook_counters, KAHOOK_FIGURES): TOTALS, then the kept values by option, then per
 * setting set PER_SET figures; dead peers by cause. */
#define KAHOOK_FIGURES ${FIGURES_SYMBOL}
#define KAHOOK_FIGURES_MAGIC "${FIGURES_MAGIC}"
${enumeration("STAT_", inOrder(TOTALS))}
enum { STAT_KEPT_BY_OPTION = ${TOTALS.length}, KEPT_OPTIONS = ${KEPT_OPTIONS.length}, STAT_BY_SET = ${setFigures} };
${enumeration("SET_", inOrder(PER_SET))}
enum { SET_FIGURES = ${PER_SET.length}, STAT_TOTAL = ${setFigures + MAX_SETS * PER_SET.length} };
${enumeration("CAUSE_", inOrder(CAUSES))}
enum { CAUSES = ${CAUSES.length} };
/* The kept options' level and name, in STAT_KEPT_BY_OPTION's order. */
#define KAHOOK_KEPT_OPTIONS {${
    KEPT_OPTIONS.map((constant) => `{${option(constant).level}, ${option(constant).name}}`).join(", ")
  }}

/* An event (kahook_events): EVENT_WORDS int32 words. */
${enumeration("EVENT_", Object.entries(EVENT))}
enum { EVENT_WORDS = ${EVENT_WORDS} };
${enumeration("EVENT_", Object.entries(EVENT_KINDS))}

/* The names debug lines give: {level, name, "CONSTANT"} of each option, {number, "NAME"} of each errno. */
#define KAHOOK_OPTION_NAMES {${options.join(", ")}}
#define KAHOOK_ERRNO_NAMES {${errnos.join(", ")}}

#endif
`;
}
