/**
 * `kahook run` around programs that are not node, bun or deno: a C program (test/fixtures/run/
 * pair.c, which listens, connects to itself and reads its three sockets back), Python, a static
 * executable and a shell. libkeepalive's own cases are checked in strace's record of the
 * client's setsockopt calls before its connect(2); the rest in the program's readback.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EX_CONFIG } from "../../src/commands/exit.ts";
import { preloadLibraryPath } from "../../src/interposer/index.ts";
import { execFileSync } from "../../src/host/spawn.ts";
import { cli, kahook, PAIR_SOURCE, readPair, system, UNTOUCHED } from "../_pair.ts";
import { root } from "../_repo.ts";
import { run, succeeded } from "../_run.ts";

const dir = mkdtempSync(join(tmpdir(), "kahook-run-"));
const pair = join(dir, "pair");
const staticPair = join(dir, "pair-static");
execFileSync("cc", ["-Wall", "-Wextra", "-Werror", "-o", pair, PAIR_SOURCE]);
execFileSync("cc", ["-Wall", "-Wextra", "-Werror", "-static", "-o", staticPair, PAIR_SOURCE]);

/** libkeepalive's defaults: 15 s idle, 15 s interval, 9 probes, and the user timeout they derive, (15 + 15 × 9) × 1000 ms. */
const DEFAULTS = [1, 15, 15, 9, 150_000, system[3]];

/**
 * The setsockopt calls strace saw on the fixture's client socket before its connect(2), as
 * "NAME=VALUE" in call order, and those on the listener before listen(2).
 */
