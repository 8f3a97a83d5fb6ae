/**
 * The benchmark suite: `npm run bench`. Runs each part for Node, Bun and Deno, alternating
 * the contenders within one run, and writes bench/results/results.json and chart.svg, every table into docs/benchmarks.md and the headline figures into README.md, each
 * between its markers. Progress goes to stderr.
 * Usage: run.js [part or runtime ...], or run.js report (the last results reported again)
 *   parts: syscalls, time, ffi, interposer, startup, memory,
 * programs, metrics; runtimes: node, bun, deno (default: all of each). The runtimes filter the
 * runtime parts; programs (a C program under kahook run, libkeepalive0 and the C reference) runs
 * once. A narrowed run replaces the rows it measured in the last results.json and keeps the
 * rest (bench/merge.ts).
 */
import { execFileSync, spawn } from "../src/host/spawn.ts";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { preloadEnv } from "../src/commands/preload.ts";
import { configFromEnv } from "../src/config/env.ts";
import { libraryPath } from "../src/interposer/index.ts";
import { root } from "../test/_repo.ts";
import { RUNTIME_BINARIES } from "../test/_runtimes.ts";
import { alternate, median } from "./_stats.ts";
import { merge, type Part } from "./merge.ts";
import { type CallsPerConnection, type Results, writeReports } from "./report.ts";

const build = mkdtempSync(join(tmpdir(), "kahook-bench-"));

/** A way to load a preload, with the module it loads: an empty one (the floor any preload pays), or kahook's. */
interface PreloadForm {
  /** As the start-up table names it: "--require", "--import", "--preload", "--preload src/register.ts". */
  name: string;
  flag: string;
  empty: string;
  kahook: string;
  /** The start-up target, ms over the empty module preloaded in the same form: 1.5 for the bundles, 3 for Deno's sources. */
  targetMs?: number;
}

interface Runtime {
  name: "node" | "bun" | "deno";
  binary: string;
  /** Arguments before the script. */
  run: string[];
  /** Arguments that load kahook's preload: the bundle that an npm install resolves kahook/register to. */
  preload: string[];
  /** Every form the start-up part times. */
  forms: PreloadForm[];
  /** The script, compiled (Node) or TypeScript (Bun, Deno), relative to bench/. */
  script(name: string): string;
}

const EMPTY_CJS = join(build, "empty.cjs");
const EMPTY_ESM = join(build, "empty.mjs");
const REGISTER_CJS = join(root, "dist/src/register.cjs");
const REGISTER_ESM = join(root, "dist/src/register.js");
/** What Bun and Deno load from source, as from a clone or from JSR: the module graph rather than a bundle. */
const REGISTER_SOURCE = join(root, "src/register.ts");
/** The preload's bundles should add at most this over an empty module preloaded in the same form, ms. */
const BUNDLE_TARGET_MS = 1.5;
const bundleForm = (name: string, flag: string, empty: string, kahook: string): PreloadForm => ({
  name,
  flag,
  empty,
  kahook,
  targetMs: BUNDLE_TARGET_MS,
});
const sourceForm = (targetMs?: number): PreloadForm => ({
  name: "--preload src/register.ts",
  flag: "--preload",
  empty: EMPTY_ESM,
  kahook: REGISTER_SOURCE,
  targetMs,
});
const ESM_BUNDLE = bundleForm("--preload", "--preload", EMPTY_ESM, REGISTER_ESM);

const ALL_RUNTIMES: Runtime[] = [
  {
    name: "node",
    binary: process.execPath,
    run: [],
    preload: ["--require", REGISTER_CJS],
    forms: [
      bundleForm("--require", "--require", EMPTY_CJS, REGISTER_CJS),
      bundleForm("--import", "--import", EMPTY_ESM, REGISTER_ESM),
    ],
    script: (name) => join(root, "dist/bench", `${name}.js`),
  },
  {
    name: "bun",
    binary: RUNTIME_BINARIES.bun,
    run: [],
    preload: ["--preload", REGISTER_ESM],
    forms: [ESM_BUNDLE, sourceForm()],
    script: (name) => join(root, "bench", `${name}.ts`),
  },
  {
    name: "deno",
    binary: RUNTIME_BINARIES.deno,
    run: ["run", "-A"],
    preload: ["--preload", REGISTER_ESM],
    forms: [ESM_BUNDLE, sourceForm(3)],
    script: (name) => join(root, "bench", `${name}.ts`),
  },
];

