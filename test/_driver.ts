/**
 * The interposer's C fixtures (test/fixtures/interposer/), built and run for a target (this
 * machine's glibc, or a platform of test/_platforms.ts): driver.c, which installs the library
 * and reads back sockets of every kind; threads.c, which connects on four threads through 200
 * installs and uninstalls; fork.c, which forks while the install mutex is held elsewhere. Each
 * check asserts what the fixture printed.
 * @module
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as assert from "uvu/assert";
import { execFileSync } from "../src/host/spawn.ts";
import { compile, run, type Target } from "./_platforms.ts";
import { root } from "./_repo.ts";

const fixture = (name: string) => join(root, "test/fixtures/interposer", name);
/** Before glibc 2.34, dlopen is in libdl and pthread_create in libpthread; elsewhere these are empty. */
const LIBRARIES = ["-pthread", "-ldl"];

/** Builds the interposer with native/interposer/build.sh into dir/linux-ARCH/, with extra cc flags (smaller limits). */
export function buildInterposer(dir: string, flags: string[] = []): void {
  execFileSync("sh", [join(root, "native/interposer/build.sh"), dir, ...flags]);
}

/** The kernel's keepalive defaults, which a socket kahook leaves alone keeps: [idle s, interval s, probes]. */
export const SYSTEM = ["tcp_keepalive_time", "tcp_keepalive_intvl", "tcp_keepalive_probes"].map((name) =>
  Number(readFileSync(`/proc/sys/net/ipv4/${name}`, "utf8"))
);
const untouched = [0, ...SYSTEM, 0];
/** connect(2)'s errno on a connected socket (Linux, x86_64 and aarch64). */
const EISCONN = 106;

/** The options driver.c and pair.c print, in their order. */
export type Readback = number[];
// deno-lint-ignore no-explicit-any -- a fixture's JSON, checked field by field
export type Printed = Record<string, any>;

/** Runs a built fixture on the target; fails on a non-zero status; the JSON it printed, and its stderr. */
export function runFixture(target: Target, program: string, args: string[], env: Record<string, string> = {}): Printed {
  const child = run(target, program, args, { env });
  assert.is(child.status, 0, `${target.name} ${program}: ${child.stderr}`);
  return { ...JSON.parse(child.stdout), stderr: child.stderr };
}

/** Compiles driver.c and its dlopened peer for the target into dir, runs them with the library, parses the JSON. */
export function drive(
  target: Target,
  dir: string,
  library: string,
  { link = [], peerLink = [], env = {} }: { link?: string[]; peerLink?: string[]; env?: Record<string, string> } = {},
): Printed {
  const name = `driver-${target.name}${[...link, ...peerLink].join("").replace(/\W/g, "")}`;
  const [driver, peer] = [join(dir, name), join(dir, `${name}-peer.so`)];
  compile(target.compiler, [fixture("driver.c")], driver, [...link, ...LIBRARIES]);
  compile(target.compiler, [fixture("peer.c")], peer, [...peerLink, "-shared", "-fPIC", "-ldl"]);
  return runFixture(target, driver, [library, peer], env);
}

/**
 * Every readback of one driver run, against the configuration driver.c installs. `closeRange`:
 * the C library has close_range (glibc 2.34 and later), which the driver then calls too.
 */