function tracedCalls(env: Record<string, string>, args: string[] = []): { client: string[]; listener: string[] } {
  // -ff: one file per process, trace.PID, so that no other process's calls split the fixture's lines.
  const trace = join(mkdtempSync(join(dir, "strace-")), "trace");
  const result = run("strace", [
    "-ff",
    "-qq",
    "-e",
    "trace=setsockopt,connect,listen",
    "-o",
    trace,
    process.execPath,
    cli,
    "run",
    "--",
    pair,
    ...args,
  ], env);
  const { pid } = readPair(succeeded(result));
  const calls = { client: [] as string[], listener: [] as string[] };
  const pending = new Map<number, string[]>();
  for (const call of readFileSync(`${trace}.${pid}`, "utf8").split("\n")) {
    const set = /^setsockopt\((\d+), \w+, (\w+), \[(-?\d+)\], 4\) = 0/.exec(call);
    if (set) pending.set(Number(set[1]), [...(pending.get(Number(set[1])) ?? []), `${set[2]}=${set[3]}`]);
    const connect = /^connect\((\d+), \{sa_family=AF_INET,/.exec(call);
    if (connect) calls.client = pending.get(Number(connect[1])) ?? [];
    const listen = /^listen\((\d+),/.exec(call);
    if (listen) calls.listener = pending.get(Number(listen[1])) ?? [];
  }
  return calls;
}

test("libkeepalive's defaults: the client's connect is preceded by SO_KEEPALIVE=1, TCP_KEEPIDLE=15, TCP_KEEPCNT=9, TCP_KEEPINTVL=15, TCP_USER_TIMEOUT=150000", () => {
  const { client } = tracedCalls({ KAHOOK_MODE: "connect" });
  assert.equal([...client].sort(), [
    "SO_KEEPALIVE=1",
    "TCP_KEEPCNT=9",
    "TCP_KEEPIDLE=15",
    "TCP_KEEPINTVL=15",
    "TCP_USER_TIMEOUT=150000",
  ]);
});

test("TCP_USER_TIMEOUT=0 leaves the user timeout alone: no such call", () => {
  const { client } = tracedCalls({ KAHOOK_MODE: "connect", TCP_USER_TIMEOUT: "0" });
  assert.equal([...client].sort(), ["SO_KEEPALIVE=1", "TCP_KEEPCNT=9", "TCP_KEEPIDLE=15", "TCP_KEEPINTVL=15"]);
});

test("TCP_SYNCNT, TCP_MAXSEG and TCP_WINDOW_CLAMP are set before connect when given", () => {
  const { client } = tracedCalls({
    KAHOOK_MODE: "connect",
    TCP_SYNCNT: "2",
    TCP_MAXSEG: "1000",
    TCP_WINDOW_CLAMP: "20000",
  });
  for (const call of ["TCP_SYNCNT=2", "TCP_MAXSEG=1000", "TCP_WINDOW_CLAMP=20000"]) {
    assert.ok(client.includes(call), `${call} in ${client}`);
  }
});

test("KAHOOK_MODE=listen configures the listener before listen(2), and not the client", () => {
  const { client, listener } = tracedCalls({ KAHOOK_MODE: "listen" });
  assert.equal(client, []);
  assert.equal([...listener].sort(), [
    "SO_KEEPALIVE=1",
    "TCP_KEEPCNT=9",
    "TCP_KEEPIDLE=15",
    "TCP_KEEPINTVL=15",
    "TCP_USER_TIMEOUT=150000",
  ]);
});

for (
  const [mode, configured] of [["connect", ["client"]], ["listen", ["listener", "accepted"]], ["socket", [
    "listener",
    "accepted",
    "client",
  ]]] as const
) {
  test(`KAHOOK_MODE=${mode}: ${configured.join(", ")} read back configured, the rest untouched`, () => {
    const result = readPair(succeeded(kahook(["run", "--mode", mode, "--", pair])));
    for (const role of ["listener", "accepted", "client"] as const) {
      assert.equal(result[role], (configured as readonly string[]).includes(role) ? DEFAULTS : UNTOUCHED, role);
    }
  });
}

test("without kahook run, the fixture's sockets read back the kernel's defaults", () => {
  const result = readPair(succeeded(run(pair, [])));
  for (const role of ["listener", "accepted", "client"] as const) assert.equal(result[role], UNTOUCHED, role);
});

test("a C program that sets keepalive 60/30/5 and a user timeout of 1000 ms itself: the configured values hold", () => {
  const result = readPair(succeeded(kahook(["run", "--idle", "21", "--", pair, "own"])));
  const expected = [1, 21, 15, 9, 156_000, system[3]];
  assert.equal(result.client, expected);
  assert.equal(result.accepted, expected);
});

test("a Python program that sets TCP_KEEPIDLE=60 itself: the configured 15 s holds", () => {
  const python = run("python3", [join(root, "test/fixtures/run/own.py")]);
  assert.equal(JSON.parse(succeeded(python)), [1, 60, system[1], system[2], 0], "without kahook run, its own 60 s");
  assert.equal(JSON.parse(succeeded(kahook(["run", "--", "python3", join(root, "test/fixtures/run/own.py")]))), [
    1,
    15,
    15,
    9,
    150_000,
  ]);
});

test("a static executable: kahook run names it on stderr and runs it unconfigured", () => {
  const result = kahook(["run", "--", staticPair]);
  assert.is(result.status, 0, result.stderr);
  assert.is(
    result.stderr,
    `kahook: ${staticPair} is a static executable: the dynamic loader, which LD_PRELOAD needs, never runs; it runs without kahook\n`,
  );
  assert.equal(readPair(result.stdout).client, UNTOUCHED);
});

test("children inherit the preload, unless --no-children: then only COMMAND's own process is configured", () => {
  const script = `${pair}; echo "LD_PRELOAD=$LD_PRELOAD"`;
  const inherited = succeeded(kahook(["run", "--", "sh", "-c", script]));
  assert.equal(readPair(inherited.split("\nLD_PRELOAD")[0]).client, DEFAULTS);
  assert.ok(inherited.includes(`LD_PRELOAD=${preloadLibraryPath()}`), inherited);
  const alone = succeeded(kahook(["run", "--no-children", "--", "sh", "-c", script]));
  assert.equal(readPair(alone.split("\nLD_PRELOAD")[0]).client, UNTOUCHED);
  assert.ok(alone.trim().endsWith("LD_PRELOAD="), alone);
});

test("an LD_PRELOAD already set is kept, before kahook's library", () => {
  const other = execFileSync("sh", ["-c", "ldconfig -p | awk '/libm.so.6 .*x86-64/ {print $NF; exit}'"], {
    encoding: "utf8",
  }).trim();
  assert.ok(existsSync(other), `libm: ${other}`);
  const printed = succeeded(kahook(["run", "--", "sh", "-c", 'echo "$LD_PRELOAD"'], { LD_PRELOAD: other }));
  assert.is(printed.trim(), `${other}:${preloadLibraryPath()}`);
});

test("kahook env: its export lines, eval'd by a shell, configure the program that shell starts; --format env gives NAME=VALUE", () => {
  const exports = succeeded(kahook(["env", "--idle", "21"]));
  const result = readPair(succeeded(run("sh", ["-c", `${exports}\nexec ${pair}`])));
  assert.equal(result.client, [1, 21, 15, 9, 156_000, system[3]]);
  const lines = succeeded(kahook(["env", "--idle", "21", "--format", "env"])).trim().split("\n");
  assert.equal(lines.map((line) => line.slice(0, line.indexOf("="))), ["LD_PRELOAD", "KAHOOK_NATIVE_CONFIG"]);
});

test("invalid values stop before COMMAND starts: exit 78 and the variable named", () => {
  const marker = join(dir, "ran");
  const result = kahook(["run", "--", "sh", "-c", `echo ran > ${marker}`], { TCP_KEEPCNT: "9x" });
  assert.is(result.status, EX_CONFIG);
  assert.match(result.stderr, /TCP_KEEPCNT/);
  assert.not.ok(existsSync(marker), "the command ran");
  assert.is(kahook(["env"], { KAHOOK_MODE: "sockets" }).status, EX_CONFIG);
});

test("libkahook.so preloaded without a compiled configuration, or with a corrupt one, says so and the program runs", () => {
  const preload = { LD_PRELOAD: preloadLibraryPath() };
  const without = run(pair, [], preload);
  assert.match(without.stderr, /preloaded without KAHOOK_NATIVE_CONFIG/);
  assert.equal(readPair(without.stdout).client, UNTOUCHED);
  const corrupt = run(pair, [], { ...preload, KAHOOK_NATIVE_CONFIG: "1,2,x" });
  assert.match(corrupt.stderr, /KAHOOK_NATIVE_CONFIG is not a configuration/);
  assert.equal(readPair(corrupt.stdout).client, UNTOUCHED);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
