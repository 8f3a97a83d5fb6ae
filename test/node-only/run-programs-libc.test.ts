/**
 * `kahook run` looks at a program's C library before it preloads the interposer. C programs
 * (test/fixtures/run/pair.c) built for musl (PIE and fixed-address) and for glibc 2.17 (with
 * libpthread, which has its own connect before glibc 2.34) are preloaded and read back the
 * configured values, and so do a musl program's glibc child and the reverse. Named on stderr and run unconfigured, as they would run without kahook: a
 * glibc older than the interposer needs, a Go program (test/fixtures/run/pair.go, with cgo and
 * without), and a program whose loader is neither glibc's nor musl's. Controls show why: the
 * interposer preloaded by hand, the loader stops the program on the old glibc, and the Go
 * program's sockets keep Go's values. The arm64 platforms are not run here: under qemu-user,
 * qemu itself would take the preload.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { preloadObstacle } from "../../src/commands/executable.ts";
import { preloadLibraryPath } from "../../src/interposer/index.ts";
import { execFileSync } from "../../src/host/spawn.ts";
import { cli, kahook, type Pair, PAIR_SOURCE, readPair, system, UNTOUCHED } from "../_pair.ts";
import { compile, DEBIAN, platform } from "../_platforms.ts";
import { root } from "../_repo.ts";
import { run, succeeded } from "../_run.ts";

const dir = realpathSync(mkdtempSync(join(tmpdir(), "kahook-run-libc-")));
const library = preloadLibraryPath();
const ROLES = ["listener", "accepted", "client"] as const;
/** The options given to kahook run, and what a socket it configured reads back: the user timeout derived, (11 + 7 × 3) × 1000 ms. */
const OPTIONS = ["--idle", "11", "--interval", "7", "--count", "3"];
const CONFIGURED = [1, 11, 7, 3, 32_000, system[3]];

const musl = platform("musl-x64");
const glibc217 = platform("glibc-2.17-x64");
const build = (compiler: readonly string[], name: string, flags: string[] = []) => {
  compile(compiler, [PAIR_SOURCE], join(dir, name), flags);
  return join(dir, name);
};
const muslPrograms = {
  PIE: build(musl.compiler, "pair-musl-pie", ["-pie", "-fPIE"]),
  "fixed-address": build(musl.compiler, "pair-musl-fixed", ["-no-pie"]),
};
const glibcPair = build(glibc217.compiler, "pair-glibc-2.17", ["-pthread"]);

/** This machine's glibc loader, by its real path. */
const hostLoader = realpathSync("/lib64/ld-linux-x86-64.so.2");

/**
 * `kahook ARGS` with LD_LIBRARY_PATH, which kahook run reads and passes on to the program, set
 * to libraryPath. kahook's own Node keeps this machine's glibc: it starts through the loader,
 * whose --library-path stands in for LD_LIBRARY_PATH in that process alone.
 */
function kahookWithLibraryPath(args: string[], libraryPath: string) {
  const node = [process.execPath, cli, ...args];
  return run(hostLoader, ["--library-path", dirname(hostLoader), ...node], { LD_LIBRARY_PATH: libraryPath });
}

/** Each of the three sockets read back expected. */
function assertRoles(pair: Pair, expected: number[]) {
  for (const role of ROLES) assert.equal(pair[role], expected, role);
}

/** Each of the three sockets read back as in another run. */
function assertSameRoles(pair: Pair, other: Pair) {
  for (const role of ROLES) assert.equal(pair[role], other[role], role);
}

/** The variables `kahook env` prints with these options: the interposer preloaded by hand. */
function kahookEnv(options: string[] = []): Record<string, string> {
  const lines = succeeded(kahook(["env", ...options, "--format", "env"])).trim().split("\n");
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
}

/** The line kahook run writes for a program it does not preload into. */
const named = (reason: string) => `kahook: ${reason}; it runs without kahook\n`;

for (const [link, program] of Object.entries(muslPrograms)) {
  test(`a musl program (${link}) is preloaded: its sockets read back the configured values`, () => {
    const result = kahook(["run", ...OPTIONS, "--", program]);
    assert.is(result.stderr, "");
    assert.is(result.status, 0);
    assertRoles(readPair(result.stdout), CONFIGURED);
  });
}