/** Who sets the options on each connection. */
export type Contender =
  | "none"
  | "kahook-connect"
  | "kahook-listen"
  | "kahook-socket"
  | "hooks-connect"
  | "setKeepAlive"
  | "net-keepalive"
  | "c-connect"
  | "c-listen";

const C_PRELOAD = join(build, "keepalive_preload.so");
const C_LOOP = join(build, "setsockopt_loop");
const C_INTERPOSER_PATH = join(build, "interposer_path");
const C_CONNECT_LOOP = join(build, "connect_loop");

function contendersFor(runtime: Runtime): Contender[] {
  // kahook-*: the preload with its interposer; hooks-connect: the preload's JavaScript hooks alone (KAHOOK_INTERPOSER=0).
  const all: Contender[] = [
    "none",
    "kahook-connect",
    "kahook-listen",
    "hooks-connect",
    "setKeepAlive",
    "c-connect",
    "c-listen",
  ];
  // net-keepalive documents Node only; its native part (ffi-rs) is a Node-API addon.
  return runtime.name === "node" ? [...all, "net-keepalive"] : all;
}

/** This process's environment without any variable a contender sets, so that each gets only its own. */
function benchEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (
      name.startsWith("TCP_") || name.startsWith("KAHOOK_") || LIBKEEPALIVE_VARIABLES.includes(name) ||
      name === "LD_PRELOAD"
    ) delete env[name];
  }
  return env;
}

/** The command line and environment that run `script` as a contender. */
function invocation(runtime: Runtime, contender: Contender, script: string, env: Record<string, string>) {
  const args = [...runtime.run];
  const childEnv: Record<string, string | undefined> = { ...benchEnv(), ...env, BENCH_CONTENDER: contender };
  if (contender.startsWith("kahook-") || contender.startsWith("hooks-")) {
    args.push(...runtime.preload);
    childEnv.KAHOOK_MODE = contender.slice(contender.indexOf("-") + 1);
    if (contender.startsWith("hooks-")) childEnv.KAHOOK_INTERPOSER = "0";
  }
  if (contender.startsWith("c-")) {
    childEnv.LD_PRELOAD = C_PRELOAD;
    childEnv.KAHOOK_MODE = contender.slice("c-".length);
  }
  args.push(runtime.script(script));
  return { args, env: childEnv };
}

/** Runs a child to its end; resolves to the JSON of its last stdout line, when one is expected. */
function runJson<T>(binary: string, args: string[], env: NodeJS.ProcessEnv, json = true): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      const line = stdout.trim().split("\n").pop() ?? "";
      if (code !== 0 || (json && !line.startsWith("{"))) {
        reject(
          new Error(`${binary} ${args.join(" ")} exited ${code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`),
        );
      } else resolve((json ? JSON.parse(line) : undefined) as T);
    });
  });
}

function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function buildNative(): void {
  writeFileSync(EMPTY_CJS, "");
  writeFileSync(EMPTY_ESM, "export {};\n");
  execFileSync("cc", ["-O2", "-shared", "-fPIC", "-o", C_PRELOAD, join(root, "native/keepalive_preload.c"), "-ldl"]);
  execFileSync("cc", ["-O2", "-o", C_LOOP, join(root, "native/setsockopt_loop.c")]);
  execFileSync("cc", ["-O2", "-o", C_INTERPOSER_PATH, join(root, "native/interposer_path.c")]);
  execFileSync("cc", ["-O2", "-Wall", "-Wextra", "-Werror", "-o", C_CONNECT_LOOP, join(root, "native/connect_loop.c")]);
}

interface ConnectionRun {
  usPerConnection: number;
  firstConnectionMs: number;
  before: { rss: number; fds: number };
  after: { rss: number; fds: number };
}

/** Connections per strace run of the runtimes' parts. */
const STRACE_CONNECTIONS = 400;

