/**
 * Writes the benchmark results as JSON, a markdown report and an SVG chart; rewrites the marked
 * section of docs/benchmarks.md (every table) and of README.md (a few headline figures).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { median } from "./_stats.ts";

type RuntimeName = "node" | "bun" | "deno";

/** System calls per connection (strace -f -c, a run with 0 connections subtracted): setsockopt, getsockopt, all, by name. */
export interface CallsPerConnection {
  setsockopt: number;
  getsockopt: number;
  total: number;
  byName: Record<string, number>;
}

export interface Results {
  date: string;
  machine: string;
  versions: Record<string, string>;
  seconds?: number;
  /** Runs narrowed to some parts and runtimes since, whose rows replaced theirs (bench/merge.ts). */
  reruns?: { date: string; parts: string[]; runtimes: string[]; seconds: number }[];
  syscalls: ({ runtime: RuntimeName; contender: string } & CallsPerConnection)[];
  time: { runtime: RuntimeName; contender: string; usPerConnection: number; samples: number[] }[];
  ffi: {
    runtime: RuntimeName;
    nsPerCall: number;
    cNsPerCall: number;
    nsPerPath: number;
    cNsPerPath: number;
    nodeFfiNsPerCall?: number;
  }[];
  /** ns per loopback connection, one per round: nothing set, the 5 calls made by the program, by the C reference's connect, by the interposer. */
  interposerPath?: { connections: number; none: number[]; calls: number[]; reference: number[]; interposer: number[] };
  /** An empty program's start-up, in ms, one sample per round: no preload, an empty module in the form, kahook's preload in the form. */
  startup: {
    runtime: RuntimeName;
    form: string;
    none: number[];
    empty: number[];
    kahook: number[];
    /** ms over the empty module in the same form that the target allows. */
    targetMs?: number;
  }[];
  /** Medians, in ms, of a program's first loopback connection, connect to close. */
  firstConnection: { runtime: RuntimeName; msWithout: number; msWith: number }[];
  memory: {
    runtime: RuntimeName;
    contender: string;
    before: { rss: number; fds: number };
    after: { rss: number; fds: number };
  }[];
  /**
   * The preload's interposer in connect mode (one configured socket per connection, its client) with KAHOOK_METRICS
   * off and on: calls per connection, and µs per connection, one sample per round, off and on alternated.
   */
  metrics?: (
    & { runtime: RuntimeName; metrics: "off" | "on"; usPerConnection: number; samples: number[] }
    & CallsPerConnection
  )[];
  /** The C program native/connect_loop.c under each preload (none, kahook-run, libkeepalive0, c-reference), each a process of its own. */
  programs?: {
    /** Connections per timed run, per strace run; alternated rounds of the timed and of the start-up runs. */
    connections: number;
    straceConnections: number;
    rounds: number;
    startupRounds: number;
    /** Contenders that could not run on the machine, and why. */
    skipped: { contender: string; reason: string }[];
    /** Calls per connection (strace -f -c, a run with 0 connections subtracted); startupCalls: all calls of that run. */
    syscalls: {
      contender: string;
      setsockopt: number;
      total: number;
      startupCalls: number;
      byName: Record<string, number>;
    }[];
    /** µs per connection, one sample per round. */
    time: { contender: string; usPerConnection: number; samples: number[] }[];
    /** ms from spawn to exit with 0 connections, one sample per round; kahook-run-cli: through `kahook run --`. */
    startup: { contender: string; ms: number; samples: number[] }[];
  };
}

const MiB = 1024 * 1024;
const fixed = (
  value: number | undefined,
  digits = 1,
) => (value === undefined || Number.isNaN(value) ? "-" : value.toFixed(digits));
const table = (header: string[], rows: string[][]) =>
  [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
const verdict = (met: boolean) => (met ? "met" : "**not met**");
/** Median over rounds of a[i] / b[i]. */
const pairedRatio = (a: number[], b: number[]) => median(a.map((value, i) => value / b[i]));
/** The median of the differences within each round: drift between rounds cancels out. */
const pairedDifference = (a: number[], b: number[]) => median(a.map((value, i) => value - b[i]));

/** Half the interquartile range: the spread of the middle half of the samples, in their unit. */
function halfIqr(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.round(q * (sorted.length - 1))];
  return sorted.length ? (at(0.75) - at(0.25)) / 2 : NaN;
}

/** RSS differences between two runs of the same program this small are the allocator's noise, MiB. */
const RSS_NOISE_MIB = 8;
const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** The number of options kahook sets per client in the default configuration. */
const DEFAULT_OPTIONS = 5;

