/**
 * The interposer, as the package ships it (one library per architecture, built here on glibc
 * 2.36), on the C libraries users' Linux runs: glibc 2.17 and musl, x86_64 and arm64
 * (test/_platforms.ts). On each: the C driver's readbacks, PIE and fixed-address; four threads
 * connecting through 200 installs; forks while the install mutex is held; libkahook.so preloaded
 * as `kahook run` preloads it. Node 16 on glibc 2.17 loads the addon and installs it. And at its
 * limits, on this machine: a full slot table, fds beyond the tag table, and a C library whose
 * functions cannot be found. The fixtures are C programs, whatever Node runs the test: it runs
 * under the Node that runs the suite, not again under each Node of the matrix.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compileWords, FLAGS } from "../../src/abi/words.ts";
import { SocketPlan } from "../../src/config/plan.ts";
import { configFromEnv } from "../../src/config/env.ts";
import {
  buildInterposer,
  checkFork,
  checkRun,
  checkThreads,
  drive,
  type Printed,
  runFixture,
  SYSTEM,
} from "../_driver.ts";
import { inspectProcess, type SocketReport } from "../../src/remote/process.ts";
import { startCommand } from "../_fixture.ts";
import { type Arch, compile, DEBIAN, NODE16, platform, PLATFORMS, type Target } from "../_platforms.ts";
import { root } from "../_repo.ts";

const shipped = (arch: Arch, name: string) => join(root, "native/build", `linux-${arch}`, name);
const fixture = (name: string) => join(root, "test/fixtures", name);
const DEAD_PEERS = FLAGS.deadPeers;

/** libkeepalive's variables, compiled as `kahook env` compiles them for libkahook.so. */
const CONFIGURED = { TCP_KEEPIDLE: "11", TCP_KEEPINTVL: "7", TCP_KEEPCNT: "3", TCP_USER_TIMEOUT: "12345" };
const words = (debug = false) =>
  [...compileWords(new SocketPlan(configFromEnv({ ...CONFIGURED, KAHOOK_DEBUG: debug ? "1" : "" })))].join(",");
/** pair.c's readback of a configured socket: SO_KEEPALIVE, idle, interval, count, user timeout. */
const CONFIGURED_READBACK = [1, 11, 7, 3, 12345];

/** Builds pair.c (a listener, a client of it and the accepted socket, each read back) for the target. */
function pair(target: Target, dir: string): string {
  const program = join(dir, `pair-${target.name}`);
  compile(target.compiler, [fixture("run/pair.c")], program, ["-pthread"]);
  return program;
}

const dir = mkdtempSync(join(tmpdir(), "kahook-platforms-interposer-"));

for (const p of PLATFORMS) {
  const library = shipped(p.arch, "kahook.node");
  const fixed = ["-no-pie"];
  test(`${p.name}, PIE: the driver's every socket reads back as configured`, () => {
    checkRun(p.name, drive(p, dir, library, { link: ["-pie", "-fPIE"] }), false);
  });

  test(`${p.name}, fixed-address: the driver's every socket reads back as configured`, () => {
    checkRun(`${p.name} fixed`, drive(p, dir, library, { link: fixed }), false);
  });

  test(`${p.name}: connects on four threads during 200 installs and uninstalls`, () => {
    checkThreads(p, dir, library);
  });

  test(`${p.name}: a child forked while another thread holds the install mutex does not wait for it`, () => {
    checkFork(p, dir, library);
  });

  test(`${p.name}: libkahook.so preloaded with KAHOOK_NATIVE_CONFIG configures the listener, the client and the accepted socket`, () => {
    const r = runFixture(p, pair(p, dir), [], {
      LD_PRELOAD: shipped(p.arch, "libkahook.so"),
      KAHOOK_NATIVE_CONFIG: words(),
    });
    for (const socket of ["listener", "accepted", "client"]) {
      assert.equal(r[socket].slice(0, 5), CONFIGURED_READBACK, `${p.name}: ${socket}`);
    }
  });
}

test("the preloaded library's control: pair.c without it reads back the system's defaults", () => {
  const p = platform("musl-x64");
  const r = runFixture(p, pair(p, dir), []);
  assert.equal(r.client.slice(0, 5), [0, ...SYSTEM, 0]);
});

test("on this machine, a child forked while another thread holds the install mutex does not wait for it", () => {
  checkFork(DEBIAN.x64, dir, shipped("x64", "kahook.node"));
});

test("Node 16 on glibc 2.17: process.dlopen of kahook.node installs it; a client and its accepted socket read back configured, setKeepAlive's values kept", async () => {
  const child = startCommand("node16", [
    NODE16,
    fixture("interposer/node16.cjs"),
    shipped("x64", "kahook.node"),
    words(),
  ]);
  try {
    const r = await child.next();
    assert.ok(r.installed > 0, `slots patched: ${r.installed}`);
    assert.is(r.glibc, "2.17");
    assert.ok(r.replaced >= 3, `setKeepAlive(true, 60000)'s idle, interval and count kept: ${r.replaced}`);
    const sockets = inspectProcess(child.pid).filter(({ state }) => state === "ESTABLISHED");
    const local = (report: SocketReport) => Number(report.local.slice(report.local.lastIndexOf(":") + 1));
    assert.equal(sockets.map(local).sort(), [r.port, r.clientPort].sort(), "the client and the accepted socket");
    for (const { options } of sockets) {
      const { enable, idle, interval, count, userTimeout } = options;
      assert.equal([enable, idle, interval, count, userTimeout], [true, 11_000, 7_000, 3, 12_345]);
    }
  } finally {
    await child.stop();
  }
});

