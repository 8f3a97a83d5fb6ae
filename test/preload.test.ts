import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ENV_NAMES } from "../src/config/env.ts";
import { assertConfigured, CONFIGURED_ENV, EX_CONFIG } from "./_configured.ts";
import { root } from "./_repo.ts";
import { readbacks } from "./_report.ts";
import { here, kahookLines, PRELOADS, run, runRuntime, succeeded } from "./_run.ts";
import { runtime } from "../src/host/host.ts";

const CONNECTIONS = 1000;
const register = join(root, "src/register.ts");

/** fixtures/preload/pair's three readbacks, asserted configured; the MSS of a client is bounded by the configured listener. */
function assertPairConfigured(stdout: string): void {
  const lines = readbacks(stdout);
  assert.equal(lines.map(({ role }) => role), ["listener", "accepted", "client"]);
  for (const readback of lines) assertConfigured(readback);
}

for (const preload of PRELOADS) {
  test(`${preload.name}: an invalid variable stops the program with one line naming it (exit 78)`, () => {
    const result = runRuntime([...preload.args, here("fixtures/preload/ran")], { TCP_KEEPCNT: "128" });
    assert.is(result.status, EX_CONFIG);
    assert.is(result.stdout, "");
    assert.equal(result.stderr.trim().split("\n"), [
      `kahook: TCP_KEEPCNT="128" is not valid: out of range; expected a whole number 1..127 written in digits, 0 for the system default`,
    ]);
  });
}

/** KAHOOK_DEBUG's line at install with KAHOOK_INTERPOSER=0: in each runtime, the rows of the README's table the hooks leave out. */
const HOOKS_LINE: Record<string, string> = {
  node:
    "kahook: interposer not active: KAHOOK_INTERPOSER=0; the JavaScript hooks configure node:net sockets; not covered: a C library through bun:ffi, Deno.dlopen or koffi, or a Node addon",
  bun:
    "kahook: interposer not active: KAHOOK_INTERPOSER=0; the JavaScript hooks configure node:net sockets; not covered: Bun's fetch, Bun.sql, RedisClient, WebSocket client; the sockets of worker threads (node:worker_threads, Worker); a C library through bun:ffi, Deno.dlopen or koffi, or a Node addon",
  deno:
    "kahook: interposer not active: KAHOOK_INTERPOSER=0; the JavaScript hooks configure node:net sockets; not covered: Deno's fetch, Deno.connectTls, Deno.startTls, WebSocket client; Deno.serve, Deno.listenTls (listener and accepted); the sockets of worker threads (node:worker_threads, Worker); a C library through bun:ffi, Deno.dlopen or koffi, or a Node addon",
};

for (const preload of PRELOADS) {
  test(`${preload.name}: KAHOOK_DEBUG says at install that the native interposer is active, in one line`, () => {
    const result = runRuntime([...preload.args, here("fixtures/preload/ran")], { KAHOOK_DEBUG: "1" });
    assert.is(succeeded(result), "ran\n");
    assert.match(result.stderr, /^kahook: interposer active \(\d+ slots patched\)\n$/);
  });

  test(`${preload.name}: KAHOOK_INTERPOSER=0 and KAHOOK_DEBUG: one line at install says the JavaScript hooks configure the sockets, and what they leave out in ${runtime}`, () => {
    const result = runRuntime([...preload.args, here("fixtures/preload/ran")], {
      KAHOOK_DEBUG: "1",
      KAHOOK_INTERPOSER: "0",
    });
    assert.is(succeeded(result), "ran\n");
    assert.is(result.stderr, `${HOOKS_LINE[runtime]}\n`);
  });

  test(`${preload.name}: without KAHOOK_DEBUG nothing is said at install, with the interposer or without`, () => {
    for (const interposer of ["1", "0"]) {
      const result = runRuntime([...preload.args, here("fixtures/preload/ran")], { KAHOOK_INTERPOSER: interposer });
      assert.is(succeeded(result), "ran\n");
      assert.is(result.stderr, "", `KAHOOK_INTERPOSER=${interposer}`);
    }
  });
}

// The last preload: Deno's -A, since Deno lets only -A read /proc/self/fd.
test(`${PRELOADS.at(-1)!.name}: every fd kahook reaches (Deno's are dups) is released: the fd count after ${CONNECTIONS} connections equals the count before`, () => {
  const { before, after } = JSON.parse(
    succeeded(
      runRuntime([...PRELOADS.at(-1)!.args, here("fixtures/preload/fds"), String(CONNECTIONS)], CONFIGURED_ENV),
    ),
  );
  assert.is(after, before);
});