/** The median over rounds of what `who` adds to a connection over what `than` adds. */
function addedRatio(path: NonNullable<Results["interposerPath"]>, who: number[], than: number[]): number {
  return median(who.map((ns, round) => (ns - path.none[round]) / (than[round] - path.none[round])));
}

/** What each contender of the C programs' part preloads, for the report. */
const PROGRAM_PRELOADS: Record<string, string> = {
  none: "nothing",
  "kahook-run": "libkahook.so with `kahook env`'s variables (default configuration)",
  libkeepalive0: "/usr/lib/libkeepalive.so, KEEPIDLE=15 KEEPCNT=9 KEEPINTVL=15",
  "c-reference": "native/keepalive_preload.c",
  "kahook-run-cli": "`kahook run -- connect_loop 0 0` through the CLI (node + libkahook.so)",
};

/** Per round, what `who` adds to a connection over no preload, µs; and its median. */
function programAdded(programs: NonNullable<Results["programs"]>, who: string): number[] | undefined {
  const samples = (contender: string) => programs.time.find((t) => t.contender === contender)?.samples;
  const [mine, none] = [samples(who), samples("none")];
  return mine && none ? mine.map((us, round) => us - none[round]) : undefined;
}

/**
 * The C programs' line: setsockopt and µs each preload adds per connection, and the target: kahook's
 * preload library's µs per connection within 5% of the C reference's, paired round by round.
 */
function programsTarget(programs: NonNullable<Results["programs"]>): string | undefined {
  const calls = (contender: string) => programs.syscalls.find((s) => s.contender === contender);
  const time = (contender: string) => programs.time.find((t) => t.contender === contender)?.samples;
  const [none, kahook, reference] = [calls("none"), calls("kahook-run"), calls("c-reference")];
  const [kahookUs, referenceUs] = [time("kahook-run"), time("c-reference")];
  if (!none || !kahook || !reference || !kahookUs || !referenceUs) return undefined;
  const setsockopt = (
    row: { setsockopt: number } | undefined,
  ) => (row ? fixed(row.setsockopt - none.setsockopt, 2) : "not installed");
  const ratios = kahookUs.map((us, round) => us / referenceUs[round]);
  const [ratio, noise] = [median(ratios), halfIqr(ratios)];
  // A spread wider than the 5% margin means the machine was too busy for the rounds to tell.
  const outcome = noise > 0.05
    ? "**inconclusive** (the rounds' spread exceeds the margin)"
    : verdict(Math.abs(ratio - 1) <= 0.05);
  return (
    `- C programs: kahook run adds ${setsockopt(kahook)} setsockopt per connection (libkeepalive0 ${
      setsockopt(calls("libkeepalive0"))
    }, ` +
    `C reference ${setsockopt(reference)}) and ${
      fixed(median(programAdded(programs, "kahook-run")!), 2)
    } µs per connection ` +
    `against the C reference's ${
      fixed(median(programAdded(programs, "c-reference")!), 2)
    } µs; its µs per connection differ from the C reference's by ` +
    `${ratio >= 1 ? "+" : ""}${fixed((ratio - 1) * 100)}% (median of ${ratios.length} paired rounds, ` +
    `half their interquartile range ±${fixed(noise * 100)}%; target within 5%): ${outcome}`
  );
}

/**
 * The calls whose count per connection differs from base's by `threshold` or more, as "name +1.0", with
 * `digits` decimals; "-" when none does.
 */
function callsDiffering(
  byName: Record<string, number>,
  base: Record<string, number>,
  threshold: number,
  digits: number,
): string {
  return Object.keys({ ...byName, ...base })
    .map((name) => [name, (byName[name] ?? 0) - (base[name] ?? 0)] as const)
    .filter(([, delta]) => Math.abs(delta) >= threshold)
    .map(([name, delta]) => `${name} ${delta > 0 ? "+" : ""}${fixed(delta, digits)}`)
    .join(", ") || "-";
}

/** A runtime's rows of the metrics part, off and on; undefined where it did not run. */
function metricsRows(results: Results, runtime: RuntimeName) {
  const [off, on] = (["off", "on"] as const).map((metrics) =>
    results.metrics?.find((row) => row.runtime === runtime && row.metrics === metrics)
  );
  return off && on ? { off, on } : undefined;
}

