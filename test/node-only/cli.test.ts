import { spawn } from "../../src/host/spawn.ts";
import { once } from "node:events";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { APPLY_HELP } from "../../src/commands/apply.ts";
import { CHECK_HELP } from "../../src/commands/check.ts";
import { CONFIG_HELP } from "../../src/commands/config.ts";
import { DEMO_HELP } from "../../src/commands/demo.ts";
import { ENV_HELP } from "../../src/commands/env.ts";
import { EX_UNAVAILABLE, EX_USAGE } from "../../src/commands/exit.ts";
import { INSPECT_HELP } from "../../src/commands/inspect.ts";
import { RUN_HELP } from "../../src/commands/run.ts";
import { selfSignedCert } from "../_cert.ts";
import { dirname, join } from "node:path";
import { assertConfigured, CONFIGURED_ENV } from "../_configured.ts";
import { readbacks } from "../_report.ts";
import { here, packageRoot, run, runRuntime, succeeded } from "../_run.ts";
import { RUNTIME_BINARIES } from "../_runtimes.ts";

const cli = `${packageRoot}dist/src/cli.js`;
const kahook = (args: string[], env?: Record<string, string>) => runRuntime([cli, ...args], env);

/** CONFIGURED_ENV as kahook run's options. */
const CONFIGURED_FLAGS = [
  "--idle",
  "11",
  "--interval",
  "7",
  "--count",
  "3",
  "--user-timeout",
  "12345",
  "--syn-count",
  "2",
  "--max-segment",
  "1000",
  "--window-clamp",
  "20000",
];

test("kahook run -- node app.js gives the same readback as the preload, on every path", () => {
  const cert = selfSignedCert();
  const app = [process.execPath, here("fixtures/paths/paths")];
  const byRun = readbacks(succeeded(kahook(["run", ...CONFIGURED_FLAGS, "--", ...app], cert)));
  const byPreload = readbacks(
    succeeded(
      run(process.execPath, ["--import", "kahook/register", here("fixtures/paths/paths")], {
        ...cert,
        ...CONFIGURED_ENV,
      }),
    ),
  );
  assert.is(byRun.length, 25); // every path of paths.ts, a worker thread's three sockets among them
  assert.equal(byRun, byPreload);
});

for (
  const [name, binary, args] of [
    ["bun", RUNTIME_BINARIES.bun, []],
    ["deno run", RUNTIME_BINARIES.deno, [
      "run",
      "--allow-ffi",
      "--allow-env",
      "--allow-net",
      "--allow-read",
      "--allow-sys",
    ]],
  ] as const
) {
  test(`kahook run -- ${name} app.ts gives every path the configuration, read back`, () => {
    const result = kahook([
      "run",
      ...CONFIGURED_FLAGS,
      "--",
      binary,
      ...args,
      `${packageRoot}test/fixtures/paths/paths.ts`,
    ], selfSignedCert());
    const lines = readbacks(succeeded(result));
    assert.ok(
      lines.some(({ path }) => path.startsWith(name.split(" ")[0] === "bun" ? "Bun." : "Deno.")),
      result.stdout,
    );
    for (const readback of lines) {
      assertConfigured(readback, readback.path === "https.createServer" && readback.role === "accepted");
    }
  });
}

test("NODE_OPTIONS keeps what was there, with the preload appended", () => {
  const print = ["run", "--", process.execPath, "-p", "process.env.NODE_OPTIONS"];
  const options = succeeded(kahook(print, { NODE_OPTIONS: "--max-old-space-size=100" })).trim();
  assert.match(options, /^--max-old-space-size=100 --require "\/\S+\/register\.cjs"$/);
});

test("the exit status of COMMAND is passed through", () => {
  assert.is(kahook(["run", "--", "sh", "-c", "exit 7"]).status, 7);
});

test("COMMAND killed by a signal: kahook dies of the same signal", () => {
  assert.is(kahook(["run", "--", "sh", "-c", "kill -TERM $$"]).signal, "SIGTERM");
});

test("a signal sent to kahook reaches COMMAND", async () => {
  const app =
    "process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(3); }); console.log('ready'); setInterval(() => {}, 1000);";
  const child = spawn(process.execPath, [cli, "run", "--", process.execPath, "-e", app], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    stdout += chunk;
    if (stdout === "ready\n") child.kill("SIGTERM");
  });
  // Generous: the app starts in well under a second.
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const [status] = await once(child, "exit");
  clearTimeout(timer);
  assert.is(stdout, "ready\ngot SIGTERM\n");
  assert.is(status, 3);
});

