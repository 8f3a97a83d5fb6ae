import { test } from "uvu";
import * as assert from "uvu/assert";
import { CONFIGURED_ENV, DEBUG_ENV, EX_CONFIG } from "../_configured.ts";
import { here, INTERPOSER_ACTIVE, kahookLines, PRELOAD_FLAGS, run, runRuntime, succeeded } from "../_run.ts";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { root } from "../_repo.ts";

for (const flag of PRELOAD_FLAGS) {
  test(`${flag}: unix-domain sockets, pipes and child_process IPC work unchanged and are not touched`, () => {
    const result = runRuntime([flag, "kahook/register", here("fixtures/failsafe/local")], DEBUG_ENV);
    assert.equal(JSON.parse(succeeded(result)), { unix: "unix ok", pipe: "pipe ok", ipc: "ipc back" });
    // The install lines alone (the IPC child runs the preload too): no socket configured, no failure.
    const lines = kahookLines(result.stderr);
    assert.ok(lines.length > 0 && lines.every((line) => INTERPOSER_ACTIVE.test(line)), result.stderr);
  });

  test(`${flag}: an invalid variable stops the program with one line naming it`, () => {
    for (const [name, value] of [["TCP_KEEPIDLE", "30s"], ["TCP_KEEPCNT", "128"], ["KAHOOK_MODE", "both"]]) {
      const result = runRuntime([flag, "kahook/register", "-e", "console.log('ran')"], { [name]: value });
      assert.is(result.status, EX_CONFIG, name);
      assert.is(result.stdout, "", `${name}: the program must not run`);
      const lines = result.stderr.trim().split("\n");
      assert.is(lines.length, 1, result.stderr);
      assert.match(lines[0], new RegExp(`^kahook: ${name}=".*" is not valid`));
    }
  });
}

test("KAHOOK_DEBUG: the install line, then one line per configured socket with fd, direction and options; accepted sockets cost none", () => {
  const result = runRuntime(["--import", "kahook/register", here("fixtures/preload/pair")], DEBUG_ENV);
  succeeded(result);
  const options =
    "SO_KEEPALIVE=1 TCP_KEEPIDLE=11 TCP_KEEPINTVL=7 TCP_KEEPCNT=3 TCP_USER_TIMEOUT=12345 TCP_SYNCNT=2 TCP_MAXSEG=1000 TCP_WINDOW_CLAMP=20000";
  const [install, ...lines] = kahookLines(result.stderr).map((line) => line.replace(/fd \d+/, "fd N"));
  assert.match(install, INTERPOSER_ACTIVE);
  assert.equal(lines, [`kahook: fd N server: ${options}`, `kahook: fd N client: ${options}`]);
});

test("without koffi the program runs on unconfigured, after one line that says so", () => {
  // The built package alone, without node_modules: koffi cannot be found.
  const dir = mkdtempSync(join(tmpdir(), "kahook-no-koffi-"));
  try {
    cpSync(join(root, "dist"), join(dir, "dist"), { recursive: true });
    cpSync(join(root, "package.json"), join(dir, "package.json"));
    const app = `const net = require("node:net");
      const server = net.createServer((socket) => socket.end("ok")).listen(0, "127.0.0.1", () =>
        net.connect(server.address().port, "127.0.0.1").on("data", (data) => { console.log(String(data)); process.exit(0); }));`;
    const result = run(
      process.execPath,
      ["--import", join(dir, "dist/src/register.js"), "-e", app],
      CONFIGURED_ENV,
      dir,
    );
    assert.is(succeeded(result).trim(), "ok");
    const lines = kahookLines(result.stderr);
    assert.is(lines.length, 1, result.stderr);
    assert.match(lines[0], /^kahook: not active: cannot load libc through node's FFI .*Cannot find module 'koffi'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("without KAHOOK_DEBUG the preload writes nothing", () => {
  const result = runRuntime(["--import", "kahook/register", here("fixtures/preload/pair")], CONFIGURED_ENV);
  succeeded(result);
  assert.is(result.stderr, "");
});

test("--require and --import together install the hooks once", () => {
  const result = runRuntime([
    "--require",
    "kahook/register",
    "--import",
    "kahook/register",
    here("fixtures/preload/pair"),
  ], DEBUG_ENV);
  succeeded(result);
  // One install line, then the two sockets.
  const lines = kahookLines(result.stderr);
  assert.is(lines.length, 3, result.stderr);
  assert.is(lines.filter((line) => INTERPOSER_ACTIVE.test(line)).length, 1, result.stderr);
});

for (const flag of PRELOAD_FLAGS) {
  test(`${flag}: the preload's bundle and the library are one kahook: install() is a no-op, stats() counts the preload's sockets, uninstall() restores`, () => {
    const app = `import net from "node:net";
      import { install, stats, uninstall } from "kahook";
      const again = install();
      const server = net.createServer((socket) => socket.end()).listen(0, "127.0.0.1", () =>
        net.connect(server.address().port, "127.0.0.1").on("close", () => {
          console.log(JSON.stringify({ again, stats: stats(), uninstalled: uninstall(), twice: uninstall() }));
          server.close();
        }).resume());`;
    const result = JSON.parse(
      succeeded(runRuntime([flag, "kahook/register", "--input-type=module", "-e", app], CONFIGURED_ENV)),
    );
    assert.equal(result, {
      again: false,
      stats: {
        configured: 2,
        clients: 1,
        listeners: 1,
        failed: 0,
        kept: { SO_KEEPALIVE: 0, TCP_KEEPIDLE: 0, TCP_KEEPINTVL: 0, TCP_KEEPCNT: 0, TCP_USER_TIMEOUT: 0 },
        deadPeers: { keepalive: 0, user_timeout: 0, retransmissions: 0 },
        untagged: 0,
        slotsUnpatched: 0,
        eventsLost: 0,
      },
      uninstalled: true,
      twice: false,
    });
  });
}

test("a socket kahook cannot create (EMFILE) is reported; the program gets Node's own error and goes on", () => {
  // 64 fds: enough for Node to start, few enough to run out within the fixture's bound.
  const script = `ulimit -n 64 && exec "${process.execPath}" --import kahook/register "${
    here("fixtures/failsafe/exhaust")
  }"`;
  // The JavaScript hooks create the socket themselves; the interposer never does.
  const result = run("sh", ["-c", script], { ...DEBUG_ENV, KAHOOK_INTERPOSER: "0" });
  assert.equal(JSON.parse(succeeded(result)), { code: "EMFILE" });
  assert.ok(kahookLines(result.stderr).includes("kahook: client: socket() failed: EMFILE"), result.stderr);
});

test.run();
