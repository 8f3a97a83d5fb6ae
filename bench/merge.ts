/**
 * A run narrowed to some parts or runtimes (`run.js metrics node`) keeps the rest of the last
 * results: its parts' rows replace those of the runtimes it ran in the results.json it finds,
 * and the report says which parts ran again, and when.
 */
import type { Results } from "./report.ts";

/** The fields of Results each part writes. */
export const PART_FIELDS = {
  syscalls: ["syscalls"],
  time: ["time"],
  ffi: ["ffi"],
  interposer: ["interposerPath"],
  startup: ["startup", "firstConnection"],
  memory: ["memory"],
  programs: ["programs"],
  metrics: ["metrics"],
} as const satisfies Record<string, readonly (keyof Results)[]>;

export type Part = keyof typeof PART_FIELDS;

/**
 * `previous` with what the narrowed run `fresh` measured: for each part it ran, the rows of the
 * runtimes it ran (all of a part that runs once, such as programs) are fresh's.
 */
export function merge(previous: Results, fresh: Results, parts: readonly Part[], runtimes: readonly string[]): Results {
  const merged: Results = { ...previous, versions: { ...previous.versions, ...fresh.versions } };
  for (const field of parts.flatMap((part) => PART_FIELDS[part])) {
    const [old, now] = [previous[field], fresh[field]];
    // deno-lint-ignore no-explicit-any -- the fields' row types differ; each row names its runtime
    const kept = Array.isArray(old) ? (old as any[]).filter((row) => !runtimes.includes(row.runtime)) : [];
    Object.assign(merged, { [field]: Array.isArray(now) ? [...kept, ...now] : now });
  }
  // A part run again replaces its earlier rerun's note, as it replaced its rows.
  const earlier = (previous.reruns ?? []).filter((rerun) =>
    !(rerun.parts.every((part) => parts.includes(part as Part)) && rerun.runtimes.every((r) => runtimes.includes(r)))
  );
  merged.reruns = [...earlier, {
    date: fresh.date,
    parts: [...parts],
    runtimes: [...runtimes],
    seconds: fresh.seconds ?? 0,
  }];
  return merged;
}