export function checkRun(label: string, r: Printed, closeRange: boolean): void {
  const is = (field: string, expected: unknown) => assert.equal(r[field], expected, `${label}: ${field}`);
  // The driver's socket, connect, listen, accept, setsockopt, close, dup, dup2, dup3, fcntl,
  // dlopen, syscall (and close_range); after the dlopen, the peer's socket, connect, close and
  // dlopen too.
  const own = closeRange ? 13 : 12;
  is("invalid", -22); // one word short: -EINVAL
  is("version", -22); // ABI version 2: -EINVAL
  is("patched", own);
  is("again", -114); // -EALREADY
  is("relro_readonly", 1); // RELRO pages patched are made read-only again
  is("client", [1, 11, 7, 3, 5000]);
  is("client_reset", [1, 11, 7, 3, 5000]); // its own 60/1/10 and SO_KEEPALIVE=0 kept at kahook's
  is("nodelay", 1); // an option kahook does not set passes through
  is("reconnect", [-1, EISCONN, 0]); // connect's own errno, and nothing set again
  is("rule", [1, 31, 13, 5, 9000]); // rule 1: 127.0.0.0/8 on its port
  is("mapped", [1, 31, 13, 5, 9000]); // ::ffff:127.0.0.1 matches the IPv4 rule
  is("ipv6", [1, 51, SYSTEM[1], SYSTEM[2], 0]); // rule 3: ::1, two settings
  is("failed", [1, SYSTEM[0], SYSTEM[1], SYSTEM[2], 0]); // rule 4 stops at TCP_KEEPIDLE=99999
  is("early", [1, 11, 7, 3, 5000]); // opened before install, connected after
  is("reused", [1, 11, 7, 3, 5000]); // the number of a closed rule-1 socket, reused past the wrappers: the client set
  is("dup2_before_connect", 60); // a fresh socket dup2'd onto a configured one's number: the program's own value
  is("dup2_connected", [1, 11, 7, 3, 5000]); // ... and configured at its connect
  is("copies_kept", [1, 11, 7, 3, 5000]); // 60 / 1 / 10 set through copies by dup, dup3 and fcntl: kept
  is("close_range_reused", closeRange ? [1, 11, 7, 3, 5000] : null); // as "reused", the number freed by close_range
  is("listener", [1, 21, 8, 4, 6000]);
  is("accepted", [1, 21, 8, 4, 6000]); // inherited from the listener
  is("accepted_reset", [1, 21, 2, 4, 6000]); // only KEEPIDLE is sticky in the server set
  is("unix", [0, 0]);
  is("udp", 0);
  is("dlopened", [1, 11, 7, 3, 5000]); // a library loaded after install
  is("patched_after_dlopen", own + 4); // its socket, connect, close and (unbound until then) dlopen slots too
  is("peer_dlopen", 1); // a dlopen through its patched slot
  // configured, failed, replaced (5, and 3 through copies), slots patched
  is("stat", [closeRange ? 14 : 12, 1, 8, own + 4]);
  is("uninstall", own + 4);
  is("uninstall_again", -2); // -ENOENT
  is("patched_after", 0);
  is("relro_readonly_after", 1);
  is("after", untouched);
  is("after_set", [1, 60, SYSTEM[1], SYSTEM[2], 0]); // setsockopt passes through again
  is("after_dlopened", untouched);
  is("reinstalled", [1, 11, 7, 3, 5000]);
  is("reinstall", [own + 4, own + 4]);
  is("stderr", ""); // nothing is written without the debug flag
}

/** Builds and runs threads.c: connects on four threads while the interposer is installed and uninstalled 200 times. */
export function checkThreads(target: Target, dir: string, library: string): void {
  const program = join(dir, `threads-${target.name}`);
  compile(target.compiler, [fixture("threads.c")], program, LIBRARIES);
  const r = runFixture(target, program, [library]);
  const is = (field: string, expected: unknown) =>
    assert.equal(r[field], expected, `${target.name}: ${field} in ${JSON.stringify(r)}`);
  is("bad_cycles", 0); // every install patched the slots and every uninstall restored as many
  is("failures", 0); // no connect lost
  is("mixed", 0); // no socket half configured
  assert.ok(r.configured > 0 && r.untouched > 0, `${target.name}: connects both while installed and not`);
  assert.ok(r.configured_after_install >= 100, `${target.name}: configured connects once installed for good`);
}

/** Builds and runs fork.c: no child forked while another thread held the install mutex is left waiting for it. */
export function checkFork(target: Target, dir: string, library: string): void {
  const program = join(dir, `fork-${target.name}`);
  compile(target.compiler, [fixture("fork.c")], program, LIBRARIES);
  const r = runFixture(target, program, [library]);
  assert.is(r.stuck, 0, `${target.name}: children that waited for ever, of ${r.forks}`);
  assert.ok(r.cycles > 0, `${target.name}: installs and uninstalls on the other thread meanwhile`);
}