test("dead peers, with their flag: counted at close by cause and set (keepalive, user timeout; a reset is not), for one getsockopt more per configured connection closed", () => {
  const program = join(dir, "dead");
  compile(DEBIAN.x64.compiler, [fixture("interposer/dead.c")], program, ["-ldl"]);
  const library = shipped("x64", "kahook.node");
  const traced = (flags: number): Printed => {
    const log = join(dir, `dead-${flags}.strace`);
    const r = runFixture(DEBIAN.x64, "strace", [
      "-f",
      "-o",
      log,
      "-e",
      "trace=getsockopt",
      program,
      library,
      String(flags),
    ]);
    return {
      ...r,
      getsockopt: readFileSync(log, "utf8").split("\n").filter((line) => line.includes("getsockopt(")).length,
    };
  };
  const counted = traced(DEAD_PEERS);
  const [ETIMEDOUT, ECONNRESET] = [110, 104];
  assert.equal(counted.errors, [ETIMEDOUT, ETIMEDOUT, ECONNRESET], "how each connection ended");
  // configured, failed, dead by keepalive, by user timeout, by retransmissions
  assert.equal(counted.clients, [2, 0, 1, 0, 0], "the clients' set: the idle connection ended by keepalive");
  assert.equal(
    counted.rule,
    [1, 0, 0, 1, 0],
    "rule 1: the busy connection ended by its user timeout, closed by syscall()",
  );
  const uncounted = traced(0);
  assert.equal([uncounted.clients, uncounted.rule], [[2, 0, 0, 0, 0], [1, 0, 0, 0, 0]], "without the flag, none");
  assert.is(counted.getsockopt - uncounted.getsockopt, 3, "one TCP_INFO per configured connection closed");
});

test("a full slot table: what fits is patched, the rest is counted and named under KAHOOK_DEBUG", () => {
  const full = join(dir, "four-slots");
  buildInterposer(full, ["-DKAHOOK_MAX_SLOTS=4"]);
  const program = join(dir, "limits");
  compile(DEBIAN.x64.compiler, [fixture("interposer/limits.c")], program);
  const unlimited = runFixture(DEBIAN.x64, program, [shipped("x64", "kahook.node"), "slots"]);
  const r = runFixture(DEBIAN.x64, program, [join(full, "linux-x64/kahook.node"), "slots"]);
  assert.ok(unlimited.patched > 4, `the program has more slots than 4: ${unlimited.patched}`);
  assert.is(r.unpatched, unlimited.patched - 4);
  // Installed when connect's slot is among the four, refused (ENOEXEC) when it is not.
  assert.is(r.slots, r.patched === -8 ? 0 : 4);
  assert.ok(r.patched === 4 || r.patched === -8, `install: ${r.patched}`);
  assert.match(r.stderr, `kahook: ${unlimited.patched - 4} slots left unpatched: the table holds 4\n`);
});

test("an fd beyond the tag table: configured at connect, counted, and the program's own later value passes", () => {
  const small = join(dir, "small-tags");
  buildInterposer(small, ["-DKAHOOK_TAGS=64"]);
  const program = join(dir, "limits");
  compile(DEBIAN.x64.compiler, [fixture("interposer/limits.c")], program);
  const r = runFixture(DEBIAN.x64, program, [join(small, "linux-x64/kahook.node"), "tags"]);
  assert.equal([r.keepalive, r.idle, r.configured, r.untagged], [1, 11, 1, 1]);
  assert.is(r.idle_after_set, 60, "not kept: the fd has no tag");
  assert.match(r.stderr, "kahook: fd 100 client: SO_KEEPALIVE=1 TCP_KEEPIDLE=11 (fd beyond the tag table");
  const tagged = runFixture(DEBIAN.x64, program, [shipped("x64", "kahook.node"), "tags"]);
  assert.equal([tagged.idle_after_set, tagged.untagged], [11, 0], "the control: within the table, kept");
});

test("libkahook.so whose C library functions cannot be found: the program runs as without it, and says why", () => {
  const absent = join(dir, "absent-libc");
  buildInterposer(absent, ['-DKAHOOK_C_LIBRARIES="libabsent.so.0","libabsent.so.1","libabsent.so.2"']);
  const r = runFixture(DEBIAN.x64, pair(DEBIAN.x64, dir), [], {
    LD_PRELOAD: join(absent, "linux-x64/libkahook.so"),
    KAHOOK_NATIVE_CONFIG: words(),
  });
  for (const socket of ["listener", "accepted", "client"]) {
    assert.equal(r[socket].slice(0, 5), [0, ...SYSTEM, 0], `${socket}: left as the program made it`);
  }
  assert.match(r.stderr, "kahook: the C library's socket functions were not found: nothing is configured");
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