/** What metrics on cost a runtime's connection against off: the median of the ratios within a round, and their spread. */
function metricsCost({ off, on }: NonNullable<ReturnType<typeof metricsRows>>): string {
  const ratios = on.samples.map((us, round) => us / off.samples[round]);
  const change = median(ratios) - 1;
  return `${change >= 0 ? "+" : ""}${fixed(change * 100)}% ±${fixed(halfIqr(ratios) * 100)}%`;
}

/**
 * The metrics target of one runtime: KAHOOK_METRICS=1 adds one getsockopt per configured connection
 * closed (the metrics part's connections have one each, their client) and sets what metrics off
 * sets. Other calls whose count differs are listed: a runtime's own, such as Bun's futex, vary
 * between runs of one setting.
 */
function metricsTarget(results: Results, runtime: RuntimeName): string | undefined {
  const rows = metricsRows(results, runtime);
  if (!rows) return undefined;
  const { off, on } = rows;
  const added = on.getsockopt - off.getsockopt;
  const others = (byName: Record<string, number>) => ({ ...byName, getsockopt: 0, setsockopt: 0 });
  const otherCalls = callsDiffering(others(on.byName), others(off.byName), 0.5, 1);
  return (
    `- ${runtime}: KAHOOK_METRICS=1 adds ${fixed(added, 2)} getsockopt per connection, one configured ` +
    `connection closed each (target 1), with ${fixed(on.setsockopt, 2)} setsockopt against ` +
    `${fixed(off.setsockopt, 2)} off (target the same); other calls that differ: ` +
    `${otherCalls === "-" ? "none" : otherCalls}; µs per connection ${metricsCost(rows)} against metrics off: ${
      verdict(Math.abs(added - 1) < 0.05 && Math.abs(on.setsockopt - off.setsockopt) < 0.05)
    }`
  );
}

/** Calls a contender may add besides setsockopt, and why. */
interface Allowance {
  reason: string;
  calls: readonly string[];
}

/**
 * The system-call target of one runtime's contender: the default configuration's setsockopt per
 * client connection and no other call added (but an allowance's); with the contender that
 * configures listening sockets, none per accepted connection.
 */
function callsTarget(
  results: Results,
  runtime: RuntimeName,
  client: string,
  listener?: string,
  allowance?: Allowance,
): string | undefined {
  const calls = (contender: string) => results.syscalls.find((s) => s.runtime === runtime && s.contender === contender);
  const [none, connecting, listening] = [calls("none"), calls(client), listener && calls(listener)];
  if (!none || !connecting || (listener && !listening)) return undefined;
  const added = (name: string) => (connecting.byName[name] ?? 0) - (none.byName[name] ?? 0);
  const others = Object.keys({ ...connecting.byName, ...none.byName })
    .filter((name) => name !== "setsockopt" && !allowance?.calls.includes(name) && added(name) >= 0.5)
    .map((name) => `${name} +${fixed(added(name))}`);
  const setsockopt = added("setsockopt");
  const accepted = listening ? (listening.byName.setsockopt ?? 0) - (none.byName.setsockopt ?? 0) : 0;
  const allowed = allowance
    ? ` (besides ${allowance.reason}: ${allowance.calls.map((name) => `${name} +${fixed(added(name))}`).join(", ")})`
    : "";
  return (
    `- ${runtime}: ${fixed(setsockopt, 2)} setsockopt per client connection (target ${DEFAULT_OPTIONS}), ` +
    (listening ? `${fixed(accepted, 2)} per accepted connection (target 0), ` : "") +
    `other added calls per client connection: ${others.join(", ") || "none"}${allowed}: ` +
    verdict(Math.abs(setsockopt - DEFAULT_OPTIONS) < 0.05 && Math.abs(accepted) < 0.05 && others.length === 0)
  );
}