/** System calls per connection of a contender, from strace -f -c: a run with N connections, less one with 0, over N. */
async function callsPerConnection(
  runtime: Runtime,
  contender: Contender,
  env: Record<string, string> = {},
): Promise<CallsPerConnection> {
  const count = async (connections: number) => {
    const summary = join(build, "strace.txt");
    const { args, env: childEnv } = invocation(runtime, contender, "connections", {
      ...env,
      BENCH_CONNECTIONS: String(connections),
      BENCH_WARMUP: "0",
    });
    await runJson("strace", ["-f", "-c", "-o", summary, runtime.binary, ...args], childEnv);
    return parseStraceSummary(readFileSync(summary, "utf8"));
  };
  const [idle, busy] = [await count(0), await count(STRACE_CONNECTIONS)];
  const perConnection = (name: string) => ((busy[name] ?? 0) - (idle[name] ?? 0)) / STRACE_CONNECTIONS;
  const names = new Set([...Object.keys(idle), ...Object.keys(busy)]);
  return {
    setsockopt: perConnection("setsockopt"),
    getsockopt: perConnection("getsockopt"),
    total: [...names].reduce((sum, name) => sum + perConnection(name), 0),
    byName: Object.fromEntries([...names].map((name) => [name, perConnection(name)]).filter(([, n]) => n !== 0)),
  };
}

/** Part 1: system calls per connection, from strace -f -c, with start-up subtracted. */
async function syscalls(results: Results): Promise<void> {
  for (const runtime of RUNTIMES) {
    for (const contender of contendersFor(runtime)) {
      progress(`syscalls: ${runtime.name} ${contender}`);
      results.syscalls.push({ runtime: runtime.name, contender, ...await callsPerConnection(runtime, contender) });
    }
  }
}

/** strace -c's table: "% time seconds usecs/call calls errors syscall". */
function parseStraceSummary(text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    const name = fields.at(-1)!;
    if (fields.length >= 5 && /^\d+$/.test(fields[3]) && /^[a-z_0-9]+$/.test(name) && name !== "total") {
      counts[name] = Number(fields[3]);
    }
  }
  return counts;
}

/** µs per connection of one run of a contender: 1,500 connections after its warm-up. */
async function usPerConnection(runtime: Runtime, contender: Contender, env: Record<string, string> = {}) {
  const { args, env: childEnv } = invocation(runtime, contender, "connections", { ...env, BENCH_CONNECTIONS: "1500" });
  return (await runJson<ConnectionRun>(runtime.binary, args, childEnv)).usPerConnection;
}

/** Part 2: µs per connection end to end, contenders alternated round by round. */
async function time(results: Results): Promise<void> {
  const ROUNDS = 11;
  for (const runtime of RUNTIMES) {
    const samples = await alternate(contendersFor(runtime), ROUNDS, (contender, round) => {
      progress(`time: ${runtime.name} round ${round + 1}/${ROUNDS} ${contender}`);
      return usPerConnection(runtime, contender);
    });
    for (const [contender, values] of Object.entries(samples)) {
      results.time.push({
        runtime: runtime.name,
        contender: contender as Contender,
        usPerConnection: median(values),
        samples: values,
      });
    }
  }
}

/** KAHOOK_METRICS's value for each row of the metrics part: off, the default, and on. */
const METRICS = { off: "0", on: "1" } as const;
type Metrics = keyof typeof METRICS;
const SETTINGS = Object.keys(METRICS) as Metrics[];
/** Alternated rounds of the metrics part's timed runs: what metrics add is a fraction of a µs, so more of them. */
const METRICS_ROUNDS = 21;

/**
 * Part 7: the preload's interposer with KAHOOK_METRICS off (the default) and on, in connect
 * mode (kahook-connect), where each loopback connection has one configured socket, its client:
 * system calls per connection, counted as part 1 counts them, where metrics on ask each
 * configured connection why it ended (one getsockopt of TCP_INFO) as it closes; and µs per
 * connection, timed as part 2 times them, off and on alternated.
 */
async function metrics(results: Results): Promise<void> {
  const rows: NonNullable<Results["metrics"]> = [];
  for (const runtime of RUNTIMES) {
    const env = (metrics: Metrics) => ({ KAHOOK_METRICS: METRICS[metrics] });
    const calls: Partial<Record<Metrics, CallsPerConnection>> = {};
    for (const metrics of SETTINGS) {
      progress(`metrics: ${runtime.name} syscalls, metrics ${metrics}`);
      calls[metrics] = await callsPerConnection(runtime, "kahook-connect", env(metrics));
    }
    const samples = await alternate(SETTINGS, METRICS_ROUNDS, (metrics, round) => {
      progress(`metrics: ${runtime.name} round ${round + 1}/${METRICS_ROUNDS} metrics ${metrics}`);
      return usPerConnection(runtime, "kahook-connect", env(metrics));
    });
    for (const metrics of SETTINGS) {
      const values = samples[metrics];
      rows.push({
        runtime: runtime.name,
        metrics,
        ...calls[metrics]!,
        usPerConnection: median(values),
        samples: values,
      });
    }
  }
  results.metrics = rows;
}