test("an invalid value stops before COMMAND runs, naming the variable (exit 78)", () => {
  const result = kahook(["run", "--idle", "30s", "--", "sh", "-c", "echo ran"]);
  assert.is(result.status, 78);
  assert.is(result.stdout, "");
  assert.match(result.stderr, /^kahook: TCP_KEEPIDLE="30s" is not valid/);
});

test("bad command lines exit 2 with a pointer to --help", () => {
  for (
    const args of [["run", "--bogus", "--", "true"], ["run", "--idle"], ["run"], ["run", "--", "deno", "eval", "1"]]
  ) {
    const result = kahook(args);
    assert.is(result.status, 2, args.join(" "));
    assert.match(result.stderr, /^kahook: .*; see kahook --help\n$/);
  }
  assert.is(kahook(["start"]).status, 2);
});

test("a COMMAND that cannot run exits 127", () => {
  assert.is(kahook(["run", "--", "/nonexistent/kahook-test"]).status, 127);
});

test("--help documents every option and variable", () => {
  const help = succeeded(kahook(["--help"]));
  for (
    const word of [
      ...CONFIGURED_FLAGS.filter((a) => a.startsWith("--")),
      "--mode",
      "--defer-accept",
      "--debug",
      ...Object.keys(CONFIGURED_ENV),
      "KAHOOK_MODE",
      "TCP_DEFER_ACCEPT",
      "KAHOOK_DEBUG",
    ]
  ) {
    assert.ok(help.includes(word), word);
  }
});

/** A pid that no process has: pid_max is 4194304 at most, and this one is checked free. */
const NO_PROCESS = "999999";

/** Each subcommand, its usage, and arguments around the option under test that would make it do its work. */
const SUBCOMMANDS = (marker: string): { name: string; help: string; before: string[]; after: string[] }[] => [
  // Doing its work, run would create the marker file.
  { name: "run", help: RUN_HELP, before: [], after: ["--", "sh", "-c", `echo ran > ${marker}`] },
  { name: "env", help: ENV_HELP, before: ["--idle", "30"], after: [] },
  { name: "check", help: CHECK_HELP, before: [], after: [] },
  { name: "demo", help: DEMO_HELP, before: [], after: [] },
  { name: "config", help: CONFIG_HELP, before: [], after: [] },
  // Doing their work, these would exit EX_UNAVAILABLE.
  { name: "inspect", help: INSPECT_HELP, before: [NO_PROCESS], after: [] },
  { name: "apply", help: APPLY_HELP, before: [NO_PROCESS, "--idle", "30"], after: [] },
  { name: "help", help: "", before: [], after: [] },
];

/** Long enough for Node to start and print; the demo alone takes about 7 s. */
const QUICK_MS = 3_000;