/** The targets of the default path: the preload with the native interposer, and libkahook.so under `kahook run`. */
function interposerTargets(results: Results): string[] {
  const lines: string[] = [];
  const programs = results.programs && programsTarget(results.programs);
  if (programs) lines.push(programs);
  if (results.interposerPath) {
    const path = results.interposerPath;
    const ratio = addedRatio(path, path.interposer, path.reference);
    lines.push(
      `- all runtimes: the interposer's per-connection path costs ${
        fixed(ratio, 2)
      }× the same calls from the C reference's connect ` +
        `(target ≤ 1.05×; ${
          fixed(addedRatio(path, path.interposer, path.calls), 2)
        }× the calls made by the program itself): ${verdict(ratio <= 1.05)}`,
    );
  }
  for (const runtime of ["node", "bun", "deno"] as RuntimeName[]) {
    const calls = callsTarget(results, runtime, "kahook-connect", "kahook-listen");
    if (calls) lines.push(calls);
    const metrics = metricsTarget(results, runtime);
    if (metrics) lines.push(metrics);
    const time = (contender: string) =>
      results.time.find((t) => t.runtime === runtime && t.contender === contender)?.samples;
    const [kahook, reference, bare, cListen] = [
      time("kahook-connect"),
      time("c-connect"),
      time("none"),
      time("c-listen"),
    ];
    if (kahook && reference && bare && cListen) {
      // Rounds ran back to back, so the ratio within a round cancels most of the machine's drift.
      const throughput = pairedRatio(reference, kahook); // connections per second, kahook's over the C reference's
      // c-listen makes the same client-side calls as none: their spread is the measurement's noise.
      const noise = Math.abs(pairedRatio(bare, cListen) - 1);
      lines.push(
        `- ${runtime}: end to end, connection throughput under the preload is ${
          fixed((throughput - 1) * 100)
        }% against the C reference's ` +
          `(target within -2%; noise between two equal contenders here: ±${fixed(noise * 100)}%): ${
            verdict(throughput >= 0.98)
          }`,
      );
    }
    for (const start of results.startup.filter((s) => s.runtime === runtime && s.targetMs !== undefined)) {
      const added = pairedDifference(start.kahook, start.empty);
      lines.push(
        `- ${runtime}: \`${start.form} kahook/register\` adds ${fixed(added)} ms over an empty ${start.form} module ` +
          `(target ≤ ${start.targetMs} ms): ${verdict(added <= start.targetMs!)}`,
      );
    }
    const run = results.memory.find((m) => m.runtime === runtime && m.contender === "kahook-socket");
    const base = results.memory.find((m) => m.runtime === runtime && m.contender === "none");
    if (run && base) {
      // What kahook adds is what grows beyond the runtime's own growth without it.
      const growth = (run.after.rss - run.before.rss) / MiB;
      const baseGrowth = (base.after.rss - base.before.rss) / MiB;
      const fds = run.after.fds - run.before.fds;
      const baseFds = base.after.fds - base.before.fds;
      lines.push(
        `- ${runtime}: over 100,000 connections under the preload the fd count goes ${run.before.fds} → ${run.after.fds} ` +
          `(${signed(baseFds)} without kahook) and RSS grows ${fixed(growth)} MiB (${
            fixed(baseGrowth)
          } MiB without kahook; ` +
          `a growth within ${RSS_NOISE_MIB} MiB of that counts as flat): ${
            verdict(fds <= baseFds && growth <= baseGrowth + RSS_NOISE_MIB)
          }`,
      );
    }
  }
  return lines;
}

/** Deno's handles give the JavaScript hooks no fd, only a duplicate: its calls are their allowed price there. */
const FD_DUPLICATE: Allowance = { reason: "the fd duplicate", calls: ["dup", "fcntl", "close"] };

/** The targets of the JavaScript hooks, the fallback (KAHOOK_INTERPOSER=0, or where the interposer cannot load). */
function hooksTargets(results: Results): string[] {
  const lines: string[] = [];
  for (const runtime of ["node", "bun", "deno"] as RuntimeName[]) {
    const calls = callsTarget(
      results,
      runtime,
      "hooks-connect",
      undefined,
      runtime === "deno" ? FD_DUPLICATE : undefined,
    );
    if (calls) lines.push(calls);
    const ffi = results.ffi.find((f) => f.runtime === runtime);
    if (ffi) {
      const limit = runtime === "node" ? 1.5 : 1.2;
      const ratio = ffi.nsPerPath / ffi.cNsPerPath;
      lines.push(
        `- ${runtime}: the hooks' per-connection path through the runtime's FFI takes ${
          fixed(ratio, 2)
        }× the same calls from C (target ≤ ${limit}×): ${verdict(ratio <= limit)}`,
      );
    }
  }
  return lines;
}

/** What the contenders of the runtimes' tables are, kahook's two ways apart. */
const CONTENDERS =
  "`kahook-connect` and `kahook-listen` are the preload with the native interposer, the default, in KAHOOK_MODE connect and listen; `hooks-connect` is the preload with the JavaScript hooks alone (KAHOOK_INTERPOSER=0)";

/** When, where and with which runtimes the suite ran. */
const measured = (results: Results) =>
  `Measured ${results.date.slice(0, 10)} on ${results.machine}; ${
    Object.entries(results.versions).map(([k, v]) => `${k} ${v}`).join(", ")
  }.`;

