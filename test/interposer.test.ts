/**
 * The native interposer: build it with its build.sh, run a C driver that installs it and opens
 * sockets of every kind through its own GOT, and check what the kernel reports for each.
 * Spawn-based, so it runs the same under Node, Bun and Deno.
 */
import { execFileSync, spawnSync } from "../src/runtimes/spawn.ts";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { root } from "./_repo.ts";

const dir = mkdtempSync(join(tmpdir(), "kahook-interposer-"));
const fixtures = join(root, "test/fixtures/interposer");
const STRICT = ["-Wall", "-Wextra", "-Werror"];
execFileSync("sh", [join(root, "native/interposer/build.sh"), dir]);
const host = process.arch === "arm64" ? "linux-arm64" : "linux-x64";

/** The kernel's keepalive defaults, which a socket kahook leaves alone keeps: [idle s, interval s, probes]. */
const system = ["tcp_keepalive_time", "tcp_keepalive_intvl", "tcp_keepalive_probes"].map((name) =>
  Number(readFileSync(`/proc/sys/net/ipv4/${name}`, "utf8"))
);
const untouched = [0, ...system, 0];
/** connect(2)'s errno on a connected socket (Linux, x86_64 and aarch64). */
const EISCONN = 106;

/** Compiles the driver and its dlopened peer with `compiler` and link flags, runs them, parses the JSON. */
function drive(
  compiler: string,
  link: string[],
  library: string,
  run: string[] = [],
  peerLink: string[] = [],
  env: Record<string, string> = {},
  // deno-lint-ignore no-explicit-any -- the driver's JSON, checked field by field
): Record<string, any> {
  const name = `driver${[...link, ...peerLink].join("").replace(/\W/g, "")}-${compiler.replace(/\W/g, "")}`;
  const driver = join(dir, name);
  const peer = join(dir, `${name}-peer.so`);
  execFileSync(compiler, [...STRICT, ...link, "-o", driver, join(fixtures, "driver.c")]);
  execFileSync(compiler, [...STRICT, ...peerLink, "-shared", "-fPIC", "-o", peer, join(fixtures, "peer.c")]);
  const [program, ...args] = [...run, driver, library, peer];
  const { DRIVER_DEBUG: _, ...inherited } = process.env;
  const child = spawnSync(program!, args, { encoding: "utf8", timeout: 60_000, env: { ...inherited, ...env } });
  assert.is(child.status, 0, `${name}: ${child.stderr}`);
  return { ...JSON.parse(child.stdout), stderr: child.stderr };
}

/**
 * Every readback of one driver run, against the configuration driver.c installs. `closeRange`:
 * the C library has close_range (glibc 2.34 and later), which the driver then calls too.
 */
// deno-lint-ignore no-explicit-any -- the driver's JSON, checked field by field
function checkRun(label: string, r: Record<string, any>, closeRange = true): void {
  const is = (field: string, expected: unknown) => assert.equal(r[field], expected, `${label}: ${field}`);
  // The driver's socket, connect, listen, accept, setsockopt, close, dup, dup2, dup3, fcntl,
  // dlopen (and close_range); after the dlopen, the peer's socket, connect, close and dlopen too.
  const own = closeRange ? 12 : 11;
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
  is("ipv6", [1, 51, system[1], system[2], 0]); // rule 3: ::1, two settings
  is("failed", [1, system[0], system[1], system[2], 0]); // rule 4 stops at TCP_KEEPIDLE=99999
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
  is("after_set", [1, 60, system[1], system[2], 0]); // setsockopt passes through again
  is("after_dlopened", untouched);
  is("reinstalled", [1, 11, 7, 3, 5000]);
  is("reinstall", [own + 4, own + 4]);
  is("stderr", ""); // nothing is written without the debug flag
}

const library = join(dir, host, "kahook.node");

test("lazily bound PIE program: every socket reads back as configured", () => {
  checkRun("lazy PIE", drive("cc", [], library));
});

test("BIND_NOW program with RELRO: slots on read-only pages are patched and restored", () => {
  checkRun("now+relro", drive("cc", ["-Wl,-z,now,-z,relro"], library));
});

test("non-PIE executable", () => {
  checkRun("non-PIE", drive("cc", ["-no-pie"], library));
});

