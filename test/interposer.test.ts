/**
 * The native interposer on this machine's glibc: build it with its build.sh, run a C driver that
 * installs it and opens sockets of every kind through its own GOT, and check what the kernel
 * reports for each; the arm64 build under qemu-user. test/node-only/interposer-platforms.test.ts runs
 * the same fixtures on glibc 2.17 and musl. Spawn-based, so it runs the same under Node, Bun and
 * Deno.
 */
import { execFileSync } from "../src/host/spawn.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildInterposer, checkRun, checkThreads, drive } from "./_driver.ts";
import { DEBIAN } from "./_platforms.ts";

const dir = mkdtempSync(join(tmpdir(), "kahook-interposer-"));
buildInterposer(dir);
const library = join(dir, "linux-x64", "kahook.node");
const arm64Library = join(dir, "linux-arm64", "kahook.node");

test("lazily bound PIE program: every socket reads back as configured", () => {
  checkRun("lazy PIE", drive(DEBIAN.x64, dir, library), true);
});

test("BIND_NOW program with RELRO: slots on read-only pages are patched and restored", () => {
  checkRun("now+relro", drive(DEBIAN.x64, dir, library, { link: ["-Wl,-z,now,-z,relro"] }), true);
});

test("non-PIE executable", () => {
  checkRun("non-PIE", drive(DEBIAN.x64, dir, library, { link: ["-no-pie"] }), true);
});

test("debug lines: one per configured socket, failure and replaced value", () => {
  const lines = drive(DEBIAN.x64, dir, library, { env: { DRIVER_DEBUG: "1" } }).stderr.split("\n");
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
  const r = drive(DEBIAN.x64, dir, library, { peerLink: [`-Wl,-rpath,${dir}`] });
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
    "kahook_counters",
    "kahook_events",
    "kahook_install",
    "kahook_uninstall",
    "napi_register_module_v1",
    "node_api_module_get_api_version_v1",
  ]);
});

test("connects on four threads while the interposer is installed and uninstalled 200 times: none lost, none half configured", () => {
  checkThreads(DEBIAN.x64, dir, library);
});

test("arm64 build, under qemu-aarch64: every socket reads back as configured", () => {
  checkRun("arm64", drive(DEBIAN.arm64, dir, arm64Library), true);
});

test("arm64 build, under qemu-aarch64: connects on four threads during 200 installs and uninstalls", () => {
  checkThreads(DEBIAN.arm64, dir, arm64Library);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