/** The parts that ran again since, narrowed (bench/merge.ts): "" when none did. */
const reran = (results: Results) =>
  (results.reruns ?? []).map(({ date, parts, runtimes, seconds }) =>
    ` Its ${parts.join(", ")} part${parts.length > 1 ? "s" : ""} ran again for ${runtimes.join(", ")} on ` +
    `${date.slice(0, 10)} (${fixed(seconds, 0)} s).`
  ).join("");

function markdown(results: Results): string {
  const sections = [
    `${measured(results)} Medians of alternated runs; the suite took ${fixed(results.seconds, 0)} s.${reran(results)}`,
    "**Targets of the default path**: the preload with the native interposer (the contenders named `kahook-*`), and `libkahook.so` under `kahook run`",
    interposerTargets(results).join("\n"),
    "**Targets of the JavaScript hooks**, the fallback (`KAHOOK_INTERPOSER=0`, or where the interposer cannot load; the contender `hooks-connect`)",
    hooksTargets(results).join("\n"),
  ];
  if (results.syscalls.length) {
    sections.push(
      `**System calls per connection** (strace -f -c, 400 connections, start-up subtracted; client and server in one process; ${CONTENDERS})`,
      table(
        ["runtime", "contender", "setsockopt", "getsockopt", "all calls", "calls that differ from none"],
        results.syscalls.map((s) => {
          const none = results.syscalls.find((n) => n.runtime === s.runtime && n.contender === "none")!;
          return [
            s.runtime,
            s.contender,
            fixed(s.setsockopt, 2),
            fixed(s.getsockopt, 2),
            fixed(s.total),
            callsDiffering(s.byName, none.byName, 0.5, 1),
          ];
        }),
      ),
    );
  }
  if (results.time.length) {
    sections.push(
      `**Time per connection** (connect, accept, close on loopback; 1,500 connections per run, 11 runs alternated; ${CONTENDERS})`,
      table(
        ["runtime", "contender", "µs per connection", "vs none"],
        results.time.map((t) => {
          const none = results.time.find((n) => n.runtime === t.runtime && n.contender === "none")!;
          return [
            t.runtime,
            t.contender,
            fixed(t.usPerConnection),
            `${fixed(t.usPerConnection - none.usPerConnection)} µs`,
          ];
        }),
      ),
    );
  }
  if (results.ffi.length) {
    sections.push(
      "**FFI cost, in process: the JavaScript hooks' path** (one setsockopt through the runtime's FFI, koffi, bun:ffi or Deno.dlopen, as the JavaScript hooks and setKeepAlive() from code make it; the hooks' per-connection path of 5 setsockopt; against the same calls from C. The interposer makes its calls from C: the next table)",
      table(
        [
          "runtime",
          "ns per call",
          "C ns per call",
          "ns per path",
          "C ns per path",
          "path ratio",
          "node:ffi ns per call",
        ],
        results.ffi.map((f) => [
          f.runtime,
          fixed(f.nsPerCall),
          fixed(f.cNsPerCall),
          fixed(f.nsPerPath),
          fixed(f.cNsPerPath),
          `${fixed(f.nsPerPath / f.cNsPerPath, 2)}×`,
          fixed(f.nodeFfiNsPerCall),
        ]),
      ),
    );
  }
  if (results.interposerPath) {
    const path = results.interposerPath;
    const added = (ns: number[]) => median(ns.map((value, round) => value - path.none[round]));
    sections.push(
      `**The interposer's path** (native/interposer_path.c, in one process: ${path.none.length} rounds of ${path.connections} loopback connections, socket to close, each round alternating the four)`,
      table(["connection", "ns per connection", "added ns", "added vs the C reference's"], [
        ["nothing set", fixed(median(path.none)), "-", "-"],
        [
          "5 setsockopt calls made by the program",
          fixed(median(path.calls)),
          fixed(added(path.calls)),
          `${fixed(addedRatio(path, path.calls, path.reference), 2)}×`,
        ],
        ["the C reference's connect making them", fixed(median(path.reference)), fixed(added(path.reference)), "1.00×"],
        [
          "the interposer making them",
          fixed(median(path.interposer)),
          fixed(added(path.interposer)),
          `${fixed(addedRatio(path, path.interposer, path.reference), 2)}×`,
        ],
      ]),
    );
  }
  if (results.startup.length) {
    sections.push(
      `**Start-up** (an empty program, process start to exit, in ms; ${
        results.startup[0].none.length
      } alternated rounds of each row of a runtime: ` +
        'medians, and the differences as medians of the differences within a round; "empty" preloads an empty module in the same form, the floor of any preload)',
      table(
        ["runtime", "form", "no preload", "empty", "kahook", "kahook − no preload", "kahook − empty"],
        results.startup.map((s) => [
          s.runtime,
          s.form,
          fixed(median(s.none)),
          fixed(median(s.empty)),
          fixed(median(s.kahook)),
          fixed(pairedDifference(s.kahook, s.none)),
          fixed(pairedDifference(s.kahook, s.empty)),
        ]),
      ),
      "**First connection** (a program's first loopback connection, connect to close; 15 alternated runs of each)",
      table(
        ["runtime", "ms without", "ms with the preload"],
        results.firstConnection.map((f) => [f.runtime, fixed(f.msWithout, 2), fixed(f.msWith, 2)]),
      ),
    );
  }
  if (results.memory.length) {
    sections.push(
      "**Memory** (after 1,000 warm-up connections, and after 100,000 more)",
      table(
        ["runtime", "contender", "RSS before MiB", "RSS after MiB", "fds before", "fds after"],
        results.memory.map((m) => [
          m.runtime,
          m.contender,
          fixed(m.before.rss / MiB),
          fixed(m.after.rss / MiB),
          String(m.before.fds),
          String(m.after.fds),
        ]),
      ),
    );
  }
  if (results.metrics?.length) sections.push(...metricsSection(results));
  if (results.programs) sections.push(...programsSection(results.programs));
  return sections.join("\n\n") + "\n";
}