interface FfiRun {
  nsPerCall: number;
  nsPerPath: number;
  settings: number;
  nodeFfiNsPerCall?: number;
}

/**
 * Parts 2 (in process) and 3: one setsockopt through kahook's FFI, and kahook's whole
 * per-connection path, against the same calls from C. The default configuration makes the 5
 * calls the C loop makes: SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT.
 */
async function ffi(results: Results): Promise<void> {
  const ROUNDS = 7;
  const PATH_CALLS = 5;
  const cLoop = (calls: number) =>
    (JSON.parse(execFileSync(C_LOOP, ["100000", String(calls)], { encoding: "utf8" })) as { nsPerIteration: number })
      .nsPerIteration;
  for (const runtime of RUNTIMES) {
    const runs: FfiRun[] = [];
    const samples = await alternate(["kahook", "c-call", "c-path"] as const, ROUNDS, async (who, round) => {
      progress(`ffi: ${runtime.name} round ${round + 1}/${ROUNDS} ${who}`);
      if (who !== "kahook") return cLoop(who === "c-call" ? 1 : PATH_CALLS);
      const { args, env } = invocation(runtime, "none", "ffi-cost", {});
      const run = await runJson<FfiRun>(runtime.binary, args, env);
      if (run.settings !== PATH_CALLS) {
        throw new Error(`the default configuration made ${run.settings} calls, not ${PATH_CALLS}`);
      }
      runs.push(run);
      return run.nsPerCall;
    });
    const nodeFfi = runs.map((run) => run.nodeFfiNsPerCall).filter((n): n is number => n !== undefined);
    results.ffi.push({
      runtime: runtime.name,
      nsPerCall: median(samples.kahook),
      cNsPerCall: median(samples["c-call"]),
      nsPerPath: median(runs.map((run) => run.nsPerPath)),
      cNsPerPath: median(samples["c-path"]),
      nodeFfiNsPerCall: nodeFfi.length ? median(nodeFfi) : undefined,
    });
  }
}

/**
 * Part 3b: the interposer's own per-connection path, which is the same C in every runtime: one
 * process alternates connections with nothing set, with the 5 default calls made by the program,
 * through the C reference's connect, and with the interposer installed (native/interposer_path.c).
 */
function interposer(results: Results): void {
  progress(`interposer: ${INTERPOSER_ROUNDS} rounds of ${INTERPOSER_CONNECTIONS} connections × 4`);
  const args = [libraryPath(), C_PRELOAD, String(INTERPOSER_CONNECTIONS), String(INTERPOSER_ROUNDS)];
  results.interposerPath = {
    connections: INTERPOSER_CONNECTIONS,
    ...JSON.parse(execFileSync(C_INTERPOSER_PATH, args, { encoding: "utf8" })),
  };
}
/** Many short rounds: the machine's drift moves every loop of a round alike, and the median of 61 ratios steadies. */
const INTERPOSER_ROUNDS = 61;
const INTERPOSER_CONNECTIONS = 3000;

/**
 * Part 4: start-up of an empty program with no preload, with an empty module preloaded (the floor
 * of each form), and with kahook's preload, in every form; and the first connection a program
 * makes (the interposer is in place from start-up; the JavaScript FFI, were it the fallback, would load there).
 */