if ("Deno" in globalThis) {
  test("deno run --allow-ffi --allow-env (and the program's --allow-net) configures every socket, silently", () => {
    const result = runRuntime([
      "run",
      "--allow-ffi",
      "--allow-env",
      "--allow-net",
      "--preload",
      register,
      here("fixtures/preload/pair"),
    ], CONFIGURED_ENV);
    assertPairConfigured(succeeded(result));
    assert.is(result.stderr, "");
  });

  test("deno run with --allow-env narrowed to the variables kahook reads configures every socket, silently", () => {
    const allowEnv = `--allow-env=${ENV_NAMES.join(",")}`;
    const result = runRuntime([
      "run",
      "--allow-ffi",
      allowEnv,
      "--allow-net",
      "--preload",
      register,
      here("fixtures/preload/pair"),
    ], CONFIGURED_ENV);
    assertPairConfigured(succeeded(result));
    assert.is(result.stderr, "");
  });

  test("deno run with --allow-env lacking one variable kahook reads: the program runs without kahook, after one line saying so", () => {
    for (const left of ["KAHOOK_PROFILE", "KAHOOK_RULES", "TCP_KEEPIDLE"]) {
      const allowEnv = `--allow-env=${ENV_NAMES.filter((name) => name !== left).join(",")}`;
      const result = runRuntime(
        ["run", "--allow-ffi", allowEnv, "--preload", register, here("fixtures/preload/ran")],
        CONFIGURED_ENV,
      );
      assert.is(succeeded(result), "ran\n", left);
      assert.is(
        result.stderr,
        `kahook: not active: Deno was run without --allow-env for ${left}; the program runs without kahook\n`,
      );
    }
  });

  test("deno run without --allow-ffi: the program runs without kahook, after one line saying so", () => {
    const result = runRuntime(
      ["run", "--allow-env", "--preload", register, here("fixtures/preload/ran")],
      CONFIGURED_ENV,
    );
    assert.is(succeeded(result), "ran\n");
    assert.equal(kahookLines(result.stderr), [
      "kahook: not active: Deno was run without --allow-ffi; the program runs without kahook",
    ]);
    assert.is(result.stderr, `${kahookLines(result.stderr)[0]}\n`);
  });

  test("deno run --allow-ffi for a libc path that does not exist: the program runs without kahook, after one line saying why", () => {
    // /usr/lib64/libc.so.6 is on kahook's list of paths but not on Debian or Ubuntu, whose libc is under /lib/<multiarch>.
    const absent = "/usr/lib64/libc.so.6";
    assert.not.ok(existsSync(absent), `${absent} exists here: the test needs a listed path without libc`);
    // A program with a server and a client that does not use kahook's API, which would need the FFI itself.
    const result = runRuntime([
      "run",
      "--allow-env",
      `--allow-ffi=${absent}`,
      "--allow-net",
      "--preload",
      register,
      here("fixtures/odd/halfclose"),
    ], CONFIGURED_ENV);
    assert.equal(JSON.parse(succeeded(result)), { answer: `answer to "question", after your end` });
    assert.match(
      result.stderr,
      new RegExp(
        `^kahook: not active: cannot load libc through deno's FFI \\(tried [^)]+\\): .*${absent}: cannot open shared object file: No such file or directory; sockets keep the runtime's settings\n$`,
      ),
    );
  });

  test("deno run without --allow-ffi or --allow-env: one line names both", () => {
    // Some permission flag is needed: a Deno child given none inherits this -A process's permissions.
    const result = runRuntime(
      ["run", "--allow-net", "--preload", register, here("fixtures/preload/ran")],
      CONFIGURED_ENV,
    );
    assert.is(succeeded(result), "ran\n");
    assert.is(
      result.stderr,
      "kahook: not active: Deno was run without --allow-ffi and --allow-env; the program runs without kahook\n",
    );
  });
}

if ("Bun" in globalThis) {
  test("bunfig.toml preload configures every socket", () => {
    const dir = mkdtempSync(join(tmpdir(), "kahook-bunfig-"));
    writeFileSync(join(dir, "bunfig.toml"), `preload = [${JSON.stringify(register)}]\n`);
    const result = run(process.execPath, [here("fixtures/preload/pair")], CONFIGURED_ENV, dir);
    assertPairConfigured(succeeded(result));
  });
}

test.run();