/** The metrics part's table: each runtime's calls and µs per connection with KAHOOK_METRICS off and on. */
function metricsSection(results: Results): string[] {
  const rows = results.metrics ?? [];
  return [
    "**Metrics off and on** (the preload's interposer in connect mode, `kahook-connect`: one configured socket per " +
    "loopback connection, its client; with `KAHOOK_METRICS=0`, the default, and `=1`, which asks each configured " +
    "connection why it ended as it closes. System calls from strace -f -c over 400 connections, start-up " +
    "subtracted; µs per connection of 1,500 " +
    `connections per run, ${rows[0]?.samples.length} runs of each alternated: medians, and on against off as the ` +
    "median of the ratios within a round ± half their interquartile range)",
    table(
      [
        "runtime",
        "KAHOOK_METRICS",
        "setsockopt",
        "getsockopt",
        "all calls",
        "calls that differ from off",
        "µs per connection",
        "on vs off",
      ],
      rows.map((row) => {
        const both = metricsRows(results, row.runtime);
        const on = row.metrics === "on" && both;
        return [
          row.runtime,
          row.metrics === "on" ? "1" : "0",
          fixed(row.setsockopt, 2),
          fixed(row.getsockopt, 2),
          fixed(row.total),
          on ? callsDiffering(on.on.byName, on.off.byName, 0.5, 2) : "-",
          fixed(row.usPerConnection),
          on ? metricsCost(on) : "-",
        ];
      }),
    ),
  ];
}

/** The C programs' table: one row per contender, and the `kahook run` CLI's start-up row. */
function programsSection(programs: NonNullable<Results["programs"]>): string[] {
  const none = programs.syscalls.find((s) => s.contender === "none");
  const rows = programs.startup.map(({ contender, ms, samples }) => {
    const calls = programs.syscalls.find((s) => s.contender === contender);
    const time = programs.time.find((t) => t.contender === contender);
    const added = programAdded(programs, contender);
    const differing = calls && none ? callsDiffering(calls.byName, none.byName, 0.05, 2) : "-";
    return [
      contender,
      PROGRAM_PRELOADS[contender] ?? "-",
      calls ? fixed(calls.setsockopt, 2) : "-",
      calls ? fixed(calls.total, 2) : "-",
      differing,
      time ? `${fixed(time.usPerConnection, 2)} ±${fixed(halfIqr(time.samples), 2)}` : "-",
      added && contender !== "none" ? fixed(median(added), 2) : "-",
      `${fixed(ms, 2)} ±${fixed(halfIqr(samples), 2)}`,
      calls ? String(calls.startupCalls) : "-",
    ];
  });
  const skipped = programs.skipped.map(({ contender, reason }) => `${contender} did not run: ${reason}.`);
  return [
    `**C programs** (native/connect_loop.c, each contender a process of its own started as a user would: ` +
    `${
      programs.connections.toLocaleString("en")
    } loopback connections to its own listener per timed run, socket, connect, accept, close, ` +
    `after a warm-up; system calls from strace -f -c over ${
      programs.straceConnections.toLocaleString("en")
    } connections with a run of 0 subtracted; ` +
    `` +
    `start-up is spawn to exit of a run with 0 connections; ${programs.rounds} rounds of each timed run and ${programs.startupRounds} of each start-up alternated, ` +
    `the CLI's on rounds of its own; medians ± half the interquartile range)`,
    table(
      [
        "contender",
        "preloads",
        "setsockopt per connection",
        "all calls per connection",
        "calls that differ from none",
        "µs per connection",
        "added µs vs none",
        "start-up ms",
        "start-up calls",
      ],
      rows,
    ),
    ...(skipped.length ? [skipped.join(" ")] : []),
  ];
}