async function startup(results: Results): Promise<void> {
  const ROUNDS = 61;
  for (const runtime of RUNTIMES) {
    const contenders = ["none", ...runtime.forms.flatMap(({ name }) => [`empty ${name}`, `kahook ${name}`])];
    const preloadOf = (contender: string) => {
      const form = runtime.forms.find(({ name }) => contender.endsWith(` ${name}`));
      return form ? [form.flag, contender.startsWith("empty") ? form.empty : form.kahook] : [];
    };
    const env = benchEnv();
    const samples = await alternate(contenders, ROUNDS, async (contender, round) => {
      progress(`startup: ${runtime.name} round ${round + 1}/${ROUNDS} ${contender}`);
      const args = [...runtime.run, ...preloadOf(contender), runtime.script("empty")];
      const started = performance.now();
      await runJson(runtime.binary, args, env, false);
      return performance.now() - started;
    });
    for (const { name, targetMs } of runtime.forms) {
      results.startup.push({
        runtime: runtime.name,
        form: name,
        none: samples.none,
        empty: samples[`empty ${name}`],
        kahook: samples[`kahook ${name}`],
        targetMs,
      });
    }
    // Connect mode: the server's listen(2) must not load the FFI before the first client does.
    const first = await alternate(["none", "kahook-connect"] as const, 15, async (contender) => {
      const { args, env } = invocation(runtime, contender, "connections", {
        BENCH_CONNECTIONS: "0",
        BENCH_WARMUP: "0",
      });
      return (await runJson<ConnectionRun>(runtime.binary, args, env)).firstConnectionMs;
    });
    results.firstConnection.push({
      runtime: runtime.name,
      msWithout: median(first.none),
      msWith: median(first["kahook-connect"]),
    });
  }
}

/** Part 5: RSS and open fds after a warm-up and after 100,000 more connections, with and without kahook. */
async function memory(results: Results): Promise<void> {
  for (const runtime of RUNTIMES) {
    for (const contender of ["none", "kahook-socket"] as const) {
      progress(`memory: ${runtime.name} ${contender} (100,000 connections)`);
      const { args, env } = invocation(runtime, contender, "connections", {
        BENCH_CONNECTIONS: "100000",
        BENCH_WARMUP: "1000",
      });
      const run = await runJson<ConnectionRun>(runtime.binary, args, env);
      results.memory.push({ runtime: runtime.name, contender, before: run.before, after: run.after });
    }
  }
}

/** Who preloads what into the C program (native/connect_loop.c), each run as a process of its own. */
type ProgramContender = "none" | "kahook-run" | "libkeepalive0" | "c-reference";
const PROGRAM_CONTENDERS: readonly ProgramContender[] = ["none", "kahook-run", "libkeepalive0", "c-reference"];

/**
 * Debian's libkeepalive0 (libkeepalive 0.3) wraps socket(2) only: on each AF_INET or AF_INET6
 * socket whose type has SOCK_STREAM's bit it sets SO_KEEPALIVE unless KEEPALIVE=off, then
 * TCP_KEEPCNT, TCP_KEEPIDLE and TCP_KEEPINTVL for those of KEEPCNT, KEEPIDLE, KEEPINTVL that
 * are set, read again at every socket(2) (seen in strace and its disassembly). It has no
 * TCP_USER_TIMEOUT; accepted sockets inherit the listener's options from the kernel.
 */
const LIBKEEPALIVE = "/usr/lib/libkeepalive.so";
const LIBKEEPALIVE_VARIABLES = ["KEEPALIVE", "KEEPIDLE", "KEEPCNT", "KEEPINTVL"];

/** The variables a contender adds to the program's environment: what a user would set. */
function programEnv(contender: ProgramContender): Record<string, string> {
  switch (contender) {
    case "none":
      return {};
    // What `kahook run -- PROGRAM` and `kahook env` set with the default configuration, computed
    // here once, so that node's start-up (the CLI's) stays out of the program's numbers.
    case "kahook-run":
      return preloadEnv(configFromEnv({}), true, undefined);
    // kahook's default values, in libkeepalive's own variables.
    case "libkeepalive0":
      return { LD_PRELOAD: LIBKEEPALIVE, KEEPIDLE: "15", KEEPCNT: "9", KEEPINTVL: "15" };
    // Socket mode, kahook's default: clients before connect, the listener before listen.
    case "c-reference":
      return { LD_PRELOAD: C_PRELOAD };
  }
}

/** The contenders that can run on this machine; says which cannot, and why, in the results and on stderr. */
function availableProgramContenders(skipped: { contender: string; reason: string }[]): ProgramContender[] {
  if (existsSync(LIBKEEPALIVE)) return [...PROGRAM_CONTENDERS];
  const reason = `${LIBKEEPALIVE} is missing: install Debian's libkeepalive0 (sh test/system-tools.sh does)`;
  progress(`programs: libkeepalive0 skipped, ${reason}`);
  skipped.push({ contender: "libkeepalive0", reason });
  return PROGRAM_CONTENDERS.filter((c) => c !== "libkeepalive0");
}