test("debug lines: one per configured socket, failure and replaced value", () => {
  const lines = drive("cc", [], library, [], [], { DRIVER_DEBUG: "1" }).stderr.split("\n");
  const fds = /^kahook: fd \d+ /;
  const has = (line: string) =>
    assert.ok(lines.some((l: string) => l.replace(fds, "") === line), `${line} in ${lines.join("\n")}`);
  has("client: SO_KEEPALIVE=1 TCP_KEEPIDLE=11 TCP_KEEPINTVL=7 TCP_KEEPCNT=3 TCP_USER_TIMEOUT=5000");
  has("client: TCP_KEEPIDLE=60 kept at 11");
  has("client: SO_KEEPALIVE=0 kept at 1");
  has("client, rule 1: SO_KEEPALIVE=1 TCP_KEEPIDLE=31 TCP_KEEPINTVL=13 TCP_KEEPCNT=5 TCP_USER_TIMEOUT=9000");
  has("client, rule 3: SO_KEEPALIVE=1 TCP_KEEPIDLE=51");
  has("client, rule 4: TCP_KEEPIDLE=99999: EINVAL");
  has("server: SO_KEEPALIVE=1 TCP_KEEPIDLE=21 TCP_KEEPINTVL=8 TCP_KEEPCNT=4 TCP_USER_TIMEOUT=6000");
  has("server: TCP_KEEPIDLE=60 kept at 21");
  // 14 sockets configured, 1 failure, 8 values kept, and the one client after reinstall: nothing else.
  assert.is(lines.filter((l: string) => l !== "").length, 14 + 1 + 8 + 1);
});

test("a library with RUNPATH keeps its own dlopen: a wrapper would change its search path", () => {
  const r = drive("cc", [], library, [], [`-Wl,-rpath,${dir}`]);
  assert.is(r.dlopened.join(), "1,11,7,3,5000");
  assert.is(r.patched_after_dlopen, r.patched + 3, "its socket, connect and close only");
  assert.is(r.peer_dlopen, 1);
});

test("exports only kahook_* and the Node-API entry points", () => {
  const defined = execFileSync("nm", ["-D", "--defined-only", library], { encoding: "utf8" })
    .split("\n")
    .filter((line) => / T /.test(line))
    .map((line) => line.split(" ").pop())
    .sort();
  assert.equal(defined, [
    "kahook_install",
    "kahook_stat",
    "kahook_uninstall",
    "napi_register_module_v1",
    "node_api_module_get_api_version_v1",
  ]);
});

/** Builds and runs threads.c: connects on four threads while the interposer is installed and uninstalled 200 times. */
function checkThreads(label: string, compiler: string, library: string, run: string[] = []): void {
  const program = join(dir, `threads-${compiler.replace(/\W/g, "")}`);
  execFileSync(compiler, [...STRICT, "-pthread", "-o", program, join(fixtures, "threads.c")]);
  const [binary, ...args] = [...run, program, library];
  const child = spawnSync(binary!, args, { encoding: "utf8", timeout: 60_000 });
  assert.is(child.status, 0, `${label}: ${child.stderr}`);
  const r = JSON.parse(child.stdout);
  const is = (field: string, expected: unknown) =>
    assert.equal(r[field], expected, `${label}: ${field} in ${child.stdout}`);
  is("bad_cycles", 0); // every install patched the slots and every uninstall restored as many
  is("failures", 0); // no connect lost
  is("mixed", 0); // no socket half configured
  assert.ok(r.configured > 0 && r.untouched > 0, `${label}: connects both while installed and not: ${child.stdout}`);
  assert.ok(
    r.configured_after_install >= 100,
    `${label}: configured connects once installed for good: ${child.stdout}`,
  );
}

test("connects on four threads while the interposer is installed and uninstalled 200 times: none lost, none half configured", () => {
  checkThreads("x64", "cc", library);
});

const crossCompiler = "/usr/bin/aarch64-linux-gnu-gcc";
const qemu = "/usr/bin/qemu-aarch64";
if (host === "linux-x64" && existsSync(crossCompiler) && existsSync(qemu)) {
  test("arm64 build, under qemu-aarch64: every socket reads back as configured", () => {
    const arm = join(dir, "linux-arm64", "kahook.node");
    checkRun("arm64", drive(crossCompiler, [], arm, [qemu, "-L", "/usr/aarch64-linux-gnu"]));
  });

  test("arm64 build, under qemu-aarch64: connects on four threads during 200 installs and uninstalls", () => {
    checkThreads("arm64", crossCompiler, join(dir, "linux-arm64", "kahook.node"), [
      qemu,
      "-L",
      "/usr/aarch64-linux-gnu",
    ]);
  });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