/** Two panels of bars: µs per connection by contender, and the JavaScript hooks' in-process path against C. */
export function chart(results: Results): string {
  const runtimes = ["node", "bun", "deno"] as RuntimeName[];
  const contenders = [...new Set(results.time.map((t) => t.contender))];
  const colors = ["#888888", "#1f77b4", "#6baed6", "#ff7f0e", "#d62728", "#2ca02c", "#98df8a", "#9467bd"];
  const width = 760;
  const bar = 12;
  const parts: string[] = [];
  let y = 30;
  const panel = (title: string, rows: { label: string; value: number; color: string }[], unit: string) => {
    if (rows.length === 0) return;
    const max = Math.max(...rows.map((r) => r.value), 1);
    parts.push(`<text x="10" y="${y}" font-weight="bold">${title}</text>`);
    y += 12;
    for (const row of rows) {
      const length = (row.value / max) * (width - 330);
      parts.push(
        `<text x="10" y="${y + bar - 2}">${row.label}</text>`,
        `<rect x="210" y="${y}" width="${length.toFixed(1)}" height="${bar}" fill="${row.color}"/>`,
        `<text x="${(215 + length).toFixed(1)}" y="${y + bar - 2}">${fixed(row.value)} ${unit}</text>`,
      );
      y += bar + 4;
    }
    y += 24;
  };
  panel(
    "Time per loopback connection (median)",
    runtimes.flatMap((runtime) =>
      contenders.flatMap((contender, i) => {
        const t = results.time.find((r) => r.runtime === runtime && r.contender === contender);
        return t
          ? [{ label: `${runtime} ${contender}`, value: t.usPerConnection, color: colors[i % colors.length] }]
          : [];
      })
    ),
    "µs",
  );
  panel(
    "The JavaScript hooks' per-connection path in process: 5 setsockopt through the FFI (median)",
    results.ffi.flatMap((f) => [
      { label: `${f.runtime} hooks`, value: f.nsPerPath, color: colors[1] },
      { label: `${f.runtime} C`, value: f.cNsPerPath, color: colors[5] },
    ]),
    "ns",
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="11">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${parts.join("\n")}\n</svg>\n`;
}

/** Where a generated section starts and ends in a markdown file. */
export interface Markers {
  start: string;
  end: string;
}

/** docs/benchmarks.md: every table of the report, and the chart. */
export const REPORT_MARKERS: Markers = { start: "<!-- bench:start -->", end: "<!-- bench:end -->" };
/** README.md: the headline figures, and the chart. */
export const HEADLINE_MARKERS: Markers = { start: "<!-- bench-headline:start -->", end: "<!-- bench-headline:end -->" };

/** The files whose marked sections a run rewrites. */
export interface ReportFiles {
  /** README.md, with HEADLINE_MARKERS. */
  readme: string;
  /** docs/benchmarks.md, with REPORT_MARKERS. */
  page: string;
}

/** A path to `to` as a markdown link in `from` takes it: relative to from's directory. */
const linkFrom = (from: string, to: string) => relative(dirname(from), to);

/** The section of docs/benchmarks.md: the whole report, then the chart. */
export function reportSection(results: Results, chart: string): string {
  return `${markdown(results)}\n![benchmark chart](${chart})\n`;
}

/** The README's section: a few figures from the report, a link to it, then the chart. */
export function headlineSection(results: Results, chart: string, page: string): string {
  const runtimes = (["node", "bun", "deno"] as RuntimeName[]).filter((runtime) =>
    results.syscalls.some((s) => s.runtime === runtime)
  );
  const lines: string[] = [];
  const added = (contender: string, runtime: RuntimeName) => {
    const [mine, none] = [contender, "none"].map((name) =>
      results.syscalls.find((s) => s.runtime === runtime && s.contender === name)
    );
    return mine && none ? fixed((mine.byName.setsockopt ?? 0) - (none.byName.setsockopt ?? 0), 2) : "-";
  };
  if (runtimes.length) {
    lines.push(
      `- System calls: ${
        runtimes.map((runtime) => `${runtime} ${added("kahook-connect", runtime)}`).join(", ")
      } setsockopt added per client connection ` +
        `(the default configuration sets ${DEFAULT_OPTIONS} options), and ${
          runtimes.map((runtime) => `${runtime} ${added("kahook-listen", runtime)}`).join(", ")
        } per accepted connection.`,
    );
  }
  const timed = (["node", "bun", "deno"] as RuntimeName[]).flatMap((runtime) => {
    const [kahook, none] = ["kahook-connect", "none"].map((name) =>
      results.time.find((t) => t.runtime === runtime && t.contender === name)
    );
    return kahook && none
      ? [`${runtime} ${fixed(kahook.usPerConnection)} µs against ${fixed(none.usPerConnection)} µs`]
      : [];
  });
  if (timed.length) {
    lines.push(
      `- Time per loopback connection (connect, accept, close), with the preload and without: ${timed.join(", ")}.`,
    );
  }
  const metered = (["node", "bun", "deno"] as RuntimeName[]).flatMap((runtime) => {
    const rows = metricsRows(results, runtime);
    return rows
      ? [`${runtime} ${fixed(rows.on.getsockopt - rows.off.getsockopt, 2)} getsockopt and ${metricsCost(rows)} µs`]
      : [];
  });
  if (metered.length) {
    lines.push(
      `- Dead peers counted (\`KAHOOK_METRICS=1\`), per configured connection closed, against the default: ${
        metered.join(", ")
      }.`,
    );
  }
  const started = results.startup.filter((s) => s.targetMs !== undefined).map((s) =>
    `${s.runtime} \`${s.form}\` ${fixed(pairedDifference(s.kahook, s.empty))} ms`
  );
  if (started.length) {
    lines.push(`- Start-up of an empty program, added by the preload over an empty one: ${started.join(", ")}.`);
  }
  const programs = results.programs;
  const [kahookRun, reference] = programs
    ? [programAdded(programs, "kahook-run"), programAdded(programs, "c-reference")]
    : [];
  if (kahookRun && reference) {
    lines.push(
      `- C programs under \`kahook run\`: ${fixed(median(kahookRun), 2)} µs added per connection, ` +
        `against ${fixed(median(reference), 2)} µs for a C \`LD_PRELOAD\` library with libkeepalive's semantics.`,
    );
  }
  const met = (verdicts: string[]) =>
    `${verdicts.filter((line) => line.endsWith(": met")).length} of ${verdicts.length}`;
  lines.push(
    `- Targets met: ${met(interposerTargets(results))} with the interposer, the default; ` +
      `${met(hooksTargets(results))} with the JavaScript hooks, the fallback.`,
  );
  return (
    `${measured(results)}${reran(results)} Every table, and what each target means: [${page}](${page}).\n\n${
      lines.join("\n")
    }\n\n![benchmark chart](${chart})\n`
  );
}