/** Connections per strace run, per timed run, and untimed ones before a timed run (the warm-up). */
const PROGRAM_STRACE_CONNECTIONS = 1000;
const PROGRAM_CONNECTIONS = 5000;
const PROGRAM_WARMUP = 500;
/** Alternated rounds of the timed runs, and of the start-up runs (~2 ms each, so more of them: start-up differences are fractions of a ms). */
const PROGRAM_ROUNDS = 21;
const PROGRAM_STARTUP_ROUNDS = 41;

/**
 * Part 6: a C program (native/connect_loop.c) under kahook's preload library, Debian's
 * libkeepalive0 and the C reference, each started as a user would start it, with no preload
 * as the baseline; and `kahook run` itself, through the CLI, as a start-up row of its own.
 */
async function programs(results: Results): Promise<void> {
  const skipped: { contender: string; reason: string }[] = [];
  const contenders = availableProgramContenders(skipped);
  const envs = Object.fromEntries(contenders.map((c) => [c, programEnv(c)])) as Record<
    ProgramContender,
    Record<string, string>
  >;
  results.programs = {
    connections: PROGRAM_CONNECTIONS,
    straceConnections: PROGRAM_STRACE_CONNECTIONS,
    rounds: PROGRAM_ROUNDS,
    startupRounds: PROGRAM_STARTUP_ROUNDS,
    skipped,
    syscalls: await programSyscalls(contenders, envs),
    time: await programTime(contenders, envs),
    startup: await programStartup(contenders, envs),
  };
}

/** System calls per connection: strace -f -c of a run with 0 connections and of one with N, the difference over N. */
async function programSyscalls(contenders: ProgramContender[], envs: Record<ProgramContender, Record<string, string>>) {
  const count = async (contender: ProgramContender, connections: number) => {
    const summary = join(build, "strace.txt");
    // -E puts the variables into the program's environment only: strace itself runs without the preload.
    const variables = Object.entries(envs[contender]).flatMap(([name, value]) => ["-E", `${name}=${value}`]);
    await runJson(
      "strace",
      ["-f", "-c", "-o", summary, ...variables, C_CONNECT_LOOP, String(connections), "0"],
      benchEnv(),
    );
    return parseStraceSummary(readFileSync(summary, "utf8"));
  };
  const rows = [];
  for (const contender of contenders) {
    progress(`programs: syscalls ${contender}`);
    const [idle, busy] = [await count(contender, 0), await count(contender, PROGRAM_STRACE_CONNECTIONS)];
    const names = [...new Set([...Object.keys(idle), ...Object.keys(busy)])];
    const perConnection = (name: string) => ((busy[name] ?? 0) - (idle[name] ?? 0)) / PROGRAM_STRACE_CONNECTIONS;
    rows.push({
      contender,
      setsockopt: perConnection("setsockopt"),
      total: names.reduce((sum, name) => sum + perConnection(name), 0),
      // The run with 0 connections: the loader, the preload's start and the listener.
      startupCalls: Object.values(idle).reduce((sum, n) => sum + n, 0),
      byName: Object.fromEntries(names.map((name) => [name, perConnection(name)]).filter(([, n]) => n !== 0)),
    });
  }
  return rows;
}

/** µs per connection, as the program measures it past its warm-up; contenders alternated round by round. */
async function programTime(contenders: ProgramContender[], envs: Record<ProgramContender, Record<string, string>>) {
  const samples = await alternate(contenders, PROGRAM_ROUNDS, async (contender, round) => {
    progress(`programs: time round ${round + 1}/${PROGRAM_ROUNDS} ${contender}`);
    const args = [String(PROGRAM_CONNECTIONS), String(PROGRAM_WARMUP)];
    const run = await runJson<{ nsPerConnection: number }>(C_CONNECT_LOOP, args, { ...benchEnv(), ...envs[contender] });
    return run.nsPerConnection / 1000;
  });
  return contenders.map((contender) => ({
    contender,
    usPerConnection: median(samples[contender]),
    samples: samples[contender],
  }));
}

/**
 * ms from spawn to exit of the program with 0 connections (the loader, the preload's start, a
 * listener), contenders alternated; then as many runs through `kahook run -- PROGRAM` (node
 * starting the CLI, which starts the program with the preload): the CLI's own cost is that row's
 * difference from kahook-run's. The CLI runs on its own rounds because alternate() keeps the
 * order cyclic: whichever program ran right after a 100 ms node process measured ~0.3 ms slower.
 */