test("a glibc 2.17 program linked with libpthread is preloaded: its sockets read back the configured values", () => {
  const result = kahookWithLibraryPath(["run", ...OPTIONS, "--", glibcPair], glibc217.env.LD_LIBRARY_PATH);
  assert.is(result.stderr, "");
  assert.is(result.status, 0);
  assertRoles(readPair(result.stdout), CONFIGURED);
});

// Children inherit kahook run's preload, one library for glibc and musl alike: this machine's
// glibc program and a musl one, each run by the other (pair.c's "then").
const debianPair = build(DEBIAN.x64.compiler, "pair-glibc-debian");
const families = [["a musl program's glibc child", muslPrograms.PIE, debianPair], [
  "a glibc program's musl child",
  debianPair,
  muslPrograms.PIE,
]] as const;
for (const [name, parent, child] of families) {
  test(`${name}: both start under kahook run and read back the configured values`, () => {
    const result = kahook(["run", ...OPTIONS, "--", parent, "then", child]);
    assert.is(result.stderr, "");
    assert.is(result.status, 0);
    const pairs = result.stdout.trim().split("\n").map(readPair);
    assert.is(pairs.length, 2, result.stdout);
    assert.is.not(pairs[0].pid, pairs[1].pid);
    for (const pair of pairs) assertRoles(pair, CONFIGURED);
  });
}

// A glibc older than the library needs: glibc 2.17's libc.so.6 with its newest versions renamed
// (GLIBC_2.15 to XLIBC_2.15, ...) in its dynamic string table, so that it defines none after
// GLIBC_2.14, as glibc 2.14 would; it still runs the program. libpthread 2.17 needs GLIBC_2.14.
const RENAMED = ["GLIBC_2.15", "GLIBC_2.16", "GLIBC_2.17"];
const oldGlibc = join(dir, "glibc-2.14");
mkdirSync(oldGlibc);
{
  const libc = readFileSync(glibc217.libc);
  const sections = execFileSync("readelf", ["-S", "-W", glibc217.libc], { encoding: "utf8" });
  const [, offset, size] = / \.dynstr +STRTAB +\w+ (\w+) (\w+)/.exec(sections)!.map((hex) => parseInt(hex, 16));
  const strings = libc.subarray(offset, offset + size);
  for (const version of RENAMED) {
    const at = strings.indexOf(`\0${version}\0`);
    assert.ok(at >= 0, `${version} in ${glibc217.libc}'s .dynstr`);
    strings.write("X", at + 1);
  }
  writeFileSync(join(oldGlibc, "libc.so.6"), libc, { mode: 0o755 });
}
const oldLibraryPath = `${oldGlibc}:${glibc217.env.LD_LIBRARY_PATH}`;
/** The versions of libc.so.6 the library needs that the old libc lacks, as readelf lists them. */
const missing = [
  ...execFileSync("readelf", ["-V", "-W", library], { encoding: "utf8" })
    .split("File: ").find((entry) => entry.startsWith("libc.so.6"))!
    .matchAll(/Name: (\S+)/g),
].map(([, version]) => version).filter((version) => RENAMED.includes(version));

/** What kahook run says of a program that would load the old libc. */
const tooOld = (program: string) =>
  `${program} loads ${oldGlibc}/libc.so.6, which defines no ${missing.join(", ")}, needed by ${library}: ` +
  "the loader would stop it";

test("a glibc older than the interposer needs, preloaded by hand: the loader stops the program", () => {
  assert.ok(missing.length > 0, `${library} needs one of ${RENAMED}`);
  const result = run(glibcPair, [], { ...kahookEnv(), LD_LIBRARY_PATH: oldLibraryPath });
  assert.is.not(result.status, 0);
  assert.ok(result.stderr.includes(`version \`${missing[0]}' not found (required by ${library})`), result.stderr);
});