/** text with what lies between its markers replaced by content; throws when file lacks them. */
export function withSection(text: string, markers: Markers, content: string, file: string): string {
  const [start, end] = [text.indexOf(markers.start), text.indexOf(markers.end)];
  if (start < 0 || end < start) {
    throw new Error(
      `${file} lacks the markers ${markers.start} and ${markers.end}: its benchmark figures cannot be rewritten`,
    );
  }
  return `${text.slice(0, start + markers.start.length)}\n${content}${text.slice(end)}`;
}

/** The texts of the report files with their sections generated from results, the results directory holding the chart. */
export function reportTexts(
  results: Results,
  directory: string,
  files: ReportFiles,
): Record<keyof ReportFiles, string> {
  const chart = join(directory, "chart.svg");
  const read = (file: string) => readFileSync(file, "utf8");
  return {
    readme: withSection(
      read(files.readme),
      HEADLINE_MARKERS,
      headlineSection(results, linkFrom(files.readme, chart), linkFrom(files.readme, files.page)),
      files.readme,
    ),
    page: withSection(
      read(files.page),
      REPORT_MARKERS,
      reportSection(results, linkFrom(files.page, chart)),
      files.page,
    ),
  };
}

export function writeReports(results: Results, directory: string, files: ReportFiles): void {
  writeFileSync(join(directory, "results.json"), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(join(directory, "chart.svg"), chart(results));
  // Both texts first: a file without its markers stops the run before either is written.
  const texts = reportTexts(results, directory, files);
  writeFileSync(files.page, texts.page);
  writeFileSync(files.readme, texts.readme);
}