async function programStartup(contenders: ProgramContender[], envs: Record<ProgramContender, Record<string, string>>) {
  const timed = async (binary: string, args: string[], env: NodeJS.ProcessEnv) => {
    const started = performance.now();
    await runJson(binary, args, env);
    return performance.now() - started;
  };
  const samples = await alternate(contenders, PROGRAM_STARTUP_ROUNDS, (contender, round) => {
    progress(`programs: start-up round ${round + 1}/${PROGRAM_STARTUP_ROUNDS} ${contender}`);
    return timed(C_CONNECT_LOOP, ["0", "0"], { ...benchEnv(), ...envs[contender] });
  });
  const cli = await alternate(["kahook-run-cli"] as const, PROGRAM_STARTUP_ROUNDS, (row, round) => {
    progress(`programs: start-up round ${round + 1}/${PROGRAM_STARTUP_ROUNDS} ${row}`);
    return timed(process.execPath, [join(root, "dist/src/cli.js"), "run", "--", C_CONNECT_LOOP, "0", "0"], benchEnv());
  });
  return [
    ...contenders.map((contender) => ({ contender, ms: median(samples[contender]), samples: samples[contender] })),
    { contender: "kahook-run-cli", ms: median(cli["kahook-run-cli"]), samples: cli["kahook-run-cli"] },
  ];
}

const PARTS: Record<Part, (results: Results) => Promise<void> | void> = {
  syscalls,
  time,
  ffi,
  interposer,
  startup,
  memory,
  programs,
  metrics,
};
const args = process.argv.slice(2);
const PART_NAMES = Object.keys(PARTS) as Part[];
const chosen = PART_NAMES.filter((part) => args.includes(part));
const RUNTIMES = ALL_RUNTIMES.filter((r) =>
  !args.some((arg) => ALL_RUNTIMES.some((x) => x.name === arg)) || args.includes(r.name)
);

const REPORT_FILES = { readme: join(root, "README.md"), page: join(root, "docs/benchmarks.md") };
const OUT = join(root, "bench/results");

async function main(): Promise<void> {
  // `report`: measures nothing, and writes the report of the last results again (after its code changed).
  if (args.length === 1 && args[0] === "report") {
    writeReports(JSON.parse(readFileSync(join(OUT, "results.json"), "utf8")), OUT, REPORT_FILES);
    return progress("bench/results/results.json reported again: chart.svg, docs/benchmarks.md and README.md");
  }
  for (const arg of args) {
    if (!(arg in PARTS) && !ALL_RUNTIMES.some((r) => r.name === arg)) {
      throw new Error(
        `unknown argument ${arg}; parts: ${Object.keys(PARTS).join(", ")}; runtimes: node, bun, deno; or report alone`,
      );
    }
  }
  const started = performance.now();
  buildNative();
  const results: Results = {
    date: new Date().toISOString(),
    machine: `${process.platform} ${process.arch}, ${(await import("node:os")).cpus().length} cores`,
    versions: Object.fromEntries(
      RUNTIMES.map((
        r,
      ) => [
        r.name,
        execFileSync(r.binary, ["--version"], { encoding: "utf8" }).trim().split("\n")[0].replace(/^(deno|bun) /, ""),
      ]),
    ),
    syscalls: [],
    time: [],
    ffi: [],
    startup: [],
    firstConnection: [],
    memory: [],
  };
  const parts = chosen.length ? chosen : PART_NAMES;
  for (const name of parts) await PARTS[name](results);
  results.seconds = (performance.now() - started) / 1000;
  mkdirSync(OUT, { recursive: true });
  const last = join(OUT, "results.json");
  const narrowed = chosen.length > 0 || RUNTIMES.length < ALL_RUNTIMES.length;
  const written = narrowed && existsSync(last)
    ? merge(JSON.parse(readFileSync(last, "utf8")), results, parts, RUNTIMES.map((r) => r.name))
    : results;
  writeReports(written, OUT, REPORT_FILES);
  progress(
    `done in ${results.seconds.toFixed(0)} s: bench/results/results.json, chart.svg; docs/benchmarks.md and README.md`,
  );
}

try {
  await main();
} finally {
  rmSync(build, { recursive: true, force: true });
}