test("a glibc older than the interposer needs, under kahook run: named on stderr, run unconfigured", () => {
  const result = kahookWithLibraryPath(["run", ...OPTIONS, "--", glibcPair], oldLibraryPath);
  assert.is(result.stderr, named(tooOld(glibcPair)));
  assert.is(result.status, 0);
  assertRoles(readPair(result.stdout), UNTOUCHED);
});

test("with no LD_LIBRARY_PATH, the libc.so.6 looked at is the one beside the program's loader, its symlinks resolved", () => {
  // As on a glibc system: /lib64/ld-linux-x86-64.so.2 links to the directory that holds libc.so.6.
  const links = join(dir, "lib64");
  mkdirSync(links);
  copyFileSync(glibc217.loader, join(oldGlibc, "ld-2.17.so"));
  symlinkSync(join(oldGlibc, "ld-2.17.so"), join(links, "ld-linux-x86-64.so.2"));
  const program = build(["cc", `-Wl,--dynamic-linker=${join(links, "ld-linux-x86-64.so.2")}`], "pair-old-loader");
  assert.is(preloadObstacle(program, library, { PATH: process.env.PATH }), tooOld(program));
});

/** pair.go built by Go, with cgo (dynamically linked, to libc) or without (static). */
function buildGo(cgo: boolean): string {
  const output = join(dir, cgo ? "pair-go-cgo" : "pair-go");
  execFileSync("go", ["build", "-o", output, join(root, "test/fixtures/run/pair.go")], {
    cwd: dir,
    // Its own cache and path, and no module proxy: the standard library alone, nothing fetched.
    env: {
      ...process.env,
      CGO_ENABLED: cgo ? "1" : "0",
      GOCACHE: join(dir, "go-cache"),
      GOPATH: join(dir, "go"),
      GOPROXY: "off",
      GOFLAGS: "",
    },
  });
  return output;
}

const GO_REASON = "is a Go program: Go makes its socket system calls itself, not through libc, where the interposer is";

const goWithCgo = buildGo(true);
const GO_BUILDS = [
  { program: goWithCgo, build: "with cgo (dynamically linked)", loader: "/lib64/ld-linux-x86-64.so.2" },
  { program: buildGo(false), build: "without cgo (static)", loader: undefined },
];

for (const { program, build, loader } of GO_BUILDS) {
  test(`a Go program built ${build}: named on stderr, it runs as without kahook`, () => {
    const interpreter = /Requesting program interpreter: (\S+)\]/.exec(
      execFileSync("readelf", ["-l", "-W", program], { encoding: "utf8" }),
    );
    assert.is(interpreter?.[1], loader, "its loader");
    const own = readPair(succeeded(run(program, [])));
    assert.not.equal(own.client, CONFIGURED, "Go's own values differ from the configured ones");
    const result = kahook(["run", ...OPTIONS, "--", program]);
    assert.is(result.stderr, named(`${program} ${GO_REASON}`));
    assert.is(result.status, 0);
    assertSameRoles(readPair(result.stdout), own);
  });
}

test("a Go program built with cgo, the interposer preloaded by hand: its sockets keep Go's own values", () => {
  const preloaded = readPair(succeeded(run(goWithCgo, [], kahookEnv(OPTIONS))));
  assertSameRoles(preloaded, readPair(succeeded(run(goWithCgo, []))));
});

// glibc's loader copied under a name kahook does not know.
const otherLoader = join(dir, "ld-other.so.1");
copyFileSync(hostLoader, otherLoader);
const otherPair = build(["cc", `-Wl,--dynamic-linker=${otherLoader}`], "pair-other-loader");

test("a loader neither glibc's nor musl's: named on stderr, run unconfigured", () => {
  const result = kahook(["run", ...OPTIONS, "--", otherPair]);
  assert.is(
    result.stderr,
    named(
      `${otherPair} names a dynamic loader kahook does not know, ${otherLoader}: ` +
        "neither glibc's (ld-linux-x86-64.so.2) nor musl's (ld-musl-x86_64.so.1)",
    ),
  );
  assert.is(result.status, 0);
  assertRoles(readPair(result.stdout), UNTOUCHED);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