test("every subcommand: -h and --help print its usage, exit 0 and do nothing else; --bogus exits 2 naming it", () => {
  assert.not.ok(existsSync(`/proc/${NO_PROCESS}`), `pid ${NO_PROCESS} exists here`);
  const usage = succeeded(kahook(["--help"]));
  const dir = mkdtempSync(join(tmpdir(), "kahook-cli-"));
  try {
    for (const { name, help, before, after } of SUBCOMMANDS(join(dir, "ran"))) {
      for (const flag of ["--help", "-h"]) {
        const args = [name, ...before, flag, ...after];
        const started = performance.now();
        const result = kahook(args);
        const ms = performance.now() - started;
        assert.is(result.status, 0, `${args.join(" ")}: ${result.stderr}`);
        assert.is(result.stdout, help || usage, args.join(" "));
        assert.is(result.stderr, "", args.join(" "));
        assert.ok(ms < QUICK_MS, `${args.join(" ")} took ${ms.toFixed(0)} ms`);
      }
      const args = [name, ...before, "--bogus", ...after];
      const result = kahook(args);
      assert.is(result.status, EX_USAGE, `${args.join(" ")}: ${result.stderr}`);
      assert.is(result.stderr, "kahook: unknown option --bogus; see kahook --help\n", args.join(" "));
      assert.is(result.stdout, "", args.join(" "));
      assert.not.ok(existsSync(join(dir, "ran")), `${args.join(" ")} ran COMMAND`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("each usage is its own command's", () => {
  for (const { name, help } of SUBCOMMANDS("")) {
    if (help) assert.ok(help.startsWith(`Usage: kahook ${name}`), name);
  }
  assert.ok(succeeded(kahook(["help"])).startsWith("Usage: kahook COMMAND"));
  assert.is(succeeded(kahook(["help", "inspect"])), INSPECT_HELP);
});

test("options after -- or after COMMAND are COMMAND's, --help included", () => {
  const echo = ["sh", "-c", 'echo "$1"', "sh"];
  for (
    const args of [["run", "--", ...echo, "--help"], ["run", "--idle", "30", ...echo, "-h"], [
      "run",
      ...echo,
      "--bogus",
    ]]
  ) {
    assert.is(succeeded(kahook(args)), `${args.at(-1)}\n`, args.join(" "));
  }
});

const packageJson = JSON.parse(readFileSync(`${packageRoot}package.json`, "utf8"));
const { version } = packageJson;

test("--version and -V print package.json's version, from dist/ under Node and from src/ under Bun and Deno", () => {
  assert.match(version, /^\d+\.\d+\.\d+/);
  for (const flag of ["--version", "-V"]) assert.is(succeeded(kahook([flag])), `kahook ${version}\n`, flag);
  for (
    const [binary, args] of [
      [RUNTIME_BINARIES.bun, []],
      [RUNTIME_BINARIES.deno, ["run", "-A"]],
    ] as const
  ) {
    assert.is(succeeded(run(binary, [...args, `${packageRoot}src/cli.ts`, "-V"])), `kahook ${version}\n`, binary);
  }
});

test("the version comes from the package.json of the package the CLI was started from, at run time", () => {
  const dir = mkdtempSync(join(tmpdir(), "kahook-version-"));
  try {
    cpSync(`${packageRoot}dist/src`, join(dir, "dist/src"), { recursive: true });
    symlinkSync(`${packageRoot}node_modules`, join(dir, "node_modules"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ ...packageJson, version: "9.8.7-moved" }));
    assert.is(succeeded(run(process.execPath, [join(dir, "dist/src/cli.js"), "--version"])), "kahook 9.8.7-moved\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** `kahook check` in each runtime, from a package root: Node runs the build, Bun and Deno the TypeScript. */
const CHECKS = (root: string) => [
  { runtime: "node", command: [process.execPath, join(root, "dist/src/cli.js"), "check"] },
  { runtime: "bun", command: [RUNTIME_BINARIES.bun, join(root, "src/cli.ts"), "check"] },
  { runtime: "deno", command: [RUNTIME_BINARIES.deno, "run", "-A", join(root, "src/cli.ts"), "check"] },
];

/** What the JavaScript hooks leave out, as kahook check lists it after "not covered in RUNTIME:". */
const NOT_COVERED: Record<string, string[]> = {
  node: ["a C library through bun:ffi, Deno.dlopen or koffi, or a Node addon"],
  bun: [
    "Bun's fetch, Bun.sql, RedisClient, WebSocket client",
    "the sockets of worker threads (node:worker_threads, Worker)",
    "a C library through bun:ffi, Deno.dlopen or koffi, or a Node addon",
  ],
  deno: [
    "Deno's fetch, Deno.connectTls, Deno.startTls, WebSocket client",
    "Deno.serve, Deno.listenTls (listener and accepted)",
    "the sockets of worker threads (node:worker_threads, Worker)",
    "a C library through bun:ffi, Deno.dlopen or koffi, or a Node addon",
  ],
};

/** kahook check's section on the interposer, through the readback's header. */
function interposerSection(stdout: string): string[] {
  const lines = stdout.split("\n");
  return lines.slice(
    lines.findIndex((line) => line.startsWith("Native interposer:")),
    lines.findIndex((line) => line.startsWith("Set by ")) + 1,
  );
}

/** CONFIGURED_ENV's options as kahook check shows them, in the readback's order. */
const READBACK = {
  enable: "on",
  idle: "11 s",
  interval: "7 s",
  count: "3",
  userTimeout: "12345 ms",
  synCount: "2",
  maxSegment: "1000",
  windowClamp: "20000",
};

/** Asserts that kahook check's readback shows CONFIGURED_ENV configured and read back. */
function assertReadBack(stdout: string): void {
  const table = stdout.slice(stdout.indexOf("\n  option ")).trim().split("\n").slice(1);
  const rows = table.map((row) => row.trim().split(/ {2,}/));
  assert.equal(Object.fromEntries(rows.map(([option, _system, configured]) => [option, configured])), READBACK);
  for (const [option, _system, configured, read] of rows) {
    // A connected socket reports the MSS in use, which the value set bounds.
    if (option === "maxSegment") assert.ok(Number(read) > 0 && Number(read) <= 1000, `${option}: ${stdout}`);
    else assert.is(read, configured, `${option}: ${stdout}`);
  }
}

/** kahook check --require-interposer's status when the interposer is not active: the number docs/cli.md documents, not imported. */
const INTERPOSER_NOT_ACTIVE = 4;

const HOOKS_HEADER =
  "Set by the JavaScript hooks on a loopback listener; read back with getsockopt on the connection it accepted:";

for (const { runtime, command: [binary, ...args] } of CHECKS(packageRoot)) {
  test(`kahook check in ${runtime}: the native interposer is active and configured the readback`, () => {
    for (const flags of [[], ["--require-interposer"]]) {
      const stdout = succeeded(run(binary, [...args, ...flags], CONFIGURED_ENV));
      const section = interposerSection(stdout);
      assert.match(
        section[0],
        /^Native interposer: active \(\d+ slots patched\); it configures every TCP socket of this process$/,
      );
      assert.equal(section.slice(1), [
        "",
        "Set by the native interposer on a loopback listener; read back with getsockopt on the connection it accepted:",
      ]);
      assertReadBack(stdout);
    }
  });

  test(`kahook check in ${runtime} with KAHOOK_INTERPOSER=0: why, what the JavaScript hooks leave out, and that they configured the readback; --require-interposer exits ${INTERPOSER_NOT_ACTIVE}`, () => {
    const env = { ...CONFIGURED_ENV, KAHOOK_INTERPOSER: "0" };
    const stdout = succeeded(run(binary, args, env));
    assert.equal(interposerSection(stdout), [
      "Native interposer: not active: KAHOOK_INTERPOSER=0",
      `Fallback: the JavaScript hooks configure node:net sockets; not covered in ${runtime}:`,
      ...NOT_COVERED[runtime].map((row) => `  ${row}`),
      "",
      HOOKS_HEADER,
    ]);
    assertReadBack(stdout);
    const required = run(binary, [...args, "--require-interposer"], env);
    assert.is(required.status, INTERPOSER_NOT_ACTIVE, required.stderr);
    assert.is(required.stdout, stdout);
  });
}

test("kahook check where the native library cannot load: the loader's message, and the JavaScript hooks configured the readback", () => {
  const dir = mkdtempSync(join(tmpdir(), "kahook-unloadable-"));
  try {
    cpSync(`${packageRoot}dist/src`, join(dir, "dist/src"), { recursive: true });
    cpSync(`${packageRoot}src`, join(dir, "src"), { recursive: true });
    cpSync(`${packageRoot}package.json`, join(dir, "package.json"));
    symlinkSync(`${packageRoot}node_modules`, join(dir, "node_modules"));
    const library = join(dir, `native/build/linux-${process.arch}/kahook.node`);
    mkdirSync(dirname(library), { recursive: true });
    writeFileSync(library, "not a library\n");
    for (const { runtime, command: [binary, ...args] } of CHECKS(dir)) {
      const stdout = succeeded(run(binary, args, CONFIGURED_ENV));
      const [reason, ...rest] = interposerSection(stdout);
      // Each runtime words the loader's failure its own way around dlerror's message.
      assert.match(reason, new RegExp(`^Native interposer: not active: .*${library}: file too short$`), runtime);
      assert.equal(rest, [
        `Fallback: the JavaScript hooks configure node:net sockets; not covered in ${runtime}:`,
        ...NOT_COVERED[runtime].map((row) => `  ${row}`),
        "",
        HOOKS_HEADER,
      ]);
      assertReadBack(stdout);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** `kahook --help`'s exit status table: status, meaning. */
function exitStatuses(help: string): [number, string][] {
  const table = help.slice(help.indexOf("\nExit statuses"), help.indexOf("\n\n", help.indexOf("\nExit statuses") + 1));
  return [...table.matchAll(/^ +(\d+) {2}(.+)$/gm)].map((match) => [Number(match[1]), match[2]]);
}

test("--help documents each exit status once", () => {
  const statuses = exitStatuses(succeeded(kahook(["--help"])));
  assert.equal(statuses.map(([status]) => status), [0, 1, 2, 3, 4, 69, 70, 71, 77, 78, 127]);
});

test("inspect and apply of a pid that no process has: the documented no-such-process status, naming the pid", () => {
  assert.not.ok(existsSync(`/proc/${NO_PROCESS}`), `pid ${NO_PROCESS} exists here`);
  const documented = new Map(exitStatuses(succeeded(kahook(["--help"]))));
  for (const args of [["inspect", NO_PROCESS], ["apply", NO_PROCESS, "--idle", "30"]]) {
    const result = kahook(args);
    assert.is(result.status, EX_UNAVAILABLE, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, new RegExp(`^kahook: .*\\b${NO_PROCESS}\\b.*no such process\n$`), args.join(" "));
    assert.match(documented.get(EX_UNAVAILABLE) ?? "", /no such process/);
  }
});

test.run();
